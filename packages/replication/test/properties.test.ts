import { checkLinearizable, kvModel } from "@distkit/check";
import { fc } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import type { CommitMode } from "../src/index.js";
import { sequential, singleLeaderCluster, toHistory } from "./helpers.js";

const REPLICAS = ["n1", "n2", "n3"];
const CLIENTS = ["c1", "c2"];

/** A workload, a leader crash at a random time, a promotion of the best follower, a restart. */
function failoverRun(commit: CommitMode, seed: number, crashAtMs: number, maxLatencyMs: number) {
  const c = singleLeaderCluster(
    { replicas: REPLICAS, initialLeader: "n1", commit },
    {
      clients: CLIENTS,
      seed,
      requestTimeoutMs: 200,
      network: { latency: { kind: "uniform", minMs: 0.5, maxMs: maxLatencyMs } },
    },
  );
  CLIENTS.forEach((id, ci) => {
    const client = c.client(id);
    sequential(c.sim, 1 + ci, 80, 2, (i, done) => {
      const key = `k${Math.floor(i / 2) % 3}`;
      if (i % 2 === 0) client.write(key, `${id}-${i}`, {}, () => done());
      else client.read(key, { leaderOnly: true }, () => done());
    });
  });
  c.sim.runFor(crashAtMs);
  c.sim.crash("n1");
  const best = ["n2", "n3"].sort(
    (a, b) => c.replica(b).status().lastLsn - c.replica(a).status().lastLsn || (a < b ? -1 : 1),
  )[0]!;
  c.sim.schedule(10, () => {
    c.replica(best).promote(2);
    for (const id of CLIENTS) c.client(id).setLeader(best);
  });
  c.sim.runFor(1500);
  c.sim.restart("n1");
  // Let the workload finish and replication settle.
  c.sim.runFor(6000);
  const acked = CLIENTS.flatMap((id) =>
    c.client(id).operations.filter((o) => o.f === "write" && o.status === "ok"),
  );
  const leaderLog = c.replica(best).records();
  const inLog = new Set(leaderLog.map((r) => r.writeId));
  const missing = acked.filter((w) => !inLog.has(w.writeId)).map((w) => w.writeId);
  const reported = REPLICAS.flatMap((id) =>
    c.replica(id).lostWrites.flatMap((r) => r.acknowledged.map((a) => a.writeId)),
  );
  return { c, best, acked, missing, reported, leaderLog };
}

describe("failover properties over seeds", () => {
  it("sync and ANY 1: no acknowledged write is lost, leader reads are linearizable, logs match", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 20, max: 200 }),
        fc.integer({ min: 1, max: 15 }),
        fc.constantFrom<CommitMode>({ kind: "sync" }, { kind: "any", k: 1 }),
        (seed, crashAtMs, maxLatencyMs, commit) => {
          const { c, missing, reported, leaderLog } = failoverRun(commit, seed, crashAtMs, maxLatencyMs);
          expect(missing).toEqual([]);
          expect(reported).toEqual([]);
          // Log matching: every replica's log is a prefix of the leader's (same records).
          for (const id of REPLICAS) {
            const log = c.replica(id).records();
            expect(log.map((r) => r.writeId)).toEqual(leaderLog.slice(0, log.length).map((r) => r.writeId));
          }
          const history = toHistory(CLIENTS.flatMap((id) => c.client(id).operations));
          expect(
            checkLinearizable(history, kvModel({ initial: null }), { maxSteps: 2_000_000 }).verdict,
          ).toBe("linearizable");
        },
      ),
      { numRuns: 6 },
    );
  });

  it("async: exactly the acknowledged writes missing from the new leader are reported lost", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 20, max: 200 }),
        fc.integer({ min: 5, max: 40 }),
        (seed, crashAtMs, maxLatencyMs) => {
          const { c, missing, reported } = failoverRun({ kind: "async" }, seed, crashAtMs, maxLatencyMs);
          // Several nodes may report the same lost write (each one that discarded it): compare sets.
          expect([...new Set(reported)].sort()).toEqual([...missing].sort());
          // After the rewind, every replica agrees with the new leader.
          const values = REPLICAS.map((id) => ["k0", "k1", "k2"].map((k) => c.replica(id).peek(k)));
          expect(new Set(values.map((v) => JSON.stringify(v))).size).toBe(1);
        },
      ),
      { numRuns: 8 },
    );
  });
});
