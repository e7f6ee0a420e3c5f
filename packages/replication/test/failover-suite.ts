/**
 * Issue 12: automatic failover must never lose an acknowledged write. Both attack fault shapes
 * (a lagging replica on the lease store's side of a partition; a deposed leader returning with its
 * old log cut off from the other replicas) in every commit mode, with both lease stores, over 3 and 5
 * replicas and many seeds, with drifting clocks; leader reads and writes checked for linearizability
 * with @distkit/check. Async is expected to lose writes, and must report exactly which.
 * Bigger runs: `npx tsx --conditions=source packages/replication/scripts/soak-failover.ts 100`.
 */
import { describe, expect, it } from "vitest";
import { classifyLostWrites } from "../src/index.js";
import { CASES, type FailoverCase, runCase, violation } from "./failover-cases.js";
import type { FaultShape, StoreKind } from "./failover-harness.js";

const SEEDS = Number(process.env.FAILOVER_SEEDS ?? 16);
const STORES: readonly StoreKind[] = ["server", "raft"];
const SHAPES: readonly FaultShape[] = ["lagging-takeover", "deposed-returns"];

function failingSeeds(c: FailoverCase, store: StoreKind, shape: FaultShape): string[] {
  const failures: string[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const v = violation(c, runCase(c, store, shape, seed));
    if (v !== undefined) failures.push(`seed ${seed}: ${v}`);
  }
  if (failures.length > 0) {
    console.error(
      `${c.name}, ${store} store, ${shape}: ${failures.length} failing seed(s)\n  ${failures.join("\n  ")}`,
    );
  }
  return failures;
}

/** Declares the durability tests of every case over `replicaCount` replicas. */
export function failoverDurabilitySuite(replicaCount: number): void {
  const SAFE = CASES.filter((c) => c.n === replicaCount && c.commit.kind !== "async");
  const ASYNC = CASES.filter((c) => c.n === replicaCount && c.commit.kind === "async");

  describe.each(
    SAFE.map((c) => [c.name, c] as const),
  )("%s: no acknowledged write lost in a failover", (_, c) => {
    for (const store of STORES) {
      for (const shape of SHAPES) {
        it(`${store} store, ${shape}: ${SEEDS} seeds, no loss, linearizable, one writable leader at a time`, () => {
          expect(failingSeeds(c, store, shape)).toEqual([]);
        });
      }
    }
  });

  describe.each(ASYNC.map((c) => [c.name, c] as const))("%s: lost writes are reported exactly", (_, c) => {
    for (const store of STORES) {
      it(`${store} store, both fault shapes: every acknowledged write missing from the final leader is reported, nothing else`, () => {
        let lostSomewhere = 0;
        for (const shape of SHAPES) {
          for (let seed = 1; seed <= Math.ceil(SEEDS / 2); seed++) {
            const o = runCase(c, store, shape, seed);
            expect(o.finalLeader, `seed ${seed} ${shape}`).toBeDefined();
            expect(o.maxWritable, `seed ${seed} ${shape}`).toBe(1);
            const classified = classifyLostWrites(o.lostReports, o.operations, o.finalLog);
            expect(classified.acknowledgedLost.map((r) => r.writeId).sort(), `seed ${seed} ${shape}`).toEqual(
              [...o.lostAcknowledged].sort(),
            );
            // Every write a rewind reports as acknowledged is really gone, and its client saw ok or a timeout.
            const final = new Set(o.finalLog.map((r) => r.writeId));
            const status = new Map(o.operations.map((op) => [op.writeId, op.status]));
            for (const r of o.lostReports.flatMap((x) => x.acknowledged)) {
              if (final.has(r.writeId)) continue;
              expect(["ok", "info"]).toContain(status.get(r.writeId));
            }
            // A replica lists a record as indeterminate when it did not know it was acknowledged; if a
            // client did see ok, the leader that acknowledged it reports it as acknowledged.
            const reportedAcked = new Set(o.lostReports.flatMap((x) => x.acknowledged).map((r) => r.writeId));
            for (const r of o.lostReports.flatMap((x) => x.indeterminate)) {
              if (status.get(r.writeId) === "ok" && !final.has(r.writeId))
                expect(reportedAcked.has(r.writeId)).toBe(true);
            }
            // Async promotions say they are best effort.
            for (const p of o.promotions) if (p.fencing !== undefined) expect(p.fencing.lossless).toBe(false);
            if (o.lostAcknowledged.length > 0) lostSomewhere++;
          }
        }
        // The attack shapes do make async lose writes (else this test would prove nothing).
        expect(lostSomewhere).toBeGreaterThan(0);
      });
    }
  });
}
