/**
 * Run statistics: operation counts, availability, latency percentiles and messages per operation,
 * per seed and merged over seeds (mergeable across worker threads and result files).
 *
 * @module
 */
import type { WorkbenchOperation } from "./workload.js";

/**
 * Latency percentiles in ms (of `ok` operations).
 *
 * @example
 * ```ts
 * console.log(`p99 ${stats.latencyMs.p99} ms`);
 * ```
 */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Statistics of a run or of a sweep.
 *
 * @example
 * ```ts
 * const { operations, availability, latencyMs, messagesPerOperation } = result.stats;
 * ```
 */
export interface RunStats {
  /** Client operations of the main phase, by status. */
  readonly operations: {
    readonly total: number;
    readonly ok: number;
    readonly fail: number;
    readonly info: number;
  };
  /** ok / total over main-phase operations (1 when there were none). */
  readonly availability: number;
  /** Latency of ok main-phase operations. */
  readonly latencyMs: LatencySummary;
  /** Messages between cluster nodes per client operation (main and final phases). */
  readonly messagesPerOperation: number;
  /** Messages between cluster nodes. */
  readonly nodeMessages: number;
  /** Replies that arrived after the client gave up. */
  readonly lateReplies: number;
}

/**
 * A mergeable histogram of latencies: buckets of about 2% relative width (log scale), exact max.
 *
 * @example
 * ```ts
 * const h = new LatencyBuckets();
 * h.record(3.2);
 * console.log(h.percentile(50));
 * ```
 */
export class LatencyBuckets {
  /** Bucket index -> count. */
  readonly counts = new Map<number, number>();
  count = 0;
  maxMs = 0;

  /** Records one latency (ms, >= 0). */
  record(ms: number): void {
    const v = Math.max(0, ms);
    const b = v < 0.01 ? -1 : Math.floor(Math.log(v / 0.01) / Math.log(1.02));
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
    this.count++;
    if (v > this.maxMs) this.maxMs = v;
  }

  /** Adds another histogram's counts. */
  merge(other: LatencyBuckets): void {
    for (const [b, c] of other.counts) this.counts.set(b, (this.counts.get(b) ?? 0) + c);
    this.count += other.count;
    this.maxMs = Math.max(this.maxMs, other.maxMs);
  }

  /** The p-th percentile (0..100), the upper edge of its bucket capped at the max; 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    const keys = [...this.counts.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const k of keys) {
      seen += this.counts.get(k) ?? 0;
      if (seen >= rank) return Math.min(this.maxMs, k < 0 ? 0.01 : 0.01 * 1.02 ** (k + 1));
    }
    return this.maxMs;
  }

  /** The summary. */
  summary(): LatencySummary {
    return {
      count: this.count,
      p50: round(this.percentile(50)),
      p95: round(this.percentile(95)),
      p99: round(this.percentile(99)),
      max: round(this.maxMs),
    };
  }

  /** Plain data (for result files). */
  toJSON(): { readonly count: number; readonly maxMs: number; readonly buckets: [number, number][] } {
    return {
      count: this.count,
      maxMs: this.maxMs,
      buckets: [...this.counts.entries()].sort((a, b) => a[0] - b[0]),
    };
  }

  /** Rebuilds a histogram from {@link LatencyBuckets.toJSON}. */
  static fromJSON(data: {
    readonly count: number;
    readonly maxMs: number;
    readonly buckets: readonly (readonly [number, number])[];
  }): LatencyBuckets {
    const h = new LatencyBuckets();
    for (const [b, c] of data.buckets) h.counts.set(b, c);
    h.count = data.count;
    h.maxMs = data.maxMs;
    return h;
  }
}

/** @internal Rounds to 3 significant decimals for display. */
export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** @internal Mergeable accumulator of run statistics. */
export class StatsAccumulator {
  total = 0;
  ok = 0;
  fail = 0;
  info = 0;
  allOps = 0;
  nodeMessages = 0;
  lateReplies = 0;
  readonly latency = new LatencyBuckets();

  addRun(ops: readonly WorkbenchOperation[], nodeMessages: number, lateReplies: number): void {
    for (const op of ops) {
      this.allOps++;
      if (op.phase !== "main") continue;
      this.total++;
      this[op.status]++;
      if (op.status === "ok") this.latency.record(op.returnMs - op.callMs);
    }
    this.nodeMessages += nodeMessages;
    this.lateReplies += lateReplies;
  }

  merge(o: StatsAccumulator): void {
    this.total += o.total;
    this.ok += o.ok;
    this.fail += o.fail;
    this.info += o.info;
    this.allOps += o.allOps;
    this.nodeMessages += o.nodeMessages;
    this.lateReplies += o.lateReplies;
    this.latency.merge(o.latency);
  }

  stats(): RunStats {
    return {
      operations: { total: this.total, ok: this.ok, fail: this.fail, info: this.info },
      availability: this.total === 0 ? 1 : round(this.ok / this.total),
      latencyMs: this.latency.summary(),
      messagesPerOperation: this.allOps === 0 ? 0 : round(this.nodeMessages / this.allOps),
      nodeMessages: this.nodeMessages,
      lateReplies: this.lateReplies,
    };
  }

  toJSON(): StatsJSON {
    return {
      total: this.total,
      ok: this.ok,
      fail: this.fail,
      info: this.info,
      allOps: this.allOps,
      nodeMessages: this.nodeMessages,
      lateReplies: this.lateReplies,
      latency: this.latency.toJSON(),
    };
  }

  static fromJSON(d: StatsJSON): StatsAccumulator {
    const a = new StatsAccumulator();
    a.total = d.total;
    a.ok = d.ok;
    a.fail = d.fail;
    a.info = d.info;
    a.allOps = d.allOps;
    a.nodeMessages = d.nodeMessages;
    a.lateReplies = d.lateReplies;
    a.latency.merge(LatencyBuckets.fromJSON(d.latency));
    return a;
  }
}

/** @internal */
export interface StatsJSON {
  readonly total: number;
  readonly ok: number;
  readonly fail: number;
  readonly info: number;
  readonly allOps: number;
  readonly nodeMessages: number;
  readonly lateReplies: number;
  readonly latency: {
    readonly count: number;
    readonly maxMs: number;
    readonly buckets: readonly (readonly [number, number])[];
  };
}

/**
 * Percentiles of a list of numbers (exact; nearest rank).
 *
 * @example
 * ```ts
 * percentiles([1, 2, 3, 4]); // { count: 4, p50: 2, p95: 4, p99: 4, max: 4 }
 * ```
 */
export function percentiles(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  return {
    count: sorted.length,
    p50: round(at(50)),
    p95: round(at(95)),
    p99: round(at(99)),
    max: round(sorted[sorted.length - 1] as number),
  };
}
