/**
 * The `broadcast` workload (Gossip Glomers 3a-3e): `{ type: "broadcast", message }` (a unique
 * integer) is answered with `broadcast_ok`; `{ type: "read" }` with `{ type: "read_ok", messages }`
 * (every message the node has seen). After the cluster healed, every node is read.
 *
 * @module
 */
import { percentiles } from "../stats.js";
import { type Workload, type WorkloadRun, ProblemList } from "../workload.js";

/**
 * Options of {@link broadcast}.
 *
 * @example
 * ```ts
 * const o: BroadcastOptions = { readRatio: 0.3 };
 * ```
 */
export interface BroadcastOptions {
  /** Fraction of main-phase operations that are reads (default 0.5). */
  readonly readRatio?: number;
}

/**
 * The broadcast workload. Rules: every acknowledged broadcast is in the final read of every node
 * (after heal and settling); no read returns a message that was never broadcast. Metrics: lost
 * messages, and the *stable latency* of each acknowledged message (from its broadcast to the first
 * read after which no read missed it), p50 / p99 / max, as Gossip Glomers 3d/3e report it, and
 * node messages per broadcast.
 *
 * @example
 * ```ts
 * const result = runWorkload({ workload: broadcast(), nodes: myGossip, nodeCount: 5, nemesis: ["partition"], seeds: 50 });
 * console.log(result.metrics.stableLatencyP50Ms, result.stats.messagesPerOperation);
 * ```
 */
export function broadcast(options: BroadcastOptions = {}): Workload {
  const readRatio = options.readRatio ?? 0.5;
  return {
    name: "broadcast",
    start(): WorkloadRun {
      let next = 0;
      return {
        next: (c) =>
          c.random.next() < readRatio
            ? { f: "read", input: null, request: { type: "read" } }
            : (() => {
                const message = next++;
                return { f: "broadcast", input: message, request: { type: "broadcast", message } };
              })(),
        final: (nodeIds) =>
          nodeIds.map((node) => ({ f: "read", input: null, request: { type: "read" }, node })),
        decode(op, reply) {
          if (op.f === "broadcast") return { ok: true, output: null };
          const m = reply.messages;
          if (!Array.isArray(m) || !m.every((x) => typeof x === "number"))
            return { ok: false, reason: "read_ok needs messages: an array of numbers" };
          return { ok: true, output: m };
        },
        check(ops, context) {
          const problems = new ProblemList();
          const attempted = new Set<number>();
          const acked = new Map<number, number>(); // message -> broadcast callMs
          for (const op of ops) {
            if (op.f !== "broadcast") continue;
            attempted.add(op.input as number);
            if (op.status === "ok") acked.set(op.input as number, op.callMs);
          }
          const reads = ops
            .filter((o) => o.f === "read" && o.status === "ok")
            .map((o) => ({ op: o, set: new Set(o.output as number[]) }))
            .sort((a, b) => a.op.callMs - b.op.callMs);
          let invented = 0;
          for (const r of reads) {
            for (const m of r.set) {
              if (!attempted.has(m)) {
                invented++;
                problems.add(`read op ${r.op.id} on ${r.op.node} returned ${m}, which was never broadcast`);
              }
            }
          }
          const finals = new Map<string, Set<number>>();
          for (const r of reads) if (r.op.phase === "final") finals.set(r.op.node, r.set);
          let lost = 0;
          for (const node of context.nodeIds) {
            const seen = finals.get(node);
            if (seen === undefined) {
              problems.add(`${node} answered no final read after the cluster healed`);
              continue;
            }
            const missing = [...acked.keys()].filter((m) => !seen.has(m)).sort((a, b) => a - b);
            lost += missing.length;
            if (missing.length > 0)
              problems.add(
                `${node} lacks ${missing.length} acknowledged message(s) after heal: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""}`,
              );
          }
          const latencies: number[] = [];
          for (const [m, sentMs] of acked) {
            let lastMiss = -1;
            for (let i = 0; i < reads.length; i++) {
              const r = reads[i] as (typeof reads)[number];
              if (r.op.callMs >= sentMs && !r.set.has(m)) lastMiss = i;
            }
            let stable: number | undefined;
            for (let i = lastMiss + 1; i < reads.length; i++) {
              const r = reads[i] as (typeof reads)[number];
              if (r.op.callMs >= sentMs && r.set.has(m)) {
                stable = r.op.callMs;
                break;
              }
            }
            if (stable !== undefined) latencies.push(stable - sentMs);
          }
          const lat = percentiles(latencies);
          const broadcasts = ops.filter((o) => o.f === "broadcast").length;
          return {
            valid: problems.count === 0,
            problems: problems.result(),
            metrics: {
              acknowledgedMessages: acked.size,
              lostMessages: lost,
              inventedMessages: invented,
              stableLatencyP50Ms: lat.p50,
              stableLatencyP99Ms: lat.p99,
              stableLatencyMaxMs: lat.max,
              messagesPerBroadcast:
                broadcasts === 0 ? 0 : Math.round((context.nodeMessages / broadcasts) * 100) / 100,
            },
          };
        },
      };
    },
  };
}
