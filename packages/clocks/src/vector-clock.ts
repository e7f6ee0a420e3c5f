import { ByteReader, ByteWriter, readTable, Tag, writeTable } from "./encoding.js";
import { checkId } from "./errors.js";
import type { Ordering } from "./ordering.js";
import * as core from "./vector-core.js";

/**
 * A vector clock (Fidge 1988, Mattern 1989): one counter per **process**, counting the *events* that
 * process has seen. Every event (local step, send, receive) increments the owner's entry; a receive
 * first merges the sender's clock. Comparing two clocks answers whether one event happened before the
 * other or whether they are concurrent.
 *
 * Contrast with {@link VersionVector}, which counts *updates to a replicated datum* per replica and is
 * only advanced when a replica accepts a write: both look alike but answer different questions
 * (causality of events vs. which versions of a datum supersede which).
 *
 * Values are immutable: every operation returns a new clock (or the same one when nothing changes).
 * Internally the clock is two sorted parallel arrays (ids, counters); ids absent from the clock have
 * counter 0, so zero entries are never stored.
 *
 * @example
 * ```ts
 * import { VectorClock } from "@distkit/clocks";
 * const a1 = VectorClock.empty().increment("a");       // event on a
 * const b1 = VectorClock.empty().increment("b");       // event on b
 * const b2 = b1.receive("b", a1);                      // b receives a message sent at a1
 * console.log(a1.compare(b2), a1.compare(b1));         // "before" "concurrent"
 * ```
 */
export class VectorClock {
  private static readonly EMPTY = new VectorClock({ ids: core.EMPTY_IDS, counters: core.EMPTY_COUNTERS });

  private constructor(private readonly rep: core.Vec) {}

  private static of(v: core.Vec): VectorClock {
    return new VectorClock(v);
  }

  /**
   * The clock with every counter at 0 (no events).
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * VectorClock.empty().size; // 0
   * ```
   */
  static empty(): VectorClock {
    return VectorClock.EMPTY;
  }

  /**
   * Builds a clock from `{ id: counter }` or `[id, counter]` pairs. Counters must be non-negative safe
   * integers (zeros are dropped); ids must be unique strings. Throws {@link ClocksError}
   * (`invalid-argument`) otherwise.
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * const c = VectorClock.from({ a: 2, b: 1 });
   * c.get("a"); // 2
   * ```
   */
  static from(entries: Record<string, number> | Iterable<readonly [string, number]>): VectorClock {
    return VectorClock.of(core.fromEntries(entries, "VectorClock.from"));
  }

  /**
   * Same as {@link VectorClock.from} for the output of {@link VectorClock.toJSON}.
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * const c = VectorClock.fromJSON(JSON.parse('{"a":1}'));
   * ```
   */
  static fromJSON(json: Record<string, number>): VectorClock {
    return VectorClock.of(core.fromEntries(json, "VectorClock.fromJSON"));
  }

  /**
   * Decodes bytes produced by {@link VectorClock.encode}. Throws {@link DecodeError} on truncated or
   * corrupted input (bad tag, unsorted ids, zero counter, trailing bytes, ...).
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * const c = VectorClock.decode(VectorClock.from({ a: 1 }).encode());
   * ```
   */
  static decode(bytes: Uint8Array): VectorClock {
    const r = new ByteReader(bytes, "VectorClock.decode");
    r.header(Tag.vectorClock);
    const t = readTable(r, true);
    r.end();
    return new VectorClock(t);
  }

  /**
   * The least upper bound of many clocks (the empty clock for none).
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * VectorClock.mergeAll([VectorClock.from({ a: 1 }), VectorClock.from({ b: 2 })]).toJSON(); // { a: 1, b: 2 }
   * ```
   */
  static mergeAll(clocks: Iterable<VectorClock>): VectorClock {
    let acc = VectorClock.EMPTY;
    for (const c of clocks) acc = acc.merge(c);
    return acc;
  }

  /**
   * Number of processes with a non-zero counter.
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * VectorClock.from({ a: 1, b: 0 }).size; // 1
   * ```
   */
  get size(): number {
    return this.rep.ids.length;
  }

  /**
   * The counter of process `id` (0 when absent).
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * VectorClock.from({ a: 3 }).get("b"); // 0
   * ```
   */
  get(id: string): number {
    return core.get(this.rep, id);
  }

