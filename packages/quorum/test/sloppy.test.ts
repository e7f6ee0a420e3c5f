import { checkLinearizable, historyFromEvents, kvModel } from "@distkit/check";
import { describe, expect, it } from "vitest";
import { type LwwState, lwwPolicy, QuorumClient, type ReadResult, type WriteResult } from "../src/index.js";
import { checkEvents, makeCluster } from "./helpers.js";

function setup(seed: number) {
  const cluster = makeCluster<LwwState>({
    seed,
    clients: 2,
    node: {
      policy: lwwPolicy(),
      n: 3,
      r: 2,
      w: 2,
      sloppyQuorum: true,
      readRepair: "off",
      timeoutMs: 40,
      hintedHandoffIntervalMs: 50,
    },
    client: { routing: "token-aware", timeoutMs: 40 },
  });
  const key = "user:1";
  const list = cluster.placement.preferenceList(key, 5);
  const [a, b, c, d, e] = list as [string, string, string, string, string];
  return { cluster, key, a, b, c, d, e };
}

describe("sloppy quorum and hinted handoff", () => {
  it("writes succeed through fallbacks during a partition, the other side reads stale data, and the checker finds it", () => {
    const { cluster, key, a, b, c, d, e } = setup(3);
    const { sim, clients, nodes } = cluster;
    const [c1] = clients;
    // A client on the b/c side of the coming partition, coordinating through b.
    const c2 = sim.addNode(
      "c9",
      (ctx) => new QuorumClient(ctx, { placement: cluster.placement, coordinators: [b] }),
    );
    sim.schedule(1, () => c1!.instance.put(key, "v1"));
    sim.runFor(50);
    // The key's owner a, with the fallbacks d and e, is cut off from the other two owners b and c.
    sim.schedule(1, () => sim.partition([a, d, e, "c1"], [b, c, "c9"]));
    let w: WriteResult | undefined;
    sim.schedule(2, () => c1!.instance.put(key, "v2", {}, (r) => (w = r)));
    sim.runFor(100);
    expect(w?.ok).toBe(true);
    expect(w?.ok && w.hinted).toBeGreaterThan(0);
    const held = nodes
      .filter((n) => n.id === d || n.id === e)
      .reduce((s, n) => s + n.instance.pendingHints, 0);
    expect(held).toBeGreaterThan(0);
    // c2 reads on the other side: the only replicas it reaches have v1.
    let stale: ReadResult | undefined;
    sim.schedule(1, () => c2.instance.get(key, { sloppy: false }, (r) => (stale = r)));
    sim.runFor(100);
    expect(stale?.ok && stale.values).toEqual(["v1"]);
    const verdict = checkLinearizable(
      historyFromEvents(checkEvents(cluster, [c2])),
      kvModel({ initial: null }),
    );
    expect(verdict.verdict).toBe("not-linearizable");

    // Heal: hints flow to their owners, and a strict read everywhere sees v2.
    sim.schedule(1, () => sim.heal());
    sim.runFor(500);
    expect(nodes.reduce((s, n) => s + n.instance.pendingHints, 0)).toBe(0);
    expect(nodes.reduce((s, n) => s + n.instance.stats.hintsHandedOff, 0)).toBeGreaterThan(0);
    for (const owner of [a, b, c]) {
      expect(nodes.find((n) => n.id === owner)!.instance.localValues(key)).toEqual(["v2"]);
    }
  });

  it("hints are durable: a fallback that crashes and restarts still hands them off", () => {
    const { cluster, key, a, b, c, d, e } = setup(5);
    const { sim, clients, nodes } = cluster;
    sim.schedule(1, () => sim.partition([a, d, e, "c1"], [b, c]));
    let w: WriteResult | undefined;
    sim.schedule(2, () => clients[0]!.instance.put(key, "hinted", {}, (r) => (w = r)));
    sim.runFor(100);
    expect(w?.ok).toBe(true);
    const holders = nodes.filter((n) => n.instance.pendingHints > 0).map((n) => n.id);
    expect(holders.length).toBeGreaterThan(0);
    for (const h of holders) sim.crash(h);
    sim.schedule(1, () => sim.heal());
    sim.runFor(50);
    for (const h of holders) sim.restart(h);
    sim.runFor(500);
    for (const owner of [b, c]) {
      expect(nodes.find((n) => n.id === owner)!.instance.localValues(key)).toEqual(["hinted"]);
    }
  });

  it("with a strict quorum the same partition makes the write fail instead", () => {
    const { cluster, key, a, b, c, d, e } = setup(3);
    const { sim, clients } = cluster;
    sim.schedule(1, () => sim.partition([a, d, e, "c1"], [b, c]));
    let w: WriteResult | undefined;
    sim.schedule(2, () => clients[0]!.instance.put(key, "v", { sloppy: false }, (r) => (w = r)));
    sim.runFor(200);
    expect(w).toMatchObject({ ok: false, reason: "timeout", acks: 1 });
  });
});
