/**
 * Run statistics: per-node and per-link counters and a delivery-latency histogram.
 *
 * @module
 */
import type { NodeId } from "./contract.js";
import { SimNetError } from "./errors.js";
import type { DropReason } from "./trace-event.js";

const SUB_BUCKETS = 8; // linear sub-buckets per power of two: at most 12.5% relative width
const MIN_EXPONENT = -10; // 2^-10 ms, about 1 µs
const MAX_EXPONENT = 30; // 2^30 ms, about 12 days
const BUCKETS = (MAX_EXPONENT - MIN_EXPONENT) * SUB_BUCKETS + 2;

// Bucket indexes come from the float's exponent and top mantissa bits (no Math.log2 on the hot path).
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: high word at 1

function bucketOf(ms: number): number {
  if (!(ms > 0)) return 0;
  f64[0] = ms;
  const hi = u32[HI] as number;
  const exponent = ((hi >>> 20) & 0x7ff) - 1023;
  const index = (exponent - MIN_EXPONENT) * SUB_BUCKETS + ((hi >>> 17) & 7) + 1;
  return index < 1 ? 1 : index >= BUCKETS ? BUCKETS - 1 : index;
}

/** Lower bound (ms) of bucket `i` (i >= 1). */
function bucketLow(i: number): number {
  const k = i - 1;
  return 2 ** (Math.floor(k / SUB_BUCKETS) + MIN_EXPONENT) * (1 + (k % SUB_BUCKETS) / SUB_BUCKETS);
}

/**
 * A log-linear histogram of latencies in ms (8 linear sub-buckets per power of two, so at most 12.5%
 * relative bucket width, from 1 µs to 12 days), with exact count, min, max and mean.
 *
 * @example
 * ```ts
 * const h = new LatencyHistogram();
 * h.record(1.5);
 * h.record(30);
 * h.percentile(50); // about 1.5
 * ```
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private n = 0;
  private sum = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  /** Adds one sample (ms, >= 0). */
  record(ms: number): void {
    const index = bucketOf(ms);
    this.counts[index] = (this.counts[index] as number) + 1;
    this.n++;
    this.sum += ms;
    if (ms < this.lo) this.lo = ms;
    if (ms > this.hi) this.hi = ms;
  }

  /** Number of samples. */
  get count(): number {
    return this.n;
  }
  /** Smallest sample, or `NaN` when empty. */
  get minMs(): number {
    return this.n === 0 ? Number.NaN : this.lo;
  }
  /** Largest sample, or `NaN` when empty. */
  get maxMs(): number {
    return this.n === 0 ? Number.NaN : this.hi;
  }
  /** Mean of the samples, or `NaN` when empty. */
  get meanMs(): number {
    return this.n === 0 ? Number.NaN : this.sum / this.n;
  }

  /**
   * The `p`-th percentile (0..100): the midpoint of the bucket holding that rank, so accurate to
   * about 6%, clamped to the observed min and max; `NaN` when empty.
   */
  percentile(p: number): number {
    if (typeof p !== "number" || !(p >= 0 && p <= 100)) {
      throw new SimNetError("invalid-argument", `percentile must be a number in [0, 100], got ${String(p)}`);
    }
    if (this.n === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) {
        const estimate = i === 0 ? 0 : (bucketLow(i) + bucketLow(i + 1)) / 2;
        return Math.min(this.hi, Math.max(this.lo, estimate));
      }
    }
    return this.hi;
  }

  /** Non-empty buckets as `{ fromMs, toMs, count }` (samples in [fromMs, toMs)), in ascending order. */
  buckets(): { readonly fromMs: number; readonly toMs: number; readonly count: number }[] {
    const out: { fromMs: number; toMs: number; count: number }[] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const c = this.counts[i] as number;
      if (c > 0)
        out.push({ fromMs: i === 0 ? 0 : bucketLow(i), toMs: i === 0 ? 0 : bucketLow(i + 1), count: c });
    }
    return out;
  }
}

/**
 * Counters of one node.
 *
 * @example
 * ```ts
 * const { sent, received } = sim.stats.nodes["n1"]!;
 * ```
 */
export interface NodeStats {
  /** Messages this node sent. */
  readonly sent: number;
  /** Messages delivered to this node (duplicates included). */
  readonly received: number;
  /** Messages to this node that were dropped. */
  readonly dropped: number;
  /** Timers of this node that fired. */
  readonly timersFired: number;
  /** Times this node crashed. */
  readonly crashes: number;
}

/**
 * Counters of one directed link (only links that carried traffic or had a config are listed).
 *
 * @example
 * ```ts
 * const busiest = [...sim.stats.links].sort((a, b) => b.sent - a.sent)[0];
 * ```
 */
export interface LinkStats {
  /** Sending node. */
  readonly from: NodeId;
  /** Receiving node. */
  readonly to: NodeId;
  /** Messages sent on this link. */
  readonly sent: number;
  /** Copies delivered (duplicates included). */
  readonly delivered: number;
  /** Messages dropped. */
  readonly dropped: number;
  /** Extra copies created by the duplication fault. */
  readonly duplicated: number;
}

/**
 * A snapshot of a simulation's statistics (see `sim.stats`).
 *
 * @example
 * ```ts
 * const s = sim.stats;
 * console.log(s.messagesDelivered, s.latency.percentile(99));
 * ```
 */
export interface SimStats {
  /** Events taken off the queue so far. */
  readonly eventsProcessed: number;
  /** Messages sent. */
  readonly messagesSent: number;
  /** Message copies delivered. */
  readonly messagesDelivered: number;
  /** Messages dropped, all reasons. */
  readonly messagesDropped: number;
  /** Drops per reason. */
  readonly dropsByReason: Readonly<Record<DropReason, number>>;
  /** Extra copies created by duplication. */
  readonly messagesDuplicated: number;
  /** Timers fired. */
  readonly timersFired: number;
  /** Per-node counters by node id. */
  readonly nodes: Readonly<Record<NodeId, NodeStats>>;
  /** Per-link counters. */
  readonly links: readonly LinkStats[];
  /** Delivery latency (delivery time minus send time, true ms) of every delivered copy. */
  readonly latency: LatencyHistogram;
}