  /**
   * Records one event on process `id`: returns a clock whose `id` entry is one higher.
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * VectorClock.empty().increment("a").increment("a").get("a"); // 2
   * ```
   */
  increment(id: string): VectorClock {
    checkId(id, "VectorClock.increment: id");
    return VectorClock.of(core.increment(this.rep, id));
  }

  /**
   * The least upper bound (entrywise maximum). Commutative, associative, idempotent.
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * VectorClock.from({ a: 2 }).merge(VectorClock.from({ a: 1, b: 1 })).toJSON(); // { a: 2, b: 1 }
   * ```
   */
  merge(other: VectorClock): VectorClock {
    const m = core.merge(this.rep, other.rep);
    return m === this.rep ? this : m === other.rep ? other : VectorClock.of(m);
  }

  /**
   * The receive rule: merge the sender's clock, then count the receive event on process `self`.
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * const sent = VectorClock.from({ a: 1 });
   * VectorClock.from({ b: 1 }).receive("b", sent).toJSON(); // { a: 1, b: 2 }
   * ```
   */
  receive(self: string, sent: VectorClock): VectorClock {
    return this.merge(sent).increment(self);
  }

  /**
   * Causal comparison: `before` (this happened before `other`), `after`, `equal` or `concurrent`.
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * VectorClock.from({ a: 1 }).compare(VectorClock.from({ a: 2 })); // "before"
   * ```
   */
  compare(other: VectorClock): Ordering {
    return core.compare(this.rep, other.rep);
  }

  /**
   * True when this clock is entrywise `>=` `other` (it is `after` or `equal`).
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * VectorClock.from({ a: 1 }).descends(VectorClock.from({ a: 1 })); // true
   * ```
   */
  descends(other: VectorClock): boolean {
    return core.descends(this.rep, other.rep);
  }

  /**
   * True when this clock strictly dominates `other` (compare is `after`).
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * VectorClock.from({ a: 2 }).dominates(VectorClock.from({ a: 1 })); // true
   * ```
   */
  dominates(other: VectorClock): boolean {
    return core.compare(this.rep, other.rep) === "after";
  }

  /**
   * True when this clock happened before `other` (compare is `before`).
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * VectorClock.from({ a: 1 }).happenedBefore(VectorClock.from({ a: 1, b: 1 })); // true
   * ```
   */
  happenedBefore(other: VectorClock): boolean {
    return core.compare(this.rep, other.rep) === "before";
  }

  /**
   * True when neither clock dominates the other and they differ.
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * VectorClock.from({ a: 1 }).isConcurrent(VectorClock.from({ b: 1 })); // true
   * ```
   */
  isConcurrent(other: VectorClock): boolean {
    return core.compare(this.rep, other.rep) === "concurrent";
  }

  /**
   * True when both clocks have the same counters.
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * VectorClock.from({ a: 1, b: 0 }).equals(VectorClock.from({ a: 1 })); // true
   * ```
   */
  equals(other: VectorClock): boolean {
    return core.equals(this.rep, other.rep);
  }

  /**
   * The `[id, counter]` entries in ascending id order (non-zero counters only).
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * [...VectorClock.from({ b: 1, a: 2 }).entries()]; // [["a", 2], ["b", 1]]
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
   * import { VectorClock } from "@distkit/clocks";
   * JSON.stringify(VectorClock.from({ a: 1 })); // '{"a":1}'
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
   * import { VectorClock } from "@distkit/clocks";
   * VectorClock.from({ a: 1 }).encode().length; // 6
   * ```
   */
  encode(): Uint8Array {
    const w = new ByteWriter(4 + this.rep.ids.length * 8);
    w.header(Tag.vectorClock);
    writeTable(w, this.rep.ids, this.rep.counters);
    return w.finish();
  }

  /**
   * A readable form, e.g. `VectorClock{"a":1,"b":2}`.
   *
   * @example
   * ```ts
   * import { VectorClock } from "@distkit/clocks";
   * String(VectorClock.from({ a: 1 })); // 'VectorClock{"a":1}'
   * ```
   */
  toString(): string {
    return `VectorClock${core.show(this.rep)}`;
  }
}
