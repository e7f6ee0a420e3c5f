import { applyPlan, HashRing, planRebalance } from "@distkit/hashing";
import { describe, expect, it } from "vitest";
import { type LwwState, lwwPolicy, QuorumNode, type ReadResult } from "../src/index.js";
import { makeCluster } from "./helpers.js";

describe("membership changes", () => {
  it("a joining node receives the keys it now owns, and nodes drop keys they no longer own", () => {
    const cluster = makeCluster<LwwState>({ nodes: 4, node: { policy: lwwPolicy(), readRepair: "off" } });
    const { sim, clients, nodes } = cluster;
    const keys = Array.from({ length: 60 }, (_, i) => `m${i}`);
    for (const k of keys) sim.schedule(1, () => clients[0]!.instance.put(k, k.toUpperCase(), { w: "ALL" }));
    sim.runFor(100);
    const n5 = sim.addNode(
      "n5",
      (ctx) =>
        new QuorumNode<LwwState>(ctx, {
          policy: lwwPolicy(),
          readRepair: "off",
          placement: cluster.placement,
        }),
    );
    const all = [...nodes, n5];
    sim.schedule(1, () => nodes[0]!.instance.changeMembership(["n1", "n2", "n3", "n4", "n5"]));
    sim.runFor(500);
    const placement = nodes[0]!.instance.currentPlacement;
    expect(placement.members).toEqual(["n1", "n2", "n3", "n4", "n5"]);
    let moved = 0;
    for (const k of keys) {
      const owners = placement.preferenceList(k, 3);
      if (owners.includes("n5")) moved++;
      for (const n of all) {
        const holds = n.instance.storedKeys().includes(k);
        expect(holds, `${n.id} holds ${k}: owners ${owners.join(",")}`).toBe(owners.includes(n.id));
        if (holds) expect(n.instance.localValues(k)).toEqual([k.toUpperCase()]);
      }
    }
    expect(moved).toBeGreaterThan(0);
    // The primary owners agree with the partitioner's rebalancing plan applied to the old mapping.
    const before = HashRing.create(["n1", "n2", "n3", "n4"]);
    const after = before.withMember("n5");
    const plan = planRebalance(before, after);
    for (const k of keys) {
      const primary = applyPlan(plan, k, before.locate(k));
      expect(placement.preferenceList(k, 1)[0]).toBe(primary);
      expect(all.find((n) => n.id === primary)!.instance.localValues(k)).toEqual([k.toUpperCase()]);
    }
    expect(all.reduce((s, n) => s + n.instance.stats.keysTransferred, 0)).toBeGreaterThanOrEqual(moved);
    // Reads through the new member work.
    let r: ReadResult | undefined;
    sim.schedule(1, () => clients[0]!.instance.get("m7", { r: "ALL" }, (x) => (r = x)));
    sim.runFor(50);
    expect(r?.ok && r.values).toEqual(["M7"]);
  });
});

describe("a leaving node", () => {
  it("hands its keys to the members that take over and ends up empty", () => {
    const cluster = makeCluster<LwwState>({ nodes: 5, node: { policy: lwwPolicy(), readRepair: "off" } });
    const { sim, clients, nodes } = cluster;
    const keys = Array.from({ length: 60 }, (_, i) => `l${i}`);
    for (const k of keys) sim.schedule(1, () => clients[0]!.instance.put(k, k, { w: "ALL" }));
    sim.runFor(100);
    const leaving = nodes.find((n) => n.id === "n2")!;
    expect(leaving.instance.storedKeys().length).toBeGreaterThan(0);
    sim.schedule(1, () => nodes[0]!.instance.changeMembership(["n1", "n3", "n4", "n5"]));
    sim.runFor(500);
    expect(leaving.instance.storedKeys()).toEqual([]);
    const placement = nodes[0]!.instance.currentPlacement;
    for (const k of keys) {
      for (const owner of placement.preferenceList(k, 3)) {
        expect(nodes.find((n) => n.id === owner)!.instance.localValues(k)).toEqual([k]);
      }
    }
  });
});
