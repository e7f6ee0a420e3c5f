import { checkLinearizable, historyFromEvents, kvModel } from "@distkit/check";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { lwwPolicy } from "../src/index.js";
import { type Cluster, checkEvents, driveClients, makeCluster } from "./helpers.js";
import type { LwwState } from "../src/index.js";

const KEYS = ["a", "b", "c"];

function verdict(cluster: Cluster<LwwState>) {
  const history = historyFromEvents(checkEvents(cluster));
  return checkLinearizable(history, kvModel({ initial: null }), { maxSteps: 2_000_000 });
}

type Fault =
  | {
      readonly atMs: number;
      readonly kind: "partition";
      readonly order: readonly number[];
      readonly cut: number;
    }
  | { readonly atMs: number; readonly kind: "heal" }
  | { readonly atMs: number; readonly kind: "crash" | "restart"; readonly node: number };

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({
    atMs: fc.integer({ min: 50, max: 2500 }),
    kind: fc.constant("partition" as const),
    order: fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5, maxLength: 5 }),
    cut: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ atMs: fc.integer({ min: 50, max: 2500 }), kind: fc.constant("heal" as const) }),
  fc.record({
    atMs: fc.integer({ min: 50, max: 2500 }),
    kind: fc.constantFrom("crash" as const, "restart" as const),
    node: fc.integer({ min: 0, max: 4 }),
  }),
);

/** Applies a fault schedule (data), keeping at most `maxDown` nodes crashed; heals everything at `untilMs`. */
function applyFaults(
  cluster: Cluster<LwwState>,
  faults: readonly Fault[],
  untilMs: number,
  maxDown: number,
): void {
  const ids = cluster.nodes.map((n) => n.id);
  const down = new Set<string>();
  for (const f of faults) {
    cluster.sim.schedule(f.atMs, () => {
      if (f.kind === "partition") {
        const order = f.order.map((i) => ids[i] as string);
        cluster.sim.partition(order.slice(0, f.cut), order.slice(f.cut));
      } else if (f.kind === "heal") {
        cluster.sim.heal();
      } else if (f.kind === "crash") {
        const id = ids[f.node] as string;
        if (down.size < maxDown && !down.has(id)) {
          down.add(id);
          cluster.sim.crash(id);
        }
      } else {
        const id = ids[f.node] as string;
        if (down.delete(id)) cluster.sim.restart(id);
      }
    });
  }
  cluster.sim.schedule(untilMs, () => {
    cluster.sim.heal();
    for (const id of down) cluster.sim.restart(id);
    down.clear();
  });
}

describe("strict quorums (R + W > N), no sloppy quorum", () => {
  test.prop([fc.integer({ min: 1, max: 1_000_000 }), fc.array(faultArb, { maxLength: 25 })], { numRuns: 10 })(
    "every read sees the latest acknowledged write under random partitions and crashes",
    (seed, faults) => {
      const cluster = makeCluster<LwwState>({
        seed,
        clients: 4,
        node: { policy: lwwPolicy(), n: 3, r: "QUORUM", w: "QUORUM", readRepair: "blocking", timeoutMs: 40 },
        client: { routing: "random", timeoutMs: 40 },
      });
      applyFaults(cluster, faults, 2600, 2);
      driveClients(cluster, { opsPerClient: 60, keys: KEYS, readRatio: 0.5, thinkMs: 20, seed });
      cluster.sim.runFor(6000);
      expect(checkEvents(cluster).filter((e) => e.type === "ok").length).toBeGreaterThan(50);
      const result = verdict(cluster);
      if (result.verdict === "not-linearizable") console.log(result.failures[0]?.explanation);
      expect(result.verdict).toBe("linearizable");
    },
  );

  it("the same workload under a partition with R = W = 1 is caught by the checker", () => {
    const faults: Fault[] = [
      { atMs: 200, kind: "partition", order: [0, 1, 2, 3, 4], cut: 2 },
      { atMs: 1200, kind: "heal" },
    ];
    const cluster = makeCluster<LwwState>({
      seed: 9,
      clients: 4,
      node: { policy: lwwPolicy(), n: 3, r: 1, w: 1, readRepair: "off", timeoutMs: 40 },
      client: { routing: "random", timeoutMs: 40 },
    });
    applyFaults(cluster, faults, 2600, 2);
    driveClients(cluster, { opsPerClient: 60, keys: KEYS, readRatio: 0.5, thinkMs: 20, seed: 9 });
    cluster.sim.runFor(6000);
    expect(verdict(cluster).verdict).toBe("not-linearizable");
  });
});

describe("partial quorums (R + W <= N) serve stale reads, and the checker finds them", () => {
  it("R = W = 1 without read repair", () => {
    const cluster = makeCluster<LwwState>({
      seed: 7,
      clients: 4,
      network: { latency: { kind: "exponential", meanMs: 2 } },
      node: { policy: lwwPolicy(), n: 3, r: 1, w: 1, readRepair: "off", timeoutMs: 50 },
    });
    driveClients(cluster, { opsPerClient: 80, keys: ["a"], readRatio: 0.6, thinkMs: 3, seed: 7 });
    cluster.sim.runFor(5000);
    expect(verdict(cluster).verdict).toBe("not-linearizable");
  });
});
