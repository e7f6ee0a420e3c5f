import { Simulation } from "@distkit/sim-net";
import { describe, expect, it } from "vitest";
import {
  dvvPolicy,
  type LwwState,
  lwwPolicy,
  QuorumClient,
  QuorumError,
  QuorumNode,
  type WriteResult,
} from "../src/index.js";
import { makeCluster, testPlacement } from "./helpers.js";

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof QuorumError) return e.code;
    throw e;
  }
  return undefined;
}

describe("hinted handoff for owners that did not acknowledge (sloppy quorum, anti-entropy off)", () => {
  function setup(maxHints?: number) {
    const cluster = makeCluster<LwwState>({
      seed: 4,
      node: {
        policy: lwwPolicy(),
        n: 3,
        w: 2,
        r: 1,
        sloppyQuorum: true,
        readRepair: "off",
        timeoutMs: 40,
        hintedHandoffIntervalMs: 20,
        ...(maxHints === undefined ? {} : { maxHints }),
      },
      client: { routing: "token-aware", timeoutMs: 40 },
    });
    const key = "k";
    const [a, b, c] = cluster.placement.preferenceList(key, 3) as [string, string, string];
    const node = (id: string) => cluster.nodes.find((n) => n.id === id)!.instance;
    return { cluster, key, a, b, c, node };
  }

  it("an owner cut off while W acks arrive within sloppyFallbackAfterMs receives the write after heal", () => {
    const { cluster, key, a, c, node } = setup();
    const { sim, clients } = cluster;
    // c is cut off from everyone; a (the coordinator, token-aware) and b acknowledge in a few ms, long
    // before the fallback deadline (10 ms), so no fallback is used.
    sim.schedule(1, () => sim.isolate(c));
    let w: WriteResult | undefined;
    sim.schedule(2, () => clients[0]!.instance.put(key, "v", {}, (r) => (w = r)));
    sim.runFor(100);
    expect(w).toMatchObject({ ok: true, hinted: 0 });
    expect(node(c).localValues(key)).toEqual([]);
    expect(node(a).pendingHints).toBe(1); // the coordinator's hint for c
    sim.schedule(1, () => sim.heal());
    sim.runFor(200);
    expect(node(c).localValues(key)).toEqual(["v"]);
    expect(node(a).pendingHints).toBe(0);
    expect(node(a).stats.hintsHandedOff).toBe(1);
  });

  it("the coordinator's hint survives its crash and restart", () => {
    const { cluster, key, a, c, node } = setup();
    const { sim, clients } = cluster;
    sim.schedule(1, () => sim.isolate(c));
    sim.schedule(2, () => clients[0]!.instance.put(key, "v"));
    sim.runFor(100);
    sim.crash(a);
    sim.schedule(1, () => sim.heal());
    sim.runFor(50);
    expect(node(c).localValues(key)).toEqual([]);
    sim.restart(a);
    sim.runFor(200);
    expect(node(c).localValues(key)).toEqual(["v"]);
  });

  it("hints are bounded: beyond maxHints they are dropped and counted, and a fallback that drops one does not acknowledge", () => {
    const { cluster, key, a, b, c, node } = setup(0);
    const { sim, clients } = cluster;
    sim.schedule(1, () => sim.isolate(c));
    let w: WriteResult | undefined;
    sim.schedule(2, () => clients[0]!.instance.put(key, "v", {}, (r) => (w = r)));
    sim.runFor(100);
    expect(w?.ok).toBe(true);
    expect(node(a).stats.hintsDropped).toBe(2); // the coordinator's hints for b and c
    expect(node(a).pendingHints).toBe(0);
    // Now b is cut off too: the fallback cannot keep a hint, so it does not ack and the write fails.
    sim.schedule(1, () => sim.isolate(b));
    let w2: WriteResult | undefined;
    sim.schedule(2, () => clients[0]!.instance.put(key, "v2", {}, (r) => (w2 = r)));
    sim.runFor(200);
    expect(w2).toMatchObject({ ok: false, reason: "timeout", acks: 1 });
    const dropped = cluster.nodes.reduce((s, n) => s + n.instance.stats.hintsDropped, 0);
    expect(dropped).toBeGreaterThan(2);
  });
});

