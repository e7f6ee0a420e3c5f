import type { CrdtType, Crdt } from "./crdt.js";
import { CrdtError, DecodeError } from "./errors.js";
import {
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
import {
  checkTimestamp,
  compareTimestamps,
  type LwwTimestamp,
  timestampFromJson,
  timestampToJson,
} from "./timestamp.js";

const KIND = "lww-register";

/** A register write: value and its timestamp. @internal */
export interface LwwWrite<T> {
  readonly value: T;
  readonly ts: LwwTimestamp;
  readonly key: string;
}

/** Which write wins: later timestamp, then larger canonical JSON (only reachable on caller misuse). @internal */
export function lwwWins<T>(a: LwwWrite<T>, b: LwwWrite<T>): boolean {
  const c = compareTimestamps(a.ts, b.ts);
  if (c !== 0) return c > 0;
  return compareStrings(a.key, b.key) > 0;
}

/**
 * Last-writer-wins register: keeps the write with the greatest caller-supplied {@link LwwTimestamp}.
 * Concurrent writes are silently lost (see {@link MVRegister} to keep them).
 *
 * @typeParam T - the JSON value type
 *
 * @example
 * ```ts
 * import { LWWRegister } from "@distkit/crdt";
 * const a = new LWWRegister<string>("a");
 * const b = new LWWRegister<string>("b");
 * a.set("red", { wallMs: 10, logical: 0, replicaId: "a" });
 * b.set("blue", { wallMs: 12, logical: 0, replicaId: "b" });
 * a.merge(b).value(); // "blue"
 * ```
 */
export class LWWRegister<T extends JsonValue = JsonValue> implements Crdt<LWWRegister<T>, T | undefined> {
  /** Kind tag. */
  readonly kind = KIND;
  /** The replica this instance acts as. */
  readonly replicaId: ReplicaId;
  private current: LwwWrite<T> | undefined;

  /** @param replicaId - the replica this instance acts as */
  constructor(replicaId: ReplicaId) {
    checkReplicaId(replicaId);
    this.replicaId = replicaId;
  }

  /**
   * A {@link CrdtType} descriptor.
   * @example
   * ```ts
   * import { LWWRegister } from "@distkit/crdt";
   * const r = LWWRegister.type<number>().create("a");
   * ```
   */
  static type<T extends JsonValue = JsonValue>(): CrdtType<LWWRegister<T>> {
    return {
      kind: KIND,
      create: (r) => new LWWRegister<T>(r),
      decode: (b, r) => LWWRegister.decode<T>(b, r),
    };
  }

  /** Writes `value` at timestamp `ts`; returns the delta (which loses if `ts` is not the latest). */
  set(value: T, ts: LwwTimestamp): LWWRegister<T> {
    const write: LwwWrite<T> = {
      value,
      ts: checkTimestamp(ts, "LWWRegister.set"),
      key: jsonKey(value, "value"),
    };
    const delta = new LWWRegister<T>(this.replicaId);
    delta.current = write;
    this.merge(delta);
    return delta;
  }

  /** The winning value, or `undefined` before any write. */
  value(): T | undefined {
    return this.current?.value;
  }

  /** Timestamp of the winning write. */
  timestamp(): LwwTimestamp | undefined {
    return this.current?.ts;
  }

  /** Join: keeps the later write. */
  merge(other: LWWRegister<T>): this {
    if (!(other instanceof LWWRegister)) {
      throw new CrdtError("type-mismatch", "LWWRegister.merge expects an LWWRegister");
    }
    const o = other.current;
    if (o !== undefined && (this.current === undefined || lwwWins(o, this.current))) this.current = o;
    return this;
  }

  /** Lattice order. */
  leq(other: LWWRegister<T>): boolean {
    if (this.current === undefined) return true;
    if (other.current === undefined) return false;
    return this.current === other.current || !lwwWins(this.current, other.current);
  }

  /** Lattice equality. */
  equals(other: LWWRegister<T>): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy (writes are immutable and shared). */
  clone(replicaId: ReplicaId = this.replicaId): LWWRegister<T> {
    const c = new LWWRegister<T>(replicaId);
    c.current = this.current;
    return c;
  }

  /** UTF-8 JSON `{"t":"lww-register","v":1,"w":null | [value, [wallMs, logical, replicaId]]}`. */
  encode(): Uint8Array {
    const w = this.current === undefined ? null : [this.current.value, timestampToJson(this.current.ts)];
    return encodeJsonDoc(KIND, { w });
  }

  /**
   * Decodes `encode()` output; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { LWWRegister } from "@distkit/crdt";
   * const r = new LWWRegister<number>("a");
   * r.set(7, { wallMs: 1, logical: 0, replicaId: "a" });
   * LWWRegister.decode<number>(r.encode(), "b").value(); // 7
   * ```
   */
  static decode<T extends JsonValue = JsonValue>(bytes: Uint8Array, replicaId: ReplicaId): LWWRegister<T> {
    const doc = decodeJsonDoc(bytes, KIND);
    const w = field(doc, "w", KIND);
    const r = new LWWRegister<T>(replicaId);
    if (w !== null) {
      if (!Array.isArray(w) || w.length !== 2) {
        throw new DecodeError(`${KIND}.w: expected null or [value, timestamp]`);
      }
      const value = asJson(w[0], `${KIND}.w value`) as T;
      r.current = { value, ts: timestampFromJson(w[1], `${KIND}.w timestamp`), key: canonicalJson(value) };
    }
    return r;
  }
}
