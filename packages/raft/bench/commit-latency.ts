/**
 * Benchmark: how soon followers apply committed entries, and how many messages each committed
 * entry costs, in a 3-node cluster under sim-net (virtual time, so the figures are deterministic
 * for a seed and do not depend on machine load).
 *
 * The leader proposes one KV write every `intervalMs` of virtual time. For every entry we record
 * when it was proposed, when the leader saw it committed and when each follower applied it.
 * Links: uniform 1-5 ms latency, FIFO (no reordering) or non-FIFO (reordering).
 */
import { Simulation } from "@distkit/sim-net";
import { type KvCommand, RaftNode } from "../src/index.js";

export interface CommitLatencyResult {
  readonly reordering: boolean;
  readonly workload: string;
  readonly entries: number;
  readonly proposeToFollowerApplyP50Ms: number;
  readonly proposeToFollowerApplyP99Ms: number;
  readonly commitToFollowerApplyP50Ms: number;
  readonly commitToFollowerApplyP99Ms: number;
  readonly messagesPerEntry: number;
  readonly appendsPerEntry: number;
  readonly rejectedAppendsPerEntry: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export function measureCommitLatency(
  reordering: boolean,
  proposals = 2000,
  intervalMs = 2,
  batch = 1,
  oneFlush = false,
  seed = 7,
): CommitLatencyResult {
  const sim = new Simulation({
    seed,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 5 }, fifo: !reordering },
    trace: "off",
  });
  const ids = ["n1", "n2", "n3"];
  for (const id of ids) sim.addNode(id, (ctx) => new RaftNode(ctx, { voters: ids }));
  const leaderOf = () => ids.find((id) => sim.node<RaftNode>(id).instance.core.currentRole === "leader");
  sim.runUntil(
    () => leaderOf() !== undefined && sim.node<RaftNode>(leaderOf()!).instance.core.committedInTerm(),
    {
      timeoutMs: 5000,
    },
  );
  const leaderId = leaderOf()!;
  const leader = sim.node<RaftNode>(leaderId).instance;
  const followers = ids.filter((id) => id !== leaderId).map((id) => sim.node<RaftNode>(id).instance);
  const proposedAt = new Map<number, number>();
  const committedAt = new Map<number, number>();
  const appliedAt: Map<number, number>[] = followers.map(() => new Map());
  const firstIndex = leader.core.lastIndex + 1;
  let lastLeaderCommit = leader.core.commitIndex;
  const lastApplied = followers.map((f) => f.core.appliedIndex);
  let rejects = 0;
  sim.onEvent((event) => {
    if (
      event.kind === "deliver" &&
      event.message.type === "raft.appendResp" &&
      (event.message as { reject?: boolean }).reject === true
    )
      rejects++;
    const now = sim.nowMs;
    const c = leader.core.commitIndex;
    for (let i = lastLeaderCommit + 1; i <= c; i++) committedAt.set(i, now);
    lastLeaderCommit = Math.max(lastLeaderCommit, c);
    followers.forEach((f, k) => {
      const a = f.core.appliedIndex;
      for (let i = lastApplied[k]! + 1; i <= a; i++) appliedAt[k]!.set(i, now);
      lastApplied[k] = Math.max(lastApplied[k]!, a);
    });
  });
  const msgs0 = sim.stats.messagesSent;
  const appends0 = leader.core.metrics.appendsSent;
  let n = 0;
  const propose = () => {
    if (oneFlush) {
      const commands: KvCommand[] = [];
      for (let b = 0; b < batch && n < proposals; b++, n++) {
        commands.push({ clientId: "bench", seq: n + 1, op: { kind: "put", key: `k${n % 16}`, value: "v" } });
      }
      const from = leader.core.lastIndex + 1;
      const accepted = leader.proposeCommands(commands);
      for (let i = 0; i < accepted; i++) proposedAt.set(from + i, sim.nowMs);
    } else {
      for (let b = 0; b < batch && n < proposals; b++, n++) {
        const r = leader.proposeCommand({
          clientId: "bench",
          seq: n + 1,
          op: { kind: "put", key: `k${n % 16}`, value: "v" },
        });
        if (r.kind === "ok") proposedAt.set(r.index, sim.nowMs);
      }
    }
    if (n < proposals) sim.schedule(intervalMs, propose, "propose");
  };
  sim.schedule(0, propose, "propose");
  const lastIndex = () => firstIndex + proposals - 1;
  sim.runUntil(() => followers.every((f) => f.core.appliedIndex >= lastIndex()), {
    timeoutMs: proposals * intervalMs + 10_000,
  });
  const messages = sim.stats.messagesSent - msgs0;
  const appends = leader.core.metrics.appendsSent - appends0;
  const p2a: number[] = [];
  const c2a: number[] = [];
  for (const [index, t] of proposedAt) {
    const ct = committedAt.get(index);
    for (const m of appliedAt) {
      const at = m.get(index);
      if (at === undefined || ct === undefined) continue;
      p2a.push(at - t);
      c2a.push(at - ct);
    }
  }
  p2a.sort((a, b) => a - b);
  c2a.sort((a, b) => a - b);
  return {
    reordering,
    workload: oneFlush ? `batch ${batch}/${intervalMs} ms` : `${batch} per ${intervalMs} ms`,
    entries: proposedAt.size,
    proposeToFollowerApplyP50Ms: quantile(p2a, 0.5),
    proposeToFollowerApplyP99Ms: quantile(p2a, 0.99),
    commitToFollowerApplyP50Ms: quantile(c2a, 0.5),
    commitToFollowerApplyP99Ms: quantile(c2a, 0.99),
    messagesPerEntry: messages / proposedAt.size,
    appendsPerEntry: appends / proposedAt.size,
    rejectedAppendsPerEntry: rejects / proposedAt.size,
  };
}

/** The workloads the bench runs, with and without reordering. */
export function commitLatencyWorkloads(): CommitLatencyResult[] {
  const out: CommitLatencyResult[] = [];
  for (const [proposals, interval, batch, oneFlush] of [
    [1000, 20, 1, false],
    [2000, 100, 20, true],
    [2000, 100, 20, false],
    [2000, 2, 1, false],
  ] as const) {
    for (const reorder of [false, true])
      out.push(measureCommitLatency(reorder, proposals, interval, batch, oneFlush));
  }
  return out;
}

export function printCommitLatency(results: readonly CommitLatencyResult[]): void {
  console.log(
    "workload           | links              | entries | propose->follower apply p50 / p99 ms | leader commit->follower apply p50 / p99 ms | msgs/entry | appends/entry | rejected appends/entry",
  );
  for (const r of results) {
    console.log(
      `${r.workload.padEnd(18)} | ${(r.reordering ? "non-FIFO (reorder)" : "FIFO").padEnd(18)} | ${String(r.entries).padStart(7)} | ${r.proposeToFollowerApplyP50Ms.toFixed(1).padStart(17)} / ${r.proposeToFollowerApplyP99Ms.toFixed(1).padStart(6)}        | ${r.commitToFollowerApplyP50Ms.toFixed(1).padStart(21)} / ${r.commitToFollowerApplyP99Ms.toFixed(1).padStart(6)}            | ${r.messagesPerEntry.toFixed(2).padStart(10)} | ${r.appendsPerEntry.toFixed(2).padStart(13)} | ${r.rejectedAppendsPerEntry.toFixed(2).padStart(10)}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printCommitLatency(commitLatencyWorkloads());
}
