import { describe, expect, it } from "vitest";
import { type DvvState, dvvPolicy, type LwwState, lwwPolicy, type ReadResult } from "../src/index.js";
import { makeCluster } from "./helpers.js";

describe("deletes", () => {
  it("LWW: a delete hides the value, keeps a tombstone for the grace period, then collects it", () => {
    const cluster = makeCluster<LwwState>({
      node: { policy: lwwPolicy(), tombstoneGraceMs: 1000, gcIntervalMs: 100 },
    });
    const { sim, clients, nodes, placement } = cluster;
    const c = clients[0]!.instance;
    let r: ReadResult | undefined;
    sim.schedule(1, () => c.put("gone", "soon"));
    sim.runFor(20);
    sim.schedule(1, () => c.delete("gone", { w: "ALL" }));
    sim.runFor(20);
    sim.schedule(1, () => c.get("gone", {}, (x) => (r = x)));
    sim.runFor(20);
    expect(r?.ok && r.values).toEqual([]);
    const owners = placement.preferenceList("gone", 3);
    const holding = () =>
      nodes
        .filter((n) => n.instance.storedKeys().includes("gone"))
        .map((n) => n.id)
        .sort();
    expect(holding()).toEqual([...owners].sort());
    sim.runFor(500);
    expect(holding()).toEqual([...owners].sort()); // still within the grace period
    sim.runFor(1000);
    expect(holding()).toEqual([]);
    expect(nodes.reduce((s, n) => s + n.instance.stats.tombstonesCollected, 0)).toBe(3);
  });

  it("DVV: a delete with the read context removes the value; a concurrent write survives as a live sibling", () => {
    const { sim, clients } = makeCluster<DvvState>({ clients: 2, node: { policy: dvvPolicy() } });
    const [c1, c2] = clients.map((x) => x.instance);
    let r: ReadResult | undefined;
    sim.schedule(1, () => c1!.put("k", "v1"));
    sim.runFor(20);
    sim.schedule(1, () => c1!.get("k", {}, (x) => (r = x)));
    sim.runFor(20);
    const ctx = r?.ok ? r.context : "";
    sim.schedule(1, () => c1!.delete("k", { context: ctx }));
    sim.schedule(1, () => c2!.put("k", "concurrent", { context: ctx }));
    sim.runFor(30);
    sim.schedule(1, () => c1!.get("k", {}, (x) => (r = x)));
    sim.runFor(20);
    expect(r?.ok && r.values).toEqual(["concurrent"]);
    sim.schedule(1, () => c1!.delete("k", { context: r?.ok ? r.context : "" }));
    sim.runFor(20);
    sim.schedule(1, () => c1!.get("k", {}, (x) => (r = x)));
    sim.runFor(20);
    expect(r?.ok && r.values).toEqual([]);
  });
});
