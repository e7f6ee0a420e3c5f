import { ORSet, PNCounter } from "@distkit/crdt";
import { describe, expect, it } from "vitest";
import { crdtHex, crdtPolicy, fromDistkitCrdt, type ReadResult } from "../src/index.js";
import { makeCluster } from "./helpers.js";

describe("CRDT values merged automatically", () => {
  it("concurrent PN-counter deltas from two partitioned sides all count after healing", () => {
    const cluster = makeCluster<string>({
      clients: 2,
      node: {
        policy: crdtPolicy(fromDistkitCrdt(PNCounter.type())),
        n: 3,
        r: 1,
        w: 1,
        antiEntropy: { intervalMs: 50, depth: 4 },
      },
      client: { routing: "random" },
    });
    const { sim, clients, nodes } = cluster;
    const left = ["n1", "n2", "c1"];
    const right = ["n3", "n4", "n5", "c2"];
    sim.schedule(1, () => sim.partition(left, right));
    const a = new PNCounter("c1");
    const b = new PNCounter("c2");
    // A delta may be re-sent safely (merge is idempotent): retry until a coordinator on our side takes it.
    const send = (c: number, hex: string): void => {
      clients[c]!.instance.put("likes", hex, { w: 1, timeoutMs: 20 }, (res) => {
        if (!res.ok) send(c, hex);
      });
    };
    for (let i = 0; i < 5; i++) {
      sim.schedule(5 + i * 5, () => send(0, crdtHex(a.increment(2).encode())));
      sim.schedule(5 + i * 5, () => send(1, crdtHex(b.decrement(1).encode())));
    }
    sim.runFor(300);
    sim.schedule(1, () => sim.heal());
    sim.runFor(2000);
    let r: ReadResult | undefined;
    sim.schedule(1, () => clients[0]!.instance.get("likes", { r: "ALL" }, (x) => (r = x)));
    sim.runFor(100);
    expect(r?.ok && r.values).toEqual([5 * 2 - 5]);
    const owners = cluster.placement.preferenceList("likes", 3);
    const values = owners.map((o) => nodes.find((n) => n.id === o)!.instance.localValues("likes"));
    expect(values).toEqual([[5], [5], [5]]);
  });

  it("an OR-set: concurrent adds both survive", () => {
    const { sim, clients } = makeCluster<string>({
      clients: 2,
      node: { policy: crdtPolicy(fromDistkitCrdt(ORSet.type())) },
    });
    const s1 = new ORSet<string>("c1");
    const s2 = new ORSet<string>("c2");
    sim.schedule(1, () => clients[0]!.instance.put("cart", crdtHex(s1.add("milk").encode())));
    sim.schedule(1, () => clients[1]!.instance.put("cart", crdtHex(s2.add("eggs").encode())));
    sim.runFor(50);
    let r: ReadResult | undefined;
    sim.schedule(1, () => clients[0]!.instance.get("cart", {}, (x) => (r = x)));
    sim.runFor(50);
    expect(r?.ok && r.values).toEqual([["eggs", "milk"]]);
  });

  it("rejects a write that is not a state of the type", () => {
    const { sim, clients } = makeCluster<string>({
      node: { policy: crdtPolicy(fromDistkitCrdt(PNCounter.type())) },
    });
    let w: { ok: boolean; reason?: string } | undefined;
    sim.schedule(1, () => clients[0]!.instance.put("x", "zz-not-hex", {}, (x) => (w = x)));
    sim.runFor(50);
    expect(w).toMatchObject({ ok: false, reason: "rejected" });
  });
});
