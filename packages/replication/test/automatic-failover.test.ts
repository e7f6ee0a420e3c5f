import { describe, expect, it } from "vitest";
import { fc } from "@fast-check/vitest";
import { RaftNode } from "@distkit/raft";
import {
  LeaseServerNode,
  type LeaseStoreFactory,
  leaseServerStore,
  type ReplicaConfig,
  type ReplicaNode,
  raftLeaseStore,
} from "../src/index.js";
import { sequential, singleLeaderCluster } from "./helpers.js";

const REPLICAS = ["n1", "n2", "n3"];

const ETCD = ["e1", "e2", "e3"];

function cluster(store: "server" | "raft", seed = 1) {
  const leaseStore: LeaseStoreFactory = store === "server" ? leaseServerStore("lease") : raftLeaseStore(ETCD);
  const config: ReplicaConfig = {
    replicas: REPLICAS,
    initialLeader: "n1",
    commit: { kind: "any", k: 1 },
    failover: { leaseStore, leaseTtlMs: 1000, failureTimeoutMs: 600 },
  };
  const c = singleLeaderCluster(config, {
    seed,
    clients: ["c1"],
    requestTimeoutMs: 300,
    extraNodes: (sim) => {
      if (store === "server") sim.addNode("lease", (ctx) => new LeaseServerNode(ctx));
      else for (const id of ETCD) sim.addNode(id, (ctx) => new RaftNode(ctx, { voters: ETCD }));
    },
  });
  // No two replicas may accept writes at the same (true) time.
  const writable = () =>
    REPLICAS.filter((id) => {
      const ref = c.sim.node<ReplicaNode>(id);
      return ref.status === "up" && ref.instance.status().writable;
    });
  let maxWritable = 0;
  c.sim.onEvent(() => {
    maxWritable = Math.max(maxWritable, writable().length);
  });
  return { c, writable, maxWritable: () => maxWritable };
}

describe.each([
  "server",
  "raft",
] as const)("automatic failover with a leader lease in a %s store", (store) => {
  it("the initial leader takes the lease; after it crashes the most up-to-date follower takes over", () => {
    const { c, writable, maxWritable } = cluster(store);
    // Raft elects its own leader first (election timeouts), then n1 takes the lease.
    expect(c.sim.runUntil(() => writable().length === 1, { timeoutMs: 3000 })).toBe(true);
    expect(writable()).toEqual(["n1"]);
    const client = c.client("c1");
    sequential(c.sim, 1, 20, 5, (i, done) => client.write("x", i, {}, () => done()));
    c.sim.runFor(400);
    c.sim.crash("n1");
    const crashAt = c.sim.nowMs;
    expect(c.sim.runUntil(() => writable().length === 1, { timeoutMs: 5000 })).toBe(true);
    const unavailableMs = c.sim.nowMs - crashAt;
    // Not before the old lease ran out on the store (ttl 1000 from the last renewal).
    expect(unavailableMs).toBeGreaterThan(1000 - 1000 / 3);
    const leader = writable()[0]!;
    expect(c.replica(leader).status().epoch).toBe(2);
    // Every acknowledged write survived.
    const acked = client.operations.filter((o) => o.status === "ok").map((o) => o.writeId);
    const have = new Set(
      c
        .replica(leader)
        .records()
        .map((r) => r.writeId),
    );
    expect(acked.filter((w) => !have.has(w))).toEqual([]);
    expect(maxWritable()).toBe(1);
  });

  it("a partitioned leader stops accepting writes before anyone else starts (no split brain)", () => {
    const { c, writable, maxWritable } = cluster(store, 5);
    expect(c.sim.runUntil(() => writable().length === 1, { timeoutMs: 3000 })).toBe(true);
    c.sim.partition(["n1", "c1"], ["n2", "n3", ...(store === "server" ? ["lease"] : ETCD)]);
    const outcomes: string[] = [];
    sequential(c.sim, 1, 400, 10, (i, done) =>
      c.client("c1").write("x", i, {}, (r) => {
        outcomes.push(r.outcome);
        done();
      }),
    );
    c.sim.runFor(6000);
    expect(maxWritable()).toBe(1);
    const newLeader = writable()[0];
    expect(newLeader === "n2" || newLeader === "n3").toBe(true);
    // The old leader turned clients away once its lease lapsed.
    expect(outcomes).toContain("not-leader");
    expect(c.replica("n1").status().writable).toBe(false);
    c.sim.heal();
    c.sim.runFor(1000);
    expect(c.replica("n1").status()).toMatchObject({ role: "follower", leader: newLeader });
  });
});

describe.each(["server", "raft"] as const)("a leader cut off from the %s lease store only", (store) => {
  it("stops leading, and a follower that can reach the store takes over", () => {
    const { c, writable, maxWritable } = cluster(store, 3);
    expect(c.sim.runUntil(() => writable().length === 1, { timeoutMs: 3000 })).toBe(true);
    for (const s of store === "server" ? ["lease"] : ETCD) {
      c.sim.partitionOneWay(["n1"], [s]);
      c.sim.partitionOneWay([s], ["n1"]);
    }
    expect(c.sim.runUntil(() => writable().length === 1 && writable()[0] !== "n1", { timeoutMs: 6000 })).toBe(
      true,
    );
    expect(maxWritable()).toBe(1);
    c.sim.runFor(500);
    expect(c.replica("n1").status()).toMatchObject({ role: "follower", leader: writable()[0] });
  });
});

describe("automatic failover properties over seeds", () => {
  it("at most one writable leader at any time, and no acknowledged write lost (ANY 1)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom<"server" | "raft">("server", "raft"),
        fc.constantFrom<"crash" | "isolate">("crash", "isolate"),
        fc.integer({ min: 300, max: 2000 }),
        fc.array(fc.integer({ min: -2000, max: 2000 }), { minLength: 3, maxLength: 3 }),
        (seed, store, fault, faultAtMs, driftsPpm) => {
          const { c, writable, maxWritable } = cluster(store, seed);
          // Clocks drift apart (bounded); the lease's safety margin must cover it.
          REPLICAS.forEach((id, i) => {
            c.sim.setClock(id, { driftPpm: driftsPpm[i]! });
          });
          c.sim.runUntil(() => writable().length === 1, { timeoutMs: 3000 });
          const client = c.client("c1");
          sequential(c.sim, 1, 150, 20, (i, done) => {
            client.write("x", i, {}, (r) => {
              if (r.outcome === "not-leader" && r.leader !== undefined) client.setLeader(r.leader);
              else if (r.outcome !== "ok") client.setLeader(REPLICAS[i % REPLICAS.length]!);
              done();
            });
          });
          const first = writable()[0]!;
          c.sim.schedule(faultAtMs, () => {
            if (fault === "crash") c.sim.crash(first);
            else c.sim.isolate(first);
          });
          c.sim.runFor(faultAtMs + 5000);
          c.sim.heal();
          c.sim.runFor(2000);
          expect(maxWritable()).toBe(1);
          const leader = writable()[0];
          expect(leader).toBeDefined();
          const have = new Set(
            c
              .replica(leader!)
              .records()
              .map((r) => r.writeId),
          );
          const acked = client.operations.filter((o) => o.status === "ok").map((o) => o.writeId);
          expect(acked.filter((w) => !have.has(w))).toEqual([]);
        },
      ),
      { numRuns: 6 },
    );
  });
});
