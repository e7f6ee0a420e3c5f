/**
 * The configurations and fault shapes of issue 12, as functions the tests and the soak script share.
 */
import type * as fc from "fast-check";
import type { FaultSchedule } from "@distkit/sim-net";
import { faultScheduleArb } from "@distkit/sim-net/testing";
import type { CommitMode } from "../src/index.js";
import {
  buildRun,
  commitMode,
  commitName,
  deposedReturns,
  type FailoverOutcome,
  type FaultShape,
  finish,
  laggingTakeover,
  type StoreKind,
  startWorkload,
  trackWritable,
  writableLeaders,
} from "./failover-harness.js";

export interface FailoverCase {
  readonly name: string;
  readonly n: number;
  readonly commit: CommitMode;
  /** Size of the leader's side in the lagging-takeover partition (leader + its quorum standbys). */
  readonly quorumSide: number;
}

export const CASES: readonly FailoverCase[] = [
  { n: 3, kind: "sync", k: 0, side: 2 },
  { n: 3, kind: "first", k: 1, side: 2 },
  { n: 3, kind: "any", k: 1, side: 2 },
  { n: 3, kind: "async", k: 0, side: 2 },
  { n: 5, kind: "sync", k: 0, side: 3 },
  { n: 5, kind: "first", k: 2, side: 3 },
  { n: 5, kind: "any", k: 2, side: 3 },
  { n: 5, kind: "any", k: 1, side: 3 },
  { n: 5, kind: "async", k: 0, side: 3 },
].map(({ n, kind, k, side }) => {
  const commit = commitMode(kind as "sync" | "first" | "any" | "async", n, k);
  return { name: `${n} replicas, ${commitName(commit)}`, n, commit, quorumSide: side };
});

/** Drifts within the bound the lease's safety margin covers (10% of the TTL over a TTL: far below). */
function drifts(seed: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (((seed * 7919 + i * 104729) % 4001) - 2000) / 10);
}

export function runCase(
  c: FailoverCase,
  store: StoreKind,
  shape: FaultShape,
  seed: number,
  schedule: FaultSchedule = [],
): FailoverOutcome {
  const run = buildRun({ seed, n: c.n, commit: c.commit, store, driftsPpm: drifts(seed, c.n) });
  const maxWritable = trackWritable(run);
  // Faults start once the first leader leads (the raft store needs an election first).
  run.sim.runUntil(() => writableLeaders(run).length === 1, { timeoutMs: 3000 });
  const jitter = seed % 97;
  if (shape === "lagging-takeover") {
    laggingTakeover(run, c.quorumSide, 400 + jitter, 1400 + ((seed * 31) % 400));
  } else if (shape === "deposed-returns") {
    deposedReturns(run, 400 + jitter, 900 + ((seed * 17) % 300), 1500);
  } else {
    run.sim.applySchedule(schedule.map((f) => ({ ...f, atMs: f.atMs + run.sim.nowMs + 300 })));
  }
  startWorkload(run, run.sim.nowMs + 3200);
  run.sim.runFor(3300);
  return finish(run, maxWritable, c.commit.kind !== "async");
}

/** Random fault schedules over the replicas and the lease store (no clock jumps: drift only). */
export function randomSchedules(c: FailoverCase, store: StoreKind): fc.Arbitrary<FaultSchedule> {
  const nodes = [
    ...Array.from({ length: c.n }, (_, i) => `n${i + 1}`),
    ...(store === "server" ? ["lease"] : ["e1", "e2", "e3"]),
  ];
  return faultScheduleArb({
    nodeIds: nodes,
    durationMs: 2600,
    maxFaults: 8,
    kinds: ["partition", "partition-one-way", "isolate", "heal", "crash", "restart", "pause", "resume"],
    recoverAtEnd: false,
  });
}

/** A short description of what went wrong in one run, or undefined when it held. */
export function violation(c: FailoverCase, outcome: FailoverOutcome): string | undefined {
  const problems: string[] = [];
  if (outcome.maxWritable > 1) problems.push(`${outcome.maxWritable} writable leaders at once`);
  if (outcome.finalLeader === undefined) problems.push("no writable leader after healing");
  if (c.commit.kind !== "async") {
    if (outcome.lostAcknowledged.length > 0)
      problems.push(
        `lost ${outcome.lostAcknowledged.length} acknowledged write(s): ${outcome.lostAcknowledged.slice(0, 5).join(", ")}`,
      );
    if (outcome.linearizable === false) problems.push("leader reads and writes not linearizable");
  }
  return problems.length === 0 ? undefined : problems.join("; ");
}
