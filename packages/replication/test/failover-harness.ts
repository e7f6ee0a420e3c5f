/**
 * A Jepsen-style harness for automatic single-leader failover: replicas with a lease store (one lease
 * server or a 3-node raft cluster), several clients writing unique values and reading at the leader,
 * an explicit or randomized fault schedule, then heal and settle. It returns what the checks need:
 * the acknowledged writes missing from the final leader's log, the linearizability verdict of the
 * leader reads and writes (per key, kv model), and the reports the replicas made.
 */
import { checkLinearizable, kvModel } from "@distkit/check";
import { RaftNode } from "@distkit/raft";
import { type FaultSchedule, Simulation } from "@distkit/sim-net";
import {
  type ClientOperation,
  type CommitMode,
  LeaseServerNode,
  leaseServerStore,
  type LostWritesReport,
  type PromotionReport,
  type ReplicaConfig,
  ReplicaNode,
  ReplicationClient,
  raftLeaseStore,
  type WalRecord,
} from "../src/index.js";
import { toHistory } from "./helpers.js";

export type StoreKind = "server" | "raft";
export const ETCD = ["e1", "e2", "e3"] as const;
export const KEYS = ["a", "b", "c"] as const;

export interface FailoverRun {
  readonly sim: Simulation;
  readonly replicas: readonly string[];
  readonly storeNodes: readonly string[];
  readonly clients: readonly string[];
  replica(id: string): ReplicaNode;
  client(id: string): ReplicationClient;
}

export interface FailoverOutcome {
  /** writeIds a client saw acknowledged that the final leader's log lacks. */
  readonly lostAcknowledged: readonly string[];
  /** The final leader (undefined when none was writable after settling). */
  readonly finalLeader: string | undefined;
  readonly linearizable: boolean | "unknown";
  readonly promotions: readonly PromotionReport[];
  readonly lostReports: readonly LostWritesReport[];
  readonly acknowledgedCount: number;
  readonly maxWritable: number;
  readonly operations: readonly ClientOperation[];
  readonly finalLog: readonly WalRecord[];
}

export function commitName(mode: CommitMode): string {
  switch (mode.kind) {
    case "async":
    case "sync":
      return mode.kind;
    case "first":
      return `FIRST ${mode.k}`;
    case "any":
      return `ANY ${mode.k}`;
  }
}

/** The commit mode of `kind` over `n` replicas with initial leader n1 (standbys n2, n3, ...). */
export function commitMode(kind: "async" | "sync" | "first" | "any", n: number, k: number): CommitMode {
  const followers = Array.from({ length: n - 1 }, (_, i) => `n${i + 2}`);
  if (kind === "first") return { kind, k, priority: followers };
  if (kind === "any") return { kind, k };
  return { kind };
}

export function buildRun(options: {
  readonly seed: number;
  readonly n: number;
  readonly commit: CommitMode;
  readonly store: StoreKind;
  readonly driftsPpm?: readonly number[];
}): FailoverRun {
  const replicas = Array.from({ length: options.n }, (_, i) => `n${i + 1}`);
  const storeNodes = options.store === "server" ? ["lease"] : [...ETCD];
  const clients = ["c1", "c2", "c3"];
  const sim = new Simulation({
    seed: options.seed,
    network: { latency: { kind: "uniform", minMs: 0.5, maxMs: 3 } },
    trace: "off",
  });
  const config: ReplicaConfig = {
    replicas,
    initialLeader: "n1",
    commit: options.commit,
    heartbeatIntervalMs: 20,
    failover: {
      leaseStore: options.store === "server" ? leaseServerStore("lease") : raftLeaseStore(ETCD),
      leaseTtlMs: 400,
      failureTimeoutMs: 200,
      candidateWaitMs: 30,
    },
  };
  if (options.store === "server") sim.addNode("lease", (ctx) => new LeaseServerNode(ctx));
  else {
    for (const id of ETCD) {
      sim.addNode(id, (ctx) => new RaftNode(ctx, { voters: [...ETCD] }));
    }
  }
  for (const id of replicas) sim.addNode(id, (ctx) => new ReplicaNode(ctx, config));
  for (const id of clients) {
    sim.addNode(id, (ctx) => new ReplicationClient(ctx, { leader: "n1", requestTimeoutMs: 150 }));
  }
  (options.driftsPpm ?? []).forEach((driftPpm, i) => {
    const id = replicas[i];
    if (id !== undefined) sim.setClock(id, { driftPpm });
  });
  return {
    sim,
    replicas,
    storeNodes,
    clients,
    replica: (id) => sim.node<ReplicaNode>(id).instance,
    client: (id) => sim.node<ReplicationClient>(id).instance,
  };
}

/**
 * Starts the workload: every client runs operations one after another until `untilMs` (simulated):
 * a write of a unique value or a leader-only read, on a random key. A client that hears "not-leader"
 * follows the hint, and tries the next replica otherwise.
 */
