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

const KIND = "mv-register";

/**
 * Multi-value register: a write replaces every value it has seen; concurrent writes are all kept, and
 * `value()` returns them all (sorted by canonical JSON) so the application can resolve the conflict.
 *
 * @typeParam T - the JSON value type
 *
 * @example
 * ```ts
 * import { MVRegister } from "@distkit/crdt";
 * const a = new MVRegister<string>("a");
 * const b = new MVRegister<string>("b");
 * a.write("red");
 * b.write("blue");
 * a.merge(b).value(); // ["blue", "red"]
 * a.write("purple");
 * b.merge(a).value(); // ["purple"]
 * ```
 */
export class MVRegister<T extends JsonValue = JsonValue> implements Crdt<MVRegister<T>, T[]> {
  /** Kind tag. */
  readonly kind = KIND;
  /** The replica this instance acts as. */
  readonly replicaId: ReplicaId;
  private kernel: DotKernel<T>;

  /** @param replicaId - the replica this instance acts as */
  constructor(replicaId: ReplicaId) {
    checkReplicaId(replicaId);
    this.replicaId = replicaId;
    this.kernel = new DotKernel<T>(canonicalJson);
  }

  /**
   * A {@link CrdtType} descriptor.
   * @example
   * ```ts
   * import { MVRegister } from "@distkit/crdt";
   * const r = MVRegister.type<string>().create("a");
   * ```
   */
  static type<T extends JsonValue = JsonValue>(): CrdtType<MVRegister<T>> {
    return { kind: KIND, create: (r) => new MVRegister<T>(r), decode: (b, r) => MVRegister.decode<T>(b, r) };
  }

  /** Replaces all values this replica has seen by `value`; returns the delta. */
  write(value: T): MVRegister<T> {
    jsonKey(value, "MVRegister.write value");
    const delta = new MVRegister<T>(this.replicaId);
    delta.kernel = this.kernel.replace(this.replicaId, value, true);
    return delta;
  }

  /** All concurrent values, sorted by canonical JSON (empty before any write). */
  value(): T[] {
    return this.kernel.sortedGroups((entries) => {
      let last: T | undefined;
      for (const e of entries) last = e.v;
      return last;
    });
  }

  /** Join, in place. */
  merge(other: MVRegister<T>): this {
    if (!(other instanceof MVRegister))
      throw new CrdtError("type-mismatch", "MVRegister.merge expects an MVRegister");
    this.kernel.join(other.kernel);
    return this;
  }

  /** Lattice order. */
  leq(other: MVRegister<T>): boolean {
    return this.kernel.leq(other.kernel);
  }

  /** Lattice equality. */
  equals(other: MVRegister<T>): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy. */
  clone(replicaId: ReplicaId = this.replicaId): MVRegister<T> {
    const c = new MVRegister<T>(replicaId);
    c.kernel = this.kernel.clone();
    return c;
  }

  /** UTF-8 JSON `{"t":"mv-register","v":1,"k":{cc,dots}}`. */
  encode(): Uint8Array {
    return this.kernel.encodeDoc(KIND);
  }

  /**
   * Decodes `encode()` output; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { MVRegister } from "@distkit/crdt";
   * const r = new MVRegister<number>("a");
   * r.write(1);
   * MVRegister.decode<number>(r.encode(), "b").value(); // [1]
   * ```
   */
  static decode<T extends JsonValue = JsonValue>(bytes: Uint8Array, replicaId: ReplicaId): MVRegister<T> {
    const r = new MVRegister<T>(replicaId);
    r.kernel = DotKernel.decodeDoc<T>(bytes, KIND, canonicalJson, jsonPayload);
    return r;
  }
}
