import { ByteReader, ByteWriter, readTable, Tag, writeTable } from "./encoding.js";
import type { Dot } from "./dot.js";
import { checkCounter, checkId } from "./errors.js";
import type { Ordering } from "./ordering.js";
import * as core from "./vector-core.js";

/**
 * A version vector (Parker et al. 1983): one counter per **replica**, counting the *updates to one
 * replicated datum* that replica has accepted. A replica increments its own entry when it coordinates a
 * write; replicas merge vectors when they exchange state. Comparing the vectors of two versions says
 * whether one supersedes the other (`before`/`after`), they are the same (`equal`), or they are
 * conflicting siblings (`concurrent`).
 *
 * Contrast with {@link VectorClock}, which counts every *event* of every *process* (including sends and
 * receives) to capture happened-before between events. Version vectors are bounded by the number of
 * replicas, not of clients or messages. The distinct types keep the two from being mixed up.
 *
 * A version vector also serves as a causal context: {@link VersionVector.includes} tells whether a
 * {@link Dot} (one update) is already covered by it.
 *
 * @example
 * ```ts
 * import { VersionVector } from "@distkit/clocks";
 * const base = VersionVector.from({ r1: 1 });
 * const onR1 = base.increment("r1");   // write accepted by r1
 * const onR2 = base.increment("r2");   // concurrent write accepted by r2
 * console.log(onR1.compare(onR2));     // "concurrent": keep both as siblings
 * console.log(onR1.merge(onR2).toJSON()); // { r1: 2, r2: 1 }
 * ```
 */
export class VersionVector {
  private static readonly EMPTY = new VersionVector({ ids: core.EMPTY_IDS, counters: core.EMPTY_COUNTERS });

  private constructor(private readonly rep: core.Vec) {}

  private static of(v: core.Vec): VersionVector {
    return new VersionVector(v);
  }

  /**
   * The vector with every counter at 0 (no updates).
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.empty().size; // 0
   * ```
   */
  static empty(): VersionVector {
    return VersionVector.EMPTY;
  }

  /**
   * Builds a vector from `{ id: counter }` or `[id, counter]` pairs. Counters must be non-negative safe
   * integers (zeros are dropped); ids must be unique strings. Throws {@link ClocksError}
   * (`invalid-argument`) otherwise.
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * const c = VersionVector.from({ a: 2, b: 1 });
   * c.get("a"); // 2
   * ```
   */
  static from(entries: Record<string, number> | Iterable<readonly [string, number]>): VersionVector {
    return VersionVector.of(core.fromEntries(entries, "VersionVector.from"));
  }

  /**
   * Same as {@link VersionVector.from} for the output of {@link VersionVector.toJSON}.
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * const c = VersionVector.fromJSON(JSON.parse('{"a":1}'));
   * ```
   */
  static fromJSON(json: Record<string, number>): VersionVector {
    return VersionVector.of(core.fromEntries(json, "VersionVector.fromJSON"));
  }

  /**
   * Decodes bytes produced by {@link VersionVector.encode}. Throws {@link DecodeError} on truncated or
   * corrupted input (bad tag, unsorted ids, zero counter, trailing bytes, ...).
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * const c = VersionVector.decode(VersionVector.from({ a: 1 }).encode());
   * ```
   */
  static decode(bytes: Uint8Array): VersionVector {
    const r = new ByteReader(bytes, "VersionVector.decode");
    r.header(Tag.versionVector);
    const t = readTable(r, true);
    r.end();
    return new VersionVector(t);
  }

  /**
   * The least upper bound of many vectors (the empty vector for none).
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.mergeAll([VersionVector.from({ a: 1 }), VersionVector.from({ b: 2 })]).toJSON(); // { a: 1, b: 2 }
   * ```
   */
  static mergeAll(clocks: Iterable<VersionVector>): VersionVector {
    let acc = VersionVector.EMPTY;
    for (const c of clocks) acc = acc.merge(c);
    return acc;
  }

  /**
   * Number of replicas with a non-zero counter.
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.from({ a: 1, b: 0 }).size; // 1
   * ```
   */
  get size(): number {
    return this.rep.ids.length;
  }

  /**
   * The counter of replica `id` (0 when absent).
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.from({ a: 3 }).get("b"); // 0
   * ```
   */
  get(id: string): number {
    return core.get(this.rep, id);
  }

  /**
   * Records one update accepted by replica `id`: returns a vector whose `id` entry is one higher.
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.empty().increment("a").increment("a").get("a"); // 2
   * ```
   */
  increment(id: string): VersionVector {
    checkId(id, "VersionVector.increment: id");
    return VersionVector.of(core.increment(this.rep, id));
  }

