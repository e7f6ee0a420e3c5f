import type { CrdtType, Crdt } from "./crdt.js";
import { CrdtError, DecodeError } from "./errors.js";
import {
  bytesEqual,
  canonicalJson,
  checkReplicaId,
  type JsonValue,
  jsonKey,
  type ReplicaId,
} from "./json.js";
import { LwwTable } from "./lww-table.js";
import type { LwwTimestamp } from "./timestamp.js";

const KIND = "lww-element-set";

/**
 * Last-writer-wins element set: each element keeps its latest add or remove by caller-supplied
 * {@link LwwTimestamp}; it is present iff the latest is an add. Storage grows with every element ever
 * touched (the latest remove is kept).
 *
 * @typeParam E - the element type
 *
 * @example
 * ```ts
 * import { LWWElementSet } from "@distkit/crdt";
 * const s = new LWWElementSet<string>("a");
 * s.add("x", { wallMs: 1, logical: 0, replicaId: "a" });
 * s.remove("x", { wallMs: 2, logical: 0, replicaId: "a" });
 * s.add("x", { wallMs: 1, logical: 5, replicaId: "b" }); // older than the remove
 * s.value(); // []
 * ```
 */
export class LWWElementSet<E extends JsonValue = JsonValue> implements Crdt<LWWElementSet<E>, E[]> {
  /** Kind tag. */
  readonly kind = KIND;
  /** The replica this instance acts as. */
  readonly replicaId: ReplicaId;
  private table = new LwwTable<E>();

  /** @param replicaId - the replica this instance acts as */
  constructor(replicaId: ReplicaId) {
    checkReplicaId(replicaId);
    this.replicaId = replicaId;
  }

  /**
   * A {@link CrdtType} descriptor.
   * @example
   * ```ts
   * import { LWWElementSet } from "@distkit/crdt";
   * const s = LWWElementSet.type<string>().create("a");
   * ```
   */
  static type<E extends JsonValue = JsonValue>(): CrdtType<LWWElementSet<E>> {
    return {
      kind: KIND,
      create: (r) => new LWWElementSet<E>(r),
      decode: (b, r) => LWWElementSet.decode<E>(b, r),
    };
  }

  private write(element: E, present: boolean, ts: LwwTimestamp, what: string): LWWElementSet<E> {
    const k = jsonKey(element, `${what} element`);
    const delta = new LWWElementSet<E>(this.replicaId);
    delta.table = this.table.write(k, element, present, ts, what);
    return delta;
  }

  /** Adds `element` at `ts`; returns the delta. */
  add(element: E, ts: LwwTimestamp): LWWElementSet<E> {
    return this.write(element, true, ts, "LWWElementSet.add");
  }

  /** Removes `element` at `ts`; returns the delta. */
  remove(element: E, ts: LwwTimestamp): LWWElementSet<E> {
    return this.write(element, false, ts, "LWWElementSet.remove");
  }

  /** `true` iff `element` is in the set. */
  has(element: E): boolean {
    return this.table.cells.get(jsonKey(element, "element"))?.present ?? false;
  }

  /** Elements sorted by canonical JSON. */
  value(): E[] {
    return this.table.present().map(([, e]) => e);
  }

  /** Join, in place. */
  merge(other: LWWElementSet<E>): this {
    if (!(other instanceof LWWElementSet)) {
      throw new CrdtError("type-mismatch", "LWWElementSet.merge expects an LWWElementSet");
    }
    this.table.join(other.table);
    return this;
  }

  /** Lattice order. */
  leq(other: LWWElementSet<E>): boolean {
    return this.table.leq(other.table);
  }

  /** Lattice equality. */
  equals(other: LWWElementSet<E>): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy. */
  clone(replicaId: ReplicaId = this.replicaId): LWWElementSet<E> {
    const c = new LWWElementSet<E>(replicaId);
    c.table = this.table.clone();
    return c;
  }

  /** UTF-8 JSON `{"t":"lww-element-set","v":1,"c":[[key, element, present, ts], ...]}`. */
  encode(): Uint8Array {
    return this.table.encodeDoc(KIND);
  }

  /**
   * Decodes `encode()` output; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { LWWElementSet } from "@distkit/crdt";
   * const s = new LWWElementSet<string>("a");
   * s.add("x", { wallMs: 1, logical: 0, replicaId: "a" });
   * LWWElementSet.decode<string>(s.encode(), "b").value(); // ["x"]
   * ```
   */
  static decode<E extends JsonValue = JsonValue>(bytes: Uint8Array, replicaId: ReplicaId): LWWElementSet<E> {
    const s = new LWWElementSet<E>(replicaId);
    s.table = LwwTable.decodeDoc<E>(bytes, KIND, (k, item) => {
      if (canonicalJson(item) !== k) throw new DecodeError(`${KIND}.c: key does not match its element`);
    });
    return s;
  }
}
