/**
 * The simulator's priority queue: a binary min-heap ordered by (time, sequence number), with the keys
 * in typed arrays and the items in a side array.
 *
 * @module
 */
import { SimNetError, invariant } from "./errors.js";

/**
 * A binary min-heap of items keyed by (timeMs, seq). Equal times pop in seq order, which makes the
 * simulation deterministic. Keys live in `Float64Array`s, items in a parallel array.
 *
 * @example
 * ```ts
 * const queue = new EventQueue<string>();
 * queue.push(5, 0, "later");
 * queue.push(1, 1, "sooner");
 * queue.pop(); // "sooner"
 * ```
 */
export class EventQueue<T> {
  private times: Float64Array;
  private seqs: Float64Array;
  private items: (T | undefined)[];
  private count = 0;
  private readonly maxSize: number;

  /**
   * @param initialCapacity - starting capacity (grows by doubling)
   * @param maxSize - bound on the number of queued items; pushing beyond throws `queue-overflow`
   */
  constructor(initialCapacity = 1024, maxSize = 50_000_000) {
    const capacity = Math.max(16, initialCapacity | 0);
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.items = new Array<T | undefined>(capacity);
    this.maxSize = maxSize;
  }

  /** Number of queued items. */
  get size(): number {
    return this.count;
  }

  /** Time of the earliest item, or `Infinity` when empty. */
  peekTime(): number {
    return this.count > 0 ? (this.times[0] as number) : Number.POSITIVE_INFINITY;
  }

  /** The earliest item without removing it, or `undefined`. */
  peek(): T | undefined {
    return this.count > 0 ? this.items[0] : undefined;
  }

  /** Adds `item` keyed by (`timeMs`, `seq`). */
  push(timeMs: number, seq: number, item: T): void {
    let i = this.count;
    if (i === this.times.length) this.grow();
    this.count = i + 1;
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt < timeMs || (pt === timeMs && (seqs[parent] as number) < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent] as number;
      items[i] = items[parent];
      i = parent;
    }
    times[i] = timeMs;
    seqs[i] = seq;
    items[i] = item;
  }

  /** Removes and returns the earliest item, or `undefined` when empty. */
  pop(): T | undefined {
    const n = this.count;
    if (n === 0) return undefined;
    const items = this.items;
    const top = items[0];
    const last = n - 1;
    this.count = last;
    if (last > 0) {
      const times = this.times;
      const seqs = this.seqs;
      const t = times[last] as number;
      const s = seqs[last] as number;
      const item = items[last];
      let i = 0;
      const half = last >> 1;
      while (i < half) {
        let child = 2 * i + 1;
        let ct = times[child] as number;
        let cs = seqs[child] as number;
        const right = child + 1;
        if (right < last) {
          const rt = times[right] as number;
          if (rt < ct || (rt === ct && (seqs[right] as number) < cs)) {
            child = right;
            ct = rt;
            cs = seqs[right] as number;
          }
        }
        if (t < ct || (t === ct && s < cs)) break;
        times[i] = ct;
        seqs[i] = cs;
        items[i] = items[child];
        i = child;
      }
      times[i] = t;
      seqs[i] = s;
      items[i] = item;
    }
    items[last] = undefined;
    return top;
  }

  /**
   * Removes every item for which `keep` returns false (e.g. cancelled timers), in O(n), keeping the
   * order of the rest. Returns the number removed.
   */
  compact(keep: (item: T) => boolean): number {
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    const n = this.count;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const item = items[i] as T;
      if (!keep(item)) continue;
      times[kept] = times[i] as number;
      seqs[kept] = seqs[i] as number;
      items[kept] = item;
      kept++;
    }
    items.fill(undefined, kept, n);
    this.count = kept;
    // Floyd's heap construction.
    for (let i = (kept >> 1) - 1; i >= 0; i--) this.siftDown(i);
    return n - kept;
  }

  private siftDown(start: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    const n = this.count;
    const t = times[start] as number;
    const s = seqs[start] as number;
    const item = items[start];
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let ct = times[child] as number;
      let cs = seqs[child] as number;
      const right = child + 1;
      if (right < n) {
        const rt = times[right] as number;
        if (rt < ct || (rt === ct && (seqs[right] as number) < cs)) {
          child = right;
          ct = rt;
          cs = seqs[right] as number;
        }
      }
      if (t < ct || (t === ct && s < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      items[i] = items[child];
      i = child;
    }
    times[i] = t;
    seqs[i] = s;
    items[i] = item;
  }

  /** Removes every item. */
  clear(): void {
    this.items.fill(undefined, 0, this.count);
    this.count = 0;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    if (this.count >= this.maxSize) {
      throw new SimNetError(
        "queue-overflow",
        `event queue overflow: more than ${this.maxSize} pending events; raise maxPendingEvents (a positive integer) or look for a message/timer storm`,
      );
    }
    invariant(capacity > this.times.length, "event queue capacity grows");
    const times = new Float64Array(capacity);
    times.set(this.times);
    const seqs = new Float64Array(capacity);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
    this.items.length = capacity;
  }
}
