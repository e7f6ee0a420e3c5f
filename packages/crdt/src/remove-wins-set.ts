import type { CrdtType, Crdt } from "./crdt.js";
import { allLive, DotKernel, jsonPayload } from "./dot-kernel.js";
import { CrdtError, DecodeError } from "./errors.js";
import {
  asBool,
  bytesEqual,
  canonicalJson,
  checkReplicaId,
  type JsonValue,
  jsonKey,
  type ReplicaId,
} from "./json.js";

const KIND = "rw-set";

interface Tagged<E> {
  readonly e: E;
  readonly add: boolean;
}

/**
 * Observed-remove set, remove-wins: `add` and `remove` both replace the element's observed dots with a
 * fresh dot tagged add or remove; the element is present iff it has dots and none is a remove. A remove
 * concurrent with an add wins.
 *
 * @typeParam E - the element type
 *
 * @example
 * ```ts
 * import { RemoveWinsSet } from "@distkit/crdt";
 * const a = new RemoveWinsSet<string>("a");
 * const b = new RemoveWinsSet<string>("b");
 * b.merge(a.add("milk"));
 * a.add("milk"); // concurrently, b removes it
 * b.remove("milk");
 * a.merge(b).value(); // []: remove wins
 * ```
 */
export class RemoveWinsSet<E extends JsonValue = JsonValue> implements Crdt<RemoveWinsSet<E>, E[]> {
  /** Kind tag. */
  readonly kind = KIND;
  /** The replica this instance acts as. */
  readonly replicaId: ReplicaId;
  private kernel: DotKernel<Tagged<E>>;

  /** @param replicaId - the replica this instance acts as */
  constructor(replicaId: ReplicaId) {
    checkReplicaId(replicaId);
    this.replicaId = replicaId;
    this.kernel = new DotKernel<Tagged<E>>((t) => canonicalJson(t.e));
  }

  /**
   * A {@link CrdtType} descriptor.
   * @example
   * ```ts
   * import { RemoveWinsSet } from "@distkit/crdt";
   * const s = RemoveWinsSet.type<string>().create("a");
   * ```
   */
  static type<E extends JsonValue = JsonValue>(): CrdtType<RemoveWinsSet<E>> {
    return {
      kind: KIND,
      create: (r) => new RemoveWinsSet<E>(r),
      decode: (b, r) => RemoveWinsSet.decode<E>(b, r),
    };
  }

  /** Adds `element`; returns the delta. */
  add(element: E): RemoveWinsSet<E> {
    jsonKey(element, "RemoveWinsSet.add element");
    const delta = new RemoveWinsSet<E>(this.replicaId);
    delta.kernel = this.kernel.replace(this.replicaId, { e: element, add: true });
    return delta;
  }

  /** Removes `element` (winning over concurrent adds); returns the delta. */
  remove(element: E): RemoveWinsSet<E> {
    jsonKey(element, "RemoveWinsSet.remove element");
    const delta = new RemoveWinsSet<E>(this.replicaId);
    delta.kernel = this.kernel.replace(this.replicaId, { e: element, add: false });
    return delta;
  }

  /** `true` iff `element` is in the set. */
  has(element: E): boolean {
    return allLive(this.kernel.group(jsonKey(element, "element")), (t) => t.add);
  }

  /** The elements, sorted by canonical JSON. */
  value(): E[] {
    return this.kernel.sortedGroups((entries) => {
      let elem: E | undefined;
      for (const e of entries) {
        if (!e.v.add) return undefined;
        elem = e.v.e;
      }
      return elem;
    });
  }

  /** Join, in place. */
  merge(other: RemoveWinsSet<E>): this {
    if (!(other instanceof RemoveWinsSet)) {
      throw new CrdtError("type-mismatch", "RemoveWinsSet.merge expects a RemoveWinsSet");
    }
    this.kernel.join(other.kernel);
    return this;
  }

  /** Lattice order. */
  leq(other: RemoveWinsSet<E>): boolean {
    return this.kernel.leq(other.kernel);
  }

  /** Lattice equality. */
  equals(other: RemoveWinsSet<E>): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy. */
  clone(replicaId: ReplicaId = this.replicaId): RemoveWinsSet<E> {
    const c = new RemoveWinsSet<E>(replicaId);
    c.kernel = this.kernel.clone();
    return c;
  }

  /** UTF-8 JSON `{"t":"rw-set","v":1,"k":{cc,dots:[[replica,counter,[element,isAdd]],...]}}`. */
  encode(): Uint8Array {
    return this.kernel.encodeDoc(KIND, (t) => [t.e, t.add]);
  }

  /**
   * Decodes `encode()` output; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { RemoveWinsSet } from "@distkit/crdt";
   * const s = new RemoveWinsSet<string>("a");
   * s.add("x");
   * RemoveWinsSet.decode<string>(s.encode(), "b").value(); // ["x"]
   * ```
   */
  static decode<E extends JsonValue = JsonValue>(bytes: Uint8Array, replicaId: ReplicaId): RemoveWinsSet<E> {
    const s = new RemoveWinsSet<E>(replicaId);
    s.kernel = DotKernel.decodeDoc<Tagged<E>>(
      bytes,
      KIND,
      (t) => canonicalJson(t.e),
      (raw, w) => {
        if (!Array.isArray(raw) || raw.length !== 2) throw new DecodeError(`${w}: expected [element, isAdd]`);
        return { e: jsonPayload<E>(raw[0], w), add: asBool(raw[1], w) };
      },
    );
    return s;
  }
}
