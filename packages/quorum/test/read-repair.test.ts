import { describe, expect, it } from "vitest";
import { type LwwState, lwwPolicy, type ReadRepairMode, type ReadResult } from "../src/index.js";
import { makeCluster } from "./helpers.js";

/** Writes v1 everywhere, then v2 while one owner is cut off, then heals: that owner is stale. */
function staleOwner(readRepair: ReadRepairMode) {
  const cluster = makeCluster<LwwState>({
    node: { policy: lwwPolicy(), n: 3, r: 2, w: 2, readRepair, timeoutMs: 30 },
    client: { routing: "token-aware" },
  });
  const { sim, clients, nodes, placement } = cluster;
  const key = "rr";
  const [owner, , lagging] = placement.preferenceList(key, 3) as [string, string, string];
  const others = nodes.map((n) => n.id).filter((id) => id !== lagging);
  const c = clients[0]!.instance;
  sim.schedule(1, () => c.put(key, "v1", { w: "ALL" }));
  sim.runFor(30);
  sim.schedule(1, () => sim.partition([...others, "c1"], [lagging]));
  sim.schedule(2, () => c.put(key, "v2"));
  sim.runFor(50);
  sim.schedule(1, () => sim.heal());
  sim.runFor(5);
  const lag = nodes.find((n) => n.id === lagging)!.instance;
  expect(lag.localValues(key)).toEqual(["v1"]);
  return { cluster, key, owner, lag };
}

describe("read repair", () => {
  it("async: a read with all replies in repairs the stale replica in the background", () => {
    const { cluster, key, lag } = staleOwner("async");
    let r: ReadResult | undefined;
    cluster.sim.schedule(1, () => cluster.clients[0]!.instance.get(key, { r: "ALL" }, (x) => (r = x)));
    cluster.sim.runFor(50);
    expect(r?.ok && r.values).toEqual(["v2"]);
    expect(lag.localValues(key)).toEqual(["v2"]);
  });

  it("blocking: the read answers only after the stale responder acknowledged the repair", () => {
    const { cluster, key, lag } = staleOwner("blocking");
    let r: ReadResult | undefined;
    let lagValueWhenAnswered: readonly unknown[] = [];
    cluster.sim.schedule(1, () =>
      cluster.clients[0]!.instance.get(key, { r: "ALL" }, (x) => {
        r = x;
        lagValueWhenAnswered = lag.localValues(key);
      }),
    );
    cluster.sim.runFor(50);
    expect(r?.ok && r.values).toEqual(["v2"]);
    expect(r?.ok && r.repaired).toBe(1);
    expect(lagValueWhenAnswered).toEqual(["v2"]);
  });

  it("off: the stale replica stays stale", () => {
    const { cluster, key, lag } = staleOwner("off");
    cluster.sim.schedule(1, () => cluster.clients[0]!.instance.get(key, { r: "ALL" }));
    cluster.sim.runFor(50);
    expect(lag.localValues(key)).toEqual(["v1"]);
  });

  it("token-aware clients send each request to the key's first replica", () => {
    const { cluster, key, owner } = staleOwner("off");
    let r: ReadResult | undefined;
    cluster.sim.schedule(1, () => cluster.clients[0]!.instance.get(key, {}, (x) => (r = x)));
    cluster.sim.runFor(50);
    expect(r?.ok && r.coordinator).toBe(owner);
  });
});
