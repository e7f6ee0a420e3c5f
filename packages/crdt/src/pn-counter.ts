import type { CrdtType, Crdt } from "./crdt.js";
import { CrdtError, invalidArgument } from "./errors.js";
import { GCounter } from "./g-counter.js";
import { bytesEqual, checkReplicaId, decodeJsonDoc, encodeJsonDoc, field, type ReplicaId } from "./json.js";

const KIND = "pn-counter";

/**
 * Positive-negative counter: two G-Counters, one for increments and one for decrements.
 *
 * @example
 * ```ts
 * import { PNCounter } from "@distkit/crdt";
 * const a = new PNCounter("a");
 * const b = new PNCounter("b");
 * a.increment(3);
 * b.merge(a.decrement(1));
 * b.value(); // -1 (b saw only the decrement delta)
 * b.merge(a);
 * b.value(); // 2
 * ```
 */
export class PNCounter implements Crdt<PNCounter, number> {
  /** Kind tag. */
  readonly kind = KIND;
  /** The replica whose entries the mutators advance. */
  readonly replicaId: ReplicaId;
  private p: GCounter;
  private n: GCounter;

  /** @param replicaId - the replica this instance acts as */
  constructor(replicaId: ReplicaId) {
    checkReplicaId(replicaId);
    this.replicaId = replicaId;
    this.p = new GCounter(replicaId);
    this.n = new GCounter(replicaId);
  }

  /**
   * A {@link CrdtType} descriptor for PN-Counters.
   * @example
   * ```ts
   * import { PNCounter } from "@distkit/crdt";
   * const c = PNCounter.type().create("a");
   * ```
   */
  static type(): CrdtType<PNCounter> {
    return { kind: KIND, create: (r) => new PNCounter(r), decode: (b, r) => PNCounter.decode(b, r) };
  }

  /** Adds `amount` (non-negative safe integer, default 1); returns the delta. */
  increment(amount = 1): PNCounter {
    if (!Number.isSafeInteger(amount) || amount < 0) {
      invalidArgument(`PNCounter.increment: amount must be a non-negative safe integer, got ${amount}`);
    }
    const delta = new PNCounter(this.replicaId);
    delta.p = this.p.increment(amount);
    return delta;
  }

  /** Subtracts `amount` (non-negative safe integer, default 1); returns the delta. */
  decrement(amount = 1): PNCounter {
    if (!Number.isSafeInteger(amount) || amount < 0) {
      invalidArgument(`PNCounter.decrement: amount must be a non-negative safe integer, got ${amount}`);
    }
    const delta = new PNCounter(this.replicaId);
    delta.n = this.n.increment(amount);
    return delta;
  }

  /** Increments minus decrements. */
  value(): number {
    return this.p.value() - this.n.value();
  }

  /** Join, in place. */
  merge(other: PNCounter): this {
    if (!(other instanceof PNCounter))
      throw new CrdtError("type-mismatch", "PNCounter.merge expects a PNCounter");
    this.p.merge(other.p);
    this.n.merge(other.n);
    return this;
  }

  /** Lattice order. */
  leq(other: PNCounter): boolean {
    return this.p.leq(other.p) && this.n.leq(other.n);
  }

  /** Lattice equality. */
  equals(other: PNCounter): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy. */
  clone(replicaId: ReplicaId = this.replicaId): PNCounter {
    const c = new PNCounter(replicaId);
    c.p = this.p.clone(replicaId);
    c.n = this.n.clone(replicaId);
    return c;
  }

  /** UTF-8 JSON `{"t":"pn-counter","v":1,"p":[...],"n":[...]}`. */
  encode(): Uint8Array {
    return encodeJsonDoc(KIND, { p: this.p.toJson(), n: this.n.toJson() });
  }

  /**
   * Decodes `encode()` output; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { PNCounter } from "@distkit/crdt";
   * const c = new PNCounter("a");
   * c.decrement(2);
   * PNCounter.decode(c.encode(), "b").value(); // -2
   * ```
   */
  static decode(bytes: Uint8Array, replicaId: ReplicaId): PNCounter {
    const doc = decodeJsonDoc(bytes, KIND);
    const c = new PNCounter(replicaId);
    c.p = GCounter.fromJson(field(doc, "p", KIND), `${KIND}.p`, replicaId);
    c.n = GCounter.fromJson(field(doc, "n", KIND), `${KIND}.n`, replicaId);
    return c;
  }
}