describe("two-phase writes (ABD timestamps)", () => {
  it("a coordinator whose clock is 10 s behind still overwrites a value it did not see (one-phase loses it)", () => {
    const placement = testPlacement(["n1", "n2", "n3"]);
    const sim = new Simulation({
      seed: 2,
      network: { latency: { kind: "uniform", minMs: 0.5, maxMs: 2 } },
      trace: "off",
    });
    const nodes = placement.members.map((id) =>
      sim.addNode(
        id,
        (ctx) =>
          new QuorumNode<LwwState>(ctx, { placement, policy: lwwPolicy(), n: 3, readRepair: "blocking" }),
        { clock: { offsetMs: id === "n3" ? -10_000 : 0 } },
      ),
    );
    const fast = sim.addNode("c1", (ctx) => new QuorumClient(ctx, { placement, coordinators: ["n1"] }));
    const slow = sim.addNode("c2", (ctx) => new QuorumClient(ctx, { placement, coordinators: ["n3"] }));
    const reads: unknown[] = [];
    sim.schedule(1, () => fast.instance.put("x", "first"));
    sim.schedule(20, () => slow.instance.put("x", "one-phase", { writeMode: "one-phase" }));
    sim.schedule(40, () => fast.instance.get("x", {}, (r) => reads.push(r.ok && r.values)));
    sim.schedule(60, () => slow.instance.put("x", "two-phase", { writeMode: "two-phase" }));
    sim.schedule(80, () => fast.instance.get("x", {}, (r) => reads.push(r.ok && r.values)));
    sim.runFor(200);
    expect(reads).toEqual([["first"], ["two-phase"]]);
    const n3 = nodes.find((n) => n.id === "n3")!.instance;
    expect(n3.stats.timestampReads).toBe(1);
    expect(n3.stats.coordinatedWrites).toBe(2);
  });

  it("rejects two-phase where it cannot work: DVV or CRDT stores, an explicit timestampMs, unknown modes", () => {
    const placement = testPlacement(["n1", "n2", "n3"]);
    const sim = new Simulation({ seed: 1 });
    expect(
      code(
        () =>
          sim.addNode(
            "a",
            (ctx) => new QuorumNode(ctx, { placement, policy: dvvPolicy(), writeMode: "two-phase" }),
          ).instance,
      ),
    ).toBe("invalid-config");
    expect(
      code(
        () =>
          sim.addNode(
            "b",
            (ctx) =>
              new QuorumNode(ctx, {
                placement,
                policy: lwwPolicy(),
                writeMode: "three-phase" as "one-phase",
              }),
          ).instance,
      ),
    ).toBe("invalid-config");
    expect(
      code(
        () =>
          sim.addNode("m", (ctx) => new QuorumNode(ctx, { placement, policy: lwwPolicy(), maxHints: -1 }))
            .instance,
      ),
    ).toBe("invalid-config");
    const c = sim.addNode("c", (ctx) => new QuorumClient(ctx, { placement })).instance;
    expect(code(() => c.put("k", 1, { writeMode: "both" as "one-phase" }))).toBe("invalid-request");

    // At the coordinator: per-request two-phase on a DVV store, and two-phase with timestampMs, are rejected.
    const sim2 = new Simulation({ seed: 1 });
    for (const id of placement.members)
      sim2.addNode(id, (ctx) => new QuorumNode(ctx, { placement, policy: dvvPolicy() }));
    const c2 = sim2.addNode("c", (ctx) => new QuorumClient(ctx, { placement })).instance;
    const results: WriteResult[] = [];
    sim2.schedule(1, () => c2.put("k", 1, { writeMode: "two-phase" }, (r) => results.push(r)));
    sim2.runFor(50);
    expect(results[0]).toMatchObject({ ok: false, reason: "rejected" });
    expect(results[0]?.ok === false && results[0].message).toContain("lwwPolicy");
    const sim3 = new Simulation({ seed: 1 });
    for (const id of placement.members)
      sim3.addNode(id, (ctx) => new QuorumNode(ctx, { placement, policy: lwwPolicy() }));
    const c3 = sim3.addNode("c", (ctx) => new QuorumClient(ctx, { placement })).instance;
    sim3.schedule(1, () =>
      c3.put("k", 1, { writeMode: "two-phase", timestampMs: 5 }, (r) => results.push(r)),
    );
    sim3.runFor(50);
    expect(results[1]).toMatchObject({ ok: false, reason: "rejected" });
  });
});
