import type { CrdtType, Crdt } from "./crdt.js";
import { CrdtError, DecodeError, invalidArgument } from "./errors.js";
import {
  asArray,
  asNat,
  asReplicaId,
  bytesEqual,
  checkReplicaId,
  compareStrings,
  decodeJsonDoc,
  encodeJsonDoc,
  field,
  type ReplicaId,
} from "./json.js";

const KIND = "g-counter";

/**
 * Grow-only counter: one non-decreasing count per replica; the value is their sum; join is the
 * pointwise maximum.
 *
 * @example
 * ```ts
 * import { GCounter } from "@distkit/crdt";
 * const a = new GCounter("a");
 * const b = new GCounter("b");
 * const delta = a.increment(2);
 * b.increment(1);
 * b.merge(delta);
 * b.value(); // 3
 * ```
 */
export class GCounter implements Crdt<GCounter, number> {
  /** Kind tag. */
  readonly kind = KIND;
  /** The replica whose entry `increment` advances. */
  readonly replicaId: ReplicaId;
  private readonly counts = new Map<ReplicaId, number>();

  /** @param replicaId - the replica this instance acts as */
  constructor(replicaId: ReplicaId) {
    checkReplicaId(replicaId);
    this.replicaId = replicaId;
  }

  /**
   * A {@link CrdtType} descriptor for G-Counters.
   * @example
   * ```ts
   * import { GCounter } from "@distkit/crdt";
   * const c = GCounter.type().create("a");
   * ```
   */
  static type(): CrdtType<GCounter> {
    return { kind: KIND, create: (r) => new GCounter(r), decode: (b, r) => GCounter.decode(b, r) };
  }

  /**
   * Adds `amount` (a non-negative safe integer, default 1); returns the delta.
   * @example
   * ```ts
   * import { GCounter } from "@distkit/crdt";
   * const delta = new GCounter("a").increment(5);
   * delta.value(); // 5
   * ```
   */
  increment(amount = 1): GCounter {
    if (!Number.isSafeInteger(amount) || amount < 0) {
      invalidArgument(`GCounter.increment: amount must be a non-negative safe integer, got ${amount}`);
    }
    const next = (this.counts.get(this.replicaId) ?? 0) + amount;
    if (!Number.isSafeInteger(next)) throw new CrdtError("limit-exceeded", "GCounter: count exceeds 2^53-1");
    this.counts.set(this.replicaId, next);
    const delta = new GCounter(this.replicaId);
    delta.counts.set(this.replicaId, next);
    return delta;
  }

  /** The count contributed by one replica. */
  countOf(replicaId: ReplicaId): number {
    return this.counts.get(replicaId) ?? 0;
  }

  /** Replicas with a non-zero entry, sorted. */
  replicas(): ReplicaId[] {
    return [...this.counts.keys()].sort(compareStrings);
  }

  /** Sum of all replica counts. */
  value(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  /** Pointwise maximum, in place. */
  merge(other: GCounter): this {
    if (!(other instanceof GCounter))
      throw new CrdtError("type-mismatch", "GCounter.merge expects a GCounter");
    for (const [r, n] of other.counts) if (n > (this.counts.get(r) ?? 0)) this.counts.set(r, n);
    return this;
  }

  /** Pointwise `<=`. */
  leq(other: GCounter): boolean {
    for (const [r, n] of this.counts) if (n > (other.counts.get(r) ?? 0)) return false;
    return true;
  }

  /** Lattice equality. */
  equals(other: GCounter): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy. */
  clone(replicaId: ReplicaId = this.replicaId): GCounter {
    const c = new GCounter(replicaId);
    for (const [r, n] of this.counts) c.counts.set(r, n);
    return c;
  }

  /** JSON form used by encode and by the PN-Counter. @internal */
  toJson(): [string, number][] {
    return [...this.counts].filter(([, n]) => n > 0).sort((x, y) => compareStrings(x[0], y[0]));
  }

  /** @internal */
  static fromJson(json: unknown, what: string, replicaId: ReplicaId): GCounter {
    const c = new GCounter(replicaId);
    for (const e of asArray(json, what)) {
      const pair = asArray(e, `${what} entry`);
      if (pair.length !== 2) throw new DecodeError(`${what}: entries are [replicaId, count]`);
      const r = asReplicaId(pair[0], `${what} replica`);
      if (c.counts.has(r)) throw new DecodeError(`${what}: duplicate replica ${JSON.stringify(r)}`);
      c.counts.set(r, asNat(pair[1], `${what} count`));
    }
    return c;
  }

  /** UTF-8 JSON `{"t":"g-counter","v":1,"counts":[[replica,count],...]}`. */
  encode(): Uint8Array {
    return encodeJsonDoc(KIND, { counts: this.toJson() });
  }

  /**
   * Decodes `encode()` output; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { GCounter } from "@distkit/crdt";
   * const c = new GCounter("a");
   * c.increment();
   * GCounter.decode(c.encode(), "b").value(); // 1
   * ```
   */
  static decode(bytes: Uint8Array, replicaId: ReplicaId): GCounter {
    const doc = decodeJsonDoc(bytes, KIND);
    return GCounter.fromJson(field(doc, "counts", KIND), `${KIND}.counts`, replicaId);
  }
}
