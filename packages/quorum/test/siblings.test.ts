import { describe, expect, it } from "vitest";
import { type DvvState, dvvPolicy, type LwwState, lwwPolicy, type ReadResult } from "../src/index.js";
import { makeCluster } from "./helpers.js";

describe("sibling handling", () => {
  it("DVV keeps exactly the concurrent values, and a write with the read context resolves them", () => {
    const { sim, clients } = makeCluster<DvvState>({
      clients: 3,
      node: { policy: dvvPolicy(), readRepair: "async" },
    });
    const [c1, c2, c3] = clients.map((c) => c.instance);
    let first: ReadResult | undefined;
    sim.schedule(1, () => c1!.put("cart", "base", {}));
    sim.runFor(50);
    let base: ReadResult | undefined;
    sim.schedule(1, () => c1!.get("cart", {}, (r) => (base = r)));
    sim.runFor(50);
    expect(base?.ok && base.values).toEqual(["base"]);
    const ctx = base?.ok ? base.context : "";
    // Two clients write concurrently, both having read "base": they replace it, and conflict with each other.
    sim.schedule(1, () => c1!.put("cart", "milk", { context: ctx }));
    sim.schedule(1, () => c2!.put("cart", "eggs", { context: ctx }));
    sim.runFor(50);
    sim.schedule(1, () => c3!.get("cart", {}, (r) => (first = r)));
    sim.runFor(50);
    expect(first?.ok).toBe(true);
    if (!first?.ok) return;
    expect([...first.values].sort()).toEqual(["eggs", "milk"]);
    // Resolve with the context of the read that saw both siblings.
    let resolved: ReadResult | undefined;
    sim.schedule(1, () => c3!.put("cart", "eggs+milk", { context: first!.ok ? first!.context : "" }));
    sim.runFor(50);
    sim.schedule(1, () => c1!.get("cart", {}, (r) => (resolved = r)));
    sim.runFor(50);
    expect(resolved?.ok && resolved.values).toEqual(["eggs+milk"]);
  });

  it("DVV: a sequence of writes that each carry the previous read's context never creates siblings", () => {
    const { sim, clients } = makeCluster<DvvState>({ clients: 1, node: { policy: dvvPolicy() } });
    const c = clients[0]!.instance;
    let ctx = "";
    let last: ReadResult | undefined;
    for (let i = 0; i < 5; i++) {
      sim.schedule(1, () => c.put("k", i, { context: ctx }));
      sim.runFor(30);
      sim.schedule(1, () => c.get("k", {}, (r) => (last = r)));
      sim.runFor(30);
      expect(last?.ok && last.values).toEqual([i]);
      ctx = last?.ok ? last.context : "";
    }
  });

  it("LWW keeps one of two concurrent writes and reports the other as lost", () => {
    const cluster = makeCluster<LwwState>({ clients: 2, node: { policy: lwwPolicy(), readRepair: "async" } });
    const { sim, clients, nodes } = cluster;
    let r: ReadResult | undefined;
    sim.schedule(1, () => clients[0]!.instance.put("cart", "bread", { timestampMs: 50 }));
    sim.runFor(50);
    sim.schedule(1, () => clients[0]!.instance.get("cart", {}, (x) => (r = x)));
    sim.runFor(50);
    const context = r?.ok ? r.context : "";
    expect(nodes.reduce((sum, n) => sum + n.instance.stats.lostWrites, 0)).toBe(0); // overwriting what was read is no loss
    // Both clients read "bread" and write concurrently, each with that context.
    sim.schedule(1, () => clients[0]!.instance.put("cart", "milk", { timestampMs: 100, context }));
    sim.schedule(1, () => clients[1]!.instance.put("cart", "eggs", { timestampMs: 100, context }));
    sim.runFor(50);
    sim.schedule(1, () => clients[0]!.instance.get("cart", { r: "ALL" }, (x) => (r = x)));
    sim.runFor(50);
    // Equal timestamps: Cassandra's tie-break keeps the greater value.
    expect(r?.ok && r.values).toEqual(["milk"]);
    const lost = nodes.reduce((sum, n) => sum + n.instance.stats.lostWrites, 0);
    expect(lost).toBeGreaterThan(0);
  });

  it("LWW: the higher timestamp wins even when it arrives first (clock skew loses the later write)", () => {
    const { sim, clients } = makeCluster<LwwState>({ clients: 1, node: { policy: lwwPolicy() } });
    const c = clients[0]!.instance;
    let r: ReadResult | undefined;
    sim.schedule(1, () => c.put("x", "from-fast-clock", { timestampMs: 500 }));
    sim.runFor(20);
    sim.schedule(1, () => c.put("x", "later-but-slow-clock", { timestampMs: 200 }));
    sim.runFor(20);
    sim.schedule(1, () => c.get("x", {}, (x) => (r = x)));
    sim.runFor(20);
    expect(r?.ok && r.values).toEqual(["from-fast-clock"]);
  });
});