  /**
   * The least upper bound (entrywise maximum). Commutative, associative, idempotent.
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.from({ a: 2 }).merge(VersionVector.from({ a: 1, b: 1 })).toJSON(); // { a: 2, b: 1 }
   * ```
   */
  merge(other: VersionVector): VersionVector {
    const m = core.merge(this.rep, other.rep);
    return m === this.rep ? this : m === other.rep ? other : VersionVector.of(m);
  }

  /**
   * The dot the next write coordinated by `replica` would get: `{ replica, counter: get(replica) + 1 }`.
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.from({ r1: 4 }).nextDot("r1"); // { replica: "r1", counter: 5 }
   * ```
   */
  nextDot(replica: string): Dot {
    checkId(replica, "VersionVector.nextDot: replica");
    return { replica, counter: core.get(this.rep, replica) + 1 };
  }

  /**
   * True when the update named by `d` is covered: `d.counter <= get(d.replica)`.
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.from({ r1: 2 }).includes({ replica: "r1", counter: 3 }); // false
   * ```
   */
  includes(d: Dot): boolean {
    return d.counter <= core.get(this.rep, d.replica);
  }

  /**
   * Raises the entry of `d.replica` to at least `d.counter` (the vector then includes `d` and, since a
   * version vector summarises a contiguous prefix, every earlier dot of that replica).
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.empty().withDot({ replica: "r1", counter: 3 }).get("r1"); // 3
   * ```
   */
  withDot(d: Dot): VersionVector {
    checkId(d.replica, "VersionVector.withDot: replica");
    checkCounter(d.counter, "VersionVector.withDot: counter");
    if (d.counter <= core.get(this.rep, d.replica)) return this;
    return VersionVector.of(core.set(this.rep, d.replica, d.counter));
  }

  /**
   * Causal comparison: `before` (`other` supersedes this version), `after`, `equal` or `concurrent`.
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.from({ a: 1 }).compare(VersionVector.from({ a: 2 })); // "before"
   * ```
   */
  compare(other: VersionVector): Ordering {
    return core.compare(this.rep, other.rep);
  }

  /**
   * True when this vector is entrywise `>=` `other` (it is `after` or `equal`).
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.from({ a: 1 }).descends(VersionVector.from({ a: 1 })); // true
   * ```
   */
  descends(other: VersionVector): boolean {
    return core.descends(this.rep, other.rep);
  }

  /**
   * True when this vector strictly dominates `other` (compare is `after`).
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.from({ a: 2 }).dominates(VersionVector.from({ a: 1 })); // true
   * ```
   */
  dominates(other: VersionVector): boolean {
    return core.compare(this.rep, other.rep) === "after";
  }

  /**
   * True when `other` supersedes this version (compare is `before`).
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.from({ a: 1 }).happenedBefore(VersionVector.from({ a: 1, b: 1 })); // true
   * ```
   */
  happenedBefore(other: VersionVector): boolean {
    return core.compare(this.rep, other.rep) === "before";
  }

  /**
   * True when neither vector dominates the other and they differ.
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.from({ a: 1 }).isConcurrent(VersionVector.from({ b: 1 })); // true
   * ```
   */
  isConcurrent(other: VersionVector): boolean {
    return core.compare(this.rep, other.rep) === "concurrent";
  }

  /**
   * True when both vectors have the same counters.
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.from({ a: 1, b: 0 }).equals(VersionVector.from({ a: 1 })); // true
   * ```
   */
  equals(other: VersionVector): boolean {
    return core.equals(this.rep, other.rep);
  }

  /**
   * The `[id, counter]` entries in ascending id order (non-zero counters only).
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * [...VersionVector.from({ b: 1, a: 2 }).entries()]; // [["a", 2], ["b", 1]]
   * ```
   */
  *entries(): IterableIterator<[string, number]> {
    for (let i = 0; i < this.rep.ids.length; i++) yield [this.rep.ids[i]!, this.rep.counters[i]!];
  }

  /**
   * A JSON-friendly `{ id: counter }` record.
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * JSON.stringify(VersionVector.from({ a: 1 })); // '{"a":1}'
   * ```
   */
  toJSON(): Record<string, number> {
    return core.toRecord(this.rep);
  }

  /**
   * A compact binary form: tag, version, entry count, then (UTF-8 id, varint counter) pairs in id order.
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * VersionVector.from({ a: 1 }).encode().length; // 6
   * ```
   */
  encode(): Uint8Array {
    const w = new ByteWriter(4 + this.rep.ids.length * 8);
    w.header(Tag.versionVector);
    writeTable(w, this.rep.ids, this.rep.counters);
    return w.finish();
  }

  /**
   * A readable form, e.g. `VersionVector{"a":1,"b":2}`.
   *
   * @example
   * ```ts
   * import { VersionVector } from "@distkit/clocks";
   * String(VersionVector.from({ a: 1 })); // 'VersionVector{"a":1}'
   * ```
   */
  toString(): string {
    return `VersionVector${core.show(this.rep)}`;
  }
}
