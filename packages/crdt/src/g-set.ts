import type { CrdtType, Crdt } from "./crdt.js";
import { CrdtError } from "./errors.js";
import {
  asArray,
  asJson,
  bytesEqual,
  canonicalJson,
  checkReplicaId,
  compareStrings,
  decodeJsonDoc,
  encodeJsonDoc,
  field,
  type JsonValue,
  jsonKey,
  type ReplicaId,
} from "./json.js";

const KIND = "g-set";

/** Sorted elements of a keyed map. @internal */
export function sortedValues<E>(m: ReadonlyMap<string, E>): E[] {
  return [...m].sort((x, y) => compareStrings(x[0], y[0])).map(([, v]) => v);
}

/** G-Set join: adds to `into` every element of `from` it lacks. @internal */
export function unionInto<E>(into: Map<string, E>, from: ReadonlyMap<string, E>): void {
  for (const [k, e] of from) if (!into.has(k)) into.set(k, e);
}

/** G-Set order: `true` iff every key of `a` is in `b`. @internal */
export function isSubset(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  for (const k of a.keys()) if (!b.has(k)) return false;
  return true;
}

/** Parses a JSON array of distinct elements into a keyed map. @internal */
export function elementsFromJson<E extends JsonValue>(raw: unknown, what: string): Map<string, E> {
  const m = new Map<string, E>();
  for (const v of asArray(raw, what)) {
    const e = asJson(v, what) as E;
    m.set(canonicalJson(e), e);
  }
  return m;
}

/**
 * Grow-only set: `add` only; join is union.
 *
 * @typeParam E - the element type (JSON, compared by canonical JSON)
 *
 * @example
 * ```ts
 * import { GSet } from "@distkit/crdt";
 * const a = new GSet<string>("a");
 * const b = new GSet<string>("b");
 * a.add("x");
 * b.add("y");
 * a.merge(b).value(); // ["x", "y"]
 * ```
 */
export class GSet<E extends JsonValue = JsonValue> implements Crdt<GSet<E>, E[]> {
  /** Kind tag. */
  readonly kind = KIND;
  /** The replica this instance acts as. */
  readonly replicaId: ReplicaId;
  private elements = new Map<string, E>();

  /** @param replicaId - the replica this instance acts as */
  constructor(replicaId: ReplicaId) {
    checkReplicaId(replicaId);
    this.replicaId = replicaId;
  }

  /**
   * A {@link CrdtType} descriptor.
   * @example
   * ```ts
   * import { GSet } from "@distkit/crdt";
   * const s = GSet.type<number>().create("a");
   * ```
   */
  static type<E extends JsonValue = JsonValue>(): CrdtType<GSet<E>> {
    return { kind: KIND, create: (r) => new GSet<E>(r), decode: (b, r) => GSet.decode<E>(b, r) };
  }

  /** Adds `element`; returns the delta. */
  add(element: E): GSet<E> {
    const k = jsonKey(element, "GSet.add element");
    this.elements.set(k, element);
    const delta = new GSet<E>(this.replicaId);
    delta.elements.set(k, element);
    return delta;
  }

  /** `true` iff `element` is in the set. */
  has(element: E): boolean {
    return this.elements.has(jsonKey(element, "element"));
  }

  /** Elements sorted by canonical JSON. */
  value(): E[] {
    return sortedValues(this.elements);
  }

  /** Union, in place. */
  merge(other: GSet<E>): this {
    if (!(other instanceof GSet)) throw new CrdtError("type-mismatch", "GSet.merge expects a GSet");
    unionInto(this.elements, other.elements);
    return this;
  }

  /** Subset. */
  leq(other: GSet<E>): boolean {
    return isSubset(this.elements, other.elements);
  }

  /** Lattice equality. */
  equals(other: GSet<E>): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy. */
  clone(replicaId: ReplicaId = this.replicaId): GSet<E> {
    const c = new GSet<E>(replicaId);
    c.elements = new Map(this.elements);
    return c;
  }

  /** UTF-8 JSON `{"t":"g-set","v":1,"e":[...]}`. */
  encode(): Uint8Array {
    return encodeJsonDoc(KIND, { e: this.value() });
  }

  /**
   * Decodes `encode()` output; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { GSet } from "@distkit/crdt";
   * const s = new GSet<string>("a");
   * s.add("x");
   * GSet.decode<string>(s.encode(), "b").value(); // ["x"]
   * ```
   */
  static decode<E extends JsonValue = JsonValue>(bytes: Uint8Array, replicaId: ReplicaId): GSet<E> {
    const doc = decodeJsonDoc(bytes, KIND);
    const s = new GSet<E>(replicaId);
    s.elements = elementsFromJson<E>(field(doc, "e", KIND), `${KIND}.e`);
    return s;
  }
}
