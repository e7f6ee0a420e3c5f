/**
 * One randomized fault run: a cluster under a fault schedule and a random network, with the
 * invariant checker on every event, a KV workload, a liveness check after the faults stop, and a
 * linearizability check of the recorded history. Shared by the tests and the soak script.
 */
import { checkLinearizable, kvModel } from "@distkit/check";
import type { FaultSchedule, LatencyDistribution, LinkConfig } from "@distkit/sim-net";
import type { ReadMode } from "../src/index.js";
import { buildCluster, mulberry, startWorkload } from "./harness.js";

export interface FaultRunOptions {
  readonly servers: number;
  readonly durationMs: number;
  readonly readMode?: ReadMode;
  /** Check linearizability of the recorded history (default true). */
  readonly linearizability?: boolean;
  /**
   * Membership churn: start with the first 3 servers as voters, the others joining, and propose a
   * random joint-consensus change every this many ms while the faults run.
   */
  readonly membershipChangeEveryMs?: number;
}

export interface FaultRunResult {
  readonly membershipChanges: number;
  readonly committed: number;
  readonly completed: number;
  readonly operations: number;
  readonly leaderAfterMs: number;
}

const LATENCIES: readonly LatencyDistribution[] = [
  { kind: "uniform", minMs: 1, maxMs: 10 },
  { kind: "exponential", meanMs: 4 },
  { kind: "pareto", scaleMs: 1, shape: 1.5 },
  {
    kind: "mixture",
    components: [
      { weight: 0.95, distribution: { kind: "uniform", minMs: 1, maxMs: 5 } },
      { weight: 0.05, distribution: { kind: "uniform", minMs: 50, maxMs: 400 } },
    ],
  },
];

/** Network parameters drawn from the seed (latency shape, loss, duplication; no FIFO). */
export function networkFor(seed: number): Partial<LinkConfig> {
  const r = mulberry(seed * 7919 + 1);
  const latency = LATENCIES[Math.floor(r() * LATENCIES.length)]!;
  const lossRate = r() < 0.5 ? 0 : r() * 0.1;
  const duplicateRate = r() < 0.5 ? 0 : r() * 0.05;
  return { latency, lossRate, duplicateRate, fifo: false };
}

export function runFaultSchedule(
  seed: number,
  schedule: FaultSchedule,
  options: FaultRunOptions,
): FaultRunResult {
  const cluster = buildCluster({
    seed,
    servers: options.servers,
    network: networkFor(seed),
    clients: 2,
    ...(options.readMode === undefined ? {} : { readMode: options.readMode }),
    raft: { electionTimeoutMs: 150, heartbeatIntervalMs: 30, maxInflightMsgs: 8, maxSizePerMsgBytes: 400 },
    node: { snapshotThresholdEntries: 40, retainEntries: 5 },
    clientOptions: { requestTimeoutMs: 150, operationTimeoutMs: 1500 },
    ...(options.membershipChangeEveryMs === undefined ? {} : { joiners: options.servers - 3 }),
  });
  const { sim } = cluster;
  sim.applySchedule(schedule);
  let changes = 0;
  const every = options.membershipChangeEveryMs;
  if (every !== undefined) {
    const rnd = mulberry(seed ^ 0x5bd1e995);
    const change = () => {
      if (sim.nowMs >= options.durationMs) return;
      const leader = cluster.leader();
      if (leader !== undefined) {
        const shuffled = [...cluster.serverIds].sort(() => rnd() - 0.5);
        const nVoters = 2 + Math.floor(rnd() * (cluster.serverIds.length - 1));
        const voters = shuffled.slice(0, nVoters);
        const learners = shuffled.slice(nVoters).filter(() => rnd() < 0.5);
        if (cluster.server(leader).proposeMembership({ voters, learners }).kind === "ok") changes++;
      }
      sim.schedule(every, change, "membership-change");
    };
    sim.schedule(every, change, "membership-change");
  }
  const livenessMs = 3000;
  const workload = startWorkload(cluster, { untilMs: options.durationMs + livenessMs });
  sim.runFor(options.durationMs);
  // Faults have stopped (the schedule's recovery tail healed, resumed and restarted everything).
  const t0 = sim.nowMs;
  const completedBefore = workload.completed;
  const elected = sim.runUntil(() => cluster.leader() !== undefined, { timeoutMs: livenessMs });
  if (!elected) throw new Error(`liveness: no leader within ${livenessMs} ms after the faults stopped`);
  const leaderAfterMs = sim.nowMs - t0;
  const progressed = sim.runUntil(() => workload.completed > completedBefore + 2, { timeoutMs: livenessMs });
  if (!progressed)
    throw new Error(
      `liveness: no client operation completed within ${livenessMs} ms after the faults stopped`,
    );
  sim.runFor(500);
  cluster.checker?.checkLogMatching();
  const history = workload.recorder.history();
  if (options.linearizability !== false) {
    const result = checkLinearizable(history, kvModel(), { maxSteps: 2_000_000 });
    if (result.verdict === "not-linearizable") {
      throw new Error(`history of ${history.length} operations is not linearizable`);
    }
  }
  return {
    membershipChanges: changes,
    committed: cluster.checker?.maxCommitted ?? 0,
    completed: workload.completed,
    operations: history.length,
    leaderAfterMs,
  };
}
