import type { CrdtType, Crdt } from "./crdt.js";
import { DotKernel, jsonPayload } from "./dot-kernel.js";
import { CrdtError } from "./errors.js";
import {
  bytesEqual,
  canonicalJson,
  checkReplicaId,
  type JsonValue,
  jsonKey,
  type ReplicaId,
} from "./json.js";

const KIND = "or-set";

/**
 * Observed-remove set, add-wins (the optimized dot-based OR-Set of Almeida et al.): each `add` tags the
 * element with a fresh dot; `remove` forgets the dots it has observed. An add concurrent with a remove
 * survives. Removed elements leave no tombstones: only the compact causal context (a version vector
 * plus out-of-order dots) remembers what was seen.
 *
 * Elements are JSON values compared by canonical JSON (`{a:1,b:2}` equals `{b:2,a:1}`).
 *
 * @typeParam E - the element type
 *
 * @example
 * ```ts
 * import { ORSet } from "@distkit/crdt";
 * const a = new ORSet<string>("a");
 * const b = new ORSet<string>("b");
 * b.merge(a.add("milk"));
 * a.remove("milk"); // concurrently, b adds it again
 * b.add("milk");
 * a.merge(b).value(); // ["milk"]: add wins
 * ```
 */
export class ORSet<E extends JsonValue = JsonValue> implements Crdt<ORSet<E>, E[]> {
  /** Kind tag. */
  readonly kind = KIND;
  /** The replica this instance acts as. */
  readonly replicaId: ReplicaId;
  private kernel: DotKernel<E>;

  /** @param replicaId - the replica this instance acts as */
  constructor(replicaId: ReplicaId) {
    checkReplicaId(replicaId);
    this.replicaId = replicaId;
    this.kernel = new DotKernel<E>(canonicalJson);
  }

  /**
   * A {@link CrdtType} descriptor.
   * @example
   * ```ts
   * import { ORSet } from "@distkit/crdt";
   * const s = ORSet.type<string>().create("a");
   * ```
   */
  static type<E extends JsonValue = JsonValue>(): CrdtType<ORSet<E>> {
    return { kind: KIND, create: (r) => new ORSet<E>(r), decode: (b, r) => ORSet.decode<E>(b, r) };
  }

  /** Adds `element`; returns the delta. */
  add(element: E): ORSet<E> {
    jsonKey(element, "ORSet.add element");
    const delta = new ORSet<E>(this.replicaId);
    delta.kernel = this.kernel.replace(this.replicaId, element);
    return delta;
  }

  /** Removes `element` as observed here (a no-op delta if absent); returns the delta. */
  remove(element: E): ORSet<E> {
    const delta = new ORSet<E>(this.replicaId);
    delta.kernel = this.kernel.remove(jsonKey(element, "ORSet.remove element"));
    return delta;
  }

  /** Removes every observed element; returns the delta. */
  clear(): ORSet<E> {
    const delta = new ORSet<E>(this.replicaId);
    delta.kernel = this.kernel.remove(null);
    return delta;
  }

  /** `true` iff `element` is in the set. */
  has(element: E): boolean {
    return this.kernel.groups.has(jsonKey(element, "element"));
  }

  /** Number of elements. */
  get size(): number {
    return this.kernel.groups.size;
  }

  /** The elements, sorted by canonical JSON. */
  value(): E[] {
    return this.kernel.sortedGroups((entries) => {
      for (const e of entries) return e.v;
      return undefined;
    });
  }

  /** Join, in place. */
  merge(other: ORSet<E>): this {
    if (!(other instanceof ORSet)) throw new CrdtError("type-mismatch", "ORSet.merge expects an ORSet");
    this.kernel.join(other.kernel);
    return this;
  }

  /** Lattice order. */
  leq(other: ORSet<E>): boolean {
    return this.kernel.leq(other.kernel);
  }

  /** Lattice equality. */
  equals(other: ORSet<E>): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy. */
  clone(replicaId: ReplicaId = this.replicaId): ORSet<E> {
    const c = new ORSet<E>(replicaId);
    c.kernel = this.kernel.clone();
    return c;
  }

  /** UTF-8 JSON `{"t":"or-set","v":1,"k":{cc,dots:[[replica,counter,element],...]}}`. */
  encode(): Uint8Array {
    return this.kernel.encodeDoc(KIND);
  }

  /**
   * Decodes `encode()` output; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { ORSet } from "@distkit/crdt";
   * const s = new ORSet<string>("a");
   * s.add("x");
   * ORSet.decode<string>(s.encode(), "b").value(); // ["x"]
   * ```
   */
  static decode<E extends JsonValue = JsonValue>(bytes: Uint8Array, replicaId: ReplicaId): ORSet<E> {
    const s = new ORSet<E>(replicaId);
    s.kernel = DotKernel.decodeDoc<E>(bytes, KIND, canonicalJson, jsonPayload);
    return s;
  }
}