export function startWorkload(run: FailoverRun, untilMs: number): void {
  const { sim, replicas } = run;
  run.clients.forEach((cid, ci) => {
    const client = run.client(cid);
    let i = 0;
    let rotate = ci;
    const retarget = (leader: string | undefined): void => {
      if (leader !== undefined && replicas.includes(leader)) client.setLeader(leader);
      else client.setLeader(replicas[rotate++ % replicas.length]!);
    };
    const step = (): void => {
      if (sim.nowMs >= untilMs) return;
      const n = i++;
      const key = KEYS[(n * 7 + ci * 3 + (n >> 2)) % KEYS.length]!;
      const next = (): void => sim.schedule(3 + ((n * 13 + ci) % 7), step);
      if (n % 3 === 2) {
        client.read(key, { leaderOnly: true, waitTimeoutMs: 50 }, (r) => {
          if (r.outcome === "not-leader") retarget(r.leader);
          else if (r.outcome !== "ok") retarget(undefined);
          next();
        });
      } else {
        client.write(key, `${cid}-${n}`, {}, (r) => {
          if (r.outcome === "not-leader") retarget(r.leader);
          else if (r.outcome !== "ok") retarget(undefined);
          next();
        });
      }
    };
    sim.schedule(5 + ci, step);
  });
}

export function writableLeaders(run: FailoverRun): string[] {
  return run.replicas.filter((id) => {
    const ref = run.sim.node<ReplicaNode>(id);
    return ref.status === "up" && ref.instance.status().writable;
  });
}

/** Heals everything, restarts crashed nodes, lets the cluster settle, and gathers the outcome. */
export function finish(
  run: FailoverRun,
  maxWritableSeen: () => number,
  checkHistory = true,
): FailoverOutcome {
  const { sim, replicas } = run;
  sim.heal();
  for (const id of [...replicas, ...run.storeNodes]) {
    sim.resume(id);
    sim.restart(id);
  }
  sim.runUntil(() => writableLeaders(run).length === 1, { timeoutMs: 6000 });
  // Let the new leader catch everyone up and clients finish.
  sim.runFor(600);
  const leaders = writableLeaders(run);
  const finalLeader = leaders.length === 1 ? leaders[0] : undefined;
  const ops = run.clients.flatMap((c) => run.client(c).operations);
  const acknowledged = ops.filter((o) => o.f === "write" && o.status === "ok").map((o) => o.writeId);
  const have = new Set(
    finalLeader === undefined
      ? []
      : run
          .replica(finalLeader)
          .records()
          .map((r) => r.writeId),
  );
  const lostAcknowledged = finalLeader === undefined ? [] : acknowledged.filter((w) => !have.has(w));
  const verdict = checkHistory
    ? checkLinearizable(toHistory(ops), kvModel({ initial: null }), { maxSteps: 2_000_000 }).verdict
    : "unknown";
  return {
    lostAcknowledged,
    finalLeader,
    linearizable: verdict === "linearizable" ? true : verdict === "unknown" ? "unknown" : false,
    promotions: replicas.flatMap((id) => run.replica(id).promotions),
    lostReports: replicas.flatMap((id) => run.replica(id).lostWrites),
    acknowledgedCount: acknowledged.length,
    maxWritable: maxWritableSeen(),
    operations: ops,
    finalLog: finalLeader === undefined ? [] : run.replica(finalLeader).records(),
  };
}

/** Tracks the largest number of replicas writable at the same instant. */
export function trackWritable(run: FailoverRun): () => number {
  let max = 0;
  run.sim.onEvent(() => {
    max = Math.max(max, writableLeaders(run).length);
  });
  return () => max;
}

export type FaultShape = "lagging-takeover" | "deposed-returns" | "random";

/**
 * Defect 1: partition {leader, the standbys of its commit quorum, c1, c2} | {the other replicas,
 * the lease store, c3}, held long enough for the lease to change hands, then heal.
 */
export function laggingTakeover(run: FailoverRun, sideSize: number, atMs: number, holdMs: number): void {
  const { sim, replicas } = run;
  sim.schedule(atMs, () => {
    const leader = writableLeaders(run)[0] ?? "n1";
    const others = replicas.filter((r) => r !== leader);
    const withLeader = [leader, ...others.slice(0, sideSize - 1)];
    const rest = replicas.filter((r) => !withLeader.includes(r));
    sim.partition([...withLeader, "c1", "c2"], [...rest, ...run.storeNodes, "c3"]);
  });
  sim.schedule(atMs + holdMs, () => sim.heal());
}

/**
 * Defect 2: the leader crashes; another replica takes over and commits; the old leader restarts cut
 * off from every other replica but able to reach the lease store (and one client), then heal.
 */
export function deposedReturns(run: FailoverRun, crashAtMs: number, awayMs: number, cutMs: number): void {
  const { sim, replicas } = run;
  let old = "n1";
  sim.schedule(crashAtMs, () => {
    old = writableLeaders(run)[0] ?? "n1";
    sim.crash(old);
  });
  sim.schedule(crashAtMs + awayMs, () => {
    const others = replicas.filter((r) => r !== old);
    sim.partition([old, ...run.storeNodes, "c1"], [...others, "c2", "c3"]);
    sim.restart(old);
  });
  sim.schedule(crashAtMs + awayMs + cutMs, () => sim.heal());
}

/** A random schedule, with the recovery tail dropped (finish() heals and restarts). */
export function applyRandom(run: FailoverRun, schedule: FaultSchedule): void {
  run.sim.applySchedule(schedule);
}
