import type { CrdtType, Crdt } from "./crdt.js";
import { CrdtError } from "./errors.js";
import { bytesEqual, checkReplicaId, type JsonValue, jsonKey, type ReplicaId } from "./json.js";
import { LwwTable } from "./lww-table.js";
import type { LwwTimestamp } from "./timestamp.js";

const KIND = "lww-map";

/**
 * Last-writer-wins map: every string key is an LWW register of a JSON value or a deletion, ordered by
 * caller-supplied {@link LwwTimestamp}s.
 *
 * @typeParam V - the value type
 *
 * @example
 * ```ts
 * import { LWWMap } from "@distkit/crdt";
 * const a = new LWWMap<number>("a");
 * const b = new LWWMap<number>("b");
 * a.set("milk", 1, { wallMs: 1, logical: 0, replicaId: "a" });
 * b.set("milk", 2, { wallMs: 2, logical: 0, replicaId: "b" });
 * a.merge(b).get("milk"); // 2
 * ```
 */
export class LWWMap<V extends JsonValue = JsonValue> implements Crdt<LWWMap<V>, Map<string, V>> {
  /** Kind tag. */
  readonly kind = KIND;
  /** The replica this instance acts as. */
  readonly replicaId: ReplicaId;
  private table = new LwwTable<V>();

  /** @param replicaId - the replica this instance acts as */
  constructor(replicaId: ReplicaId) {
    checkReplicaId(replicaId);
    this.replicaId = replicaId;
  }

  /**
   * A {@link CrdtType} descriptor.
   * @example
   * ```ts
   * import { LWWMap } from "@distkit/crdt";
   * const m = LWWMap.type<number>().create("a");
   * ```
   */
  static type<V extends JsonValue = JsonValue>(): CrdtType<LWWMap<V>> {
    return { kind: KIND, create: (r) => new LWWMap<V>(r), decode: (b, r) => LWWMap.decode<V>(b, r) };
  }

  private write(key: string, value: V, present: boolean, ts: LwwTimestamp, what: string): LWWMap<V> {
    if (typeof key !== "string") throw new CrdtError("invalid-argument", `${what}: keys must be strings`);
    jsonKey(value, `${what} value`);
    const delta = new LWWMap<V>(this.replicaId);
    delta.table = this.table.write(key, value, present, ts, what);
    return delta;
  }

  /** Sets `key` to `value` at `ts`; returns the delta. */
  set(key: string, value: V, ts: LwwTimestamp): LWWMap<V> {
    return this.write(key, value, true, ts, "LWWMap.set");
  }

  /** Deletes `key` at `ts`; returns the delta. */
  delete(key: string, ts: LwwTimestamp): LWWMap<V> {
    return this.write(key, null as V, false, ts, "LWWMap.delete");
  }

  /** The value of `key`, if present. */
  get(key: string): V | undefined {
    const c = this.table.cells.get(key);
    return c?.present ? c.item : undefined;
  }

  /** Present entries, keys in code-unit order. */
  value(): Map<string, V> {
    return new Map(this.table.present());
  }

  /** Join, in place. */
  merge(other: LWWMap<V>): this {
    if (!(other instanceof LWWMap)) throw new CrdtError("type-mismatch", "LWWMap.merge expects an LWWMap");
    this.table.join(other.table);
    return this;
  }

  /** Lattice order. */
  leq(other: LWWMap<V>): boolean {
    return this.table.leq(other.table);
  }

  /** Lattice equality. */
  equals(other: LWWMap<V>): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy. */
  clone(replicaId: ReplicaId = this.replicaId): LWWMap<V> {
    const c = new LWWMap<V>(replicaId);
    c.table = this.table.clone();
    return c;
  }

  /** UTF-8 JSON `{"t":"lww-map","v":1,"c":[[key, value, present, ts], ...]}`. */
  encode(): Uint8Array {
    return this.table.encodeDoc(KIND);
  }

  /**
   * Decodes `encode()` output; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { LWWMap } from "@distkit/crdt";
   * const m = new LWWMap<number>("a");
   * m.set("k", 1, { wallMs: 1, logical: 0, replicaId: "a" });
   * LWWMap.decode<number>(m.encode(), "b").get("k"); // 1
   * ```
   */
  static decode<V extends JsonValue = JsonValue>(bytes: Uint8Array, replicaId: ReplicaId): LWWMap<V> {
    const m = new LWWMap<V>(replicaId);
    m.table = LwwTable.decodeDoc<V>(bytes, KIND, () => {});
    return m;
  }
}
