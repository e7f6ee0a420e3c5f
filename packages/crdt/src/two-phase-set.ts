import type { CrdtType, Crdt } from "./crdt.js";
import { CrdtError } from "./errors.js";
import { elementsFromJson, isSubset, sortedValues, unionInto } from "./g-set.js";
import {
  bytesEqual,
  checkReplicaId,
  decodeJsonDoc,
  encodeJsonDoc,
  field,
  type JsonValue,
  jsonKey,
  type ReplicaId,
} from "./json.js";

const KIND = "2p-set";

/**
 * Two-phase set: a G-Set of added elements and a G-Set of removed ones (tombstones). An element is in the
 * set iff added and never removed; once removed it can never come back.
 *
 * @typeParam E - the element type
 *
 * @example
 * ```ts
 * import { TwoPhaseSet } from "@distkit/crdt";
 * const s = new TwoPhaseSet<string>("a");
 * s.add("x");
 * s.remove("x");
 * s.add("x");
 * s.value(); // []: removal is permanent
 * ```
 */
export class TwoPhaseSet<E extends JsonValue = JsonValue> implements Crdt<TwoPhaseSet<E>, E[]> {
  /** Kind tag. */
  readonly kind = KIND;
  /** The replica this instance acts as. */
  readonly replicaId: ReplicaId;
  private added = new Map<string, E>();
  private removed = new Map<string, E>();

  /** @param replicaId - the replica this instance acts as */
  constructor(replicaId: ReplicaId) {
    checkReplicaId(replicaId);
    this.replicaId = replicaId;
  }

  /**
   * A {@link CrdtType} descriptor.
   * @example
   * ```ts
   * import { TwoPhaseSet } from "@distkit/crdt";
   * const s = TwoPhaseSet.type<string>().create("a");
   * ```
   */
  static type<E extends JsonValue = JsonValue>(): CrdtType<TwoPhaseSet<E>> {
    return {
      kind: KIND,
      create: (r) => new TwoPhaseSet<E>(r),
      decode: (b, r) => TwoPhaseSet.decode<E>(b, r),
    };
  }

  /** Adds `element` (no effect if it was ever removed); returns the delta. */
  add(element: E): TwoPhaseSet<E> {
    const k = jsonKey(element, "TwoPhaseSet.add element");
    const delta = new TwoPhaseSet<E>(this.replicaId);
    delta.added.set(k, element);
    this.merge(delta);
    return delta;
  }

  /** Removes `element` forever (a tombstone is kept); returns the delta. */
  remove(element: E): TwoPhaseSet<E> {
    const k = jsonKey(element, "TwoPhaseSet.remove element");
    const delta = new TwoPhaseSet<E>(this.replicaId);
    delta.removed.set(k, element);
    this.merge(delta);
    return delta;
  }

  /** `true` iff `element` is in the set. */
  has(element: E): boolean {
    const k = jsonKey(element, "element");
    return this.added.has(k) && !this.removed.has(k);
  }

  /** Elements sorted by canonical JSON. */
  value(): E[] {
    const live = new Map<string, E>();
    for (const [k, e] of this.added) if (!this.removed.has(k)) live.set(k, e);
    return sortedValues(live);
  }

  /** Join, in place. */
  merge(other: TwoPhaseSet<E>): this {
    if (!(other instanceof TwoPhaseSet))
      throw new CrdtError("type-mismatch", "TwoPhaseSet.merge expects a TwoPhaseSet");
    unionInto(this.added, other.added);
    unionInto(this.removed, other.removed);
    return this;
  }

  /** Lattice order (both parts are subsets). */
  leq(other: TwoPhaseSet<E>): boolean {
    return isSubset(this.added, other.added) && isSubset(this.removed, other.removed);
  }

  /** Lattice equality. */
  equals(other: TwoPhaseSet<E>): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy. */
  clone(replicaId: ReplicaId = this.replicaId): TwoPhaseSet<E> {
    const c = new TwoPhaseSet<E>(replicaId);
    c.added = new Map(this.added);
    c.removed = new Map(this.removed);
    return c;
  }

  /** UTF-8 JSON `{"t":"2p-set","v":1,"a":[...],"r":[...]}`. */
  encode(): Uint8Array {
    return encodeJsonDoc(KIND, { a: sortedValues(this.added), r: sortedValues(this.removed) });
  }

  /**
   * Decodes `encode()` output; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { TwoPhaseSet } from "@distkit/crdt";
   * const s = new TwoPhaseSet<string>("a");
   * s.add("x");
   * TwoPhaseSet.decode<string>(s.encode(), "b").value(); // ["x"]
   * ```
   */
  static decode<E extends JsonValue = JsonValue>(bytes: Uint8Array, replicaId: ReplicaId): TwoPhaseSet<E> {
    const doc = decodeJsonDoc(bytes, KIND);
    const s = new TwoPhaseSet<E>(replicaId);
    s.added = elementsFromJson<E>(field(doc, "a", KIND), `${KIND}.a`);
    s.removed = elementsFromJson<E>(field(doc, "r", KIND), `${KIND}.r`);
    return s;
  }
}
