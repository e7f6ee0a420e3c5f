import type { ReplicaId } from "./json.js";

/**
 * The interface every CRDT class of this package implements, so a store can hold "any CRDT".
 *
 * Instances are mutable replica states. Mutators (`add`, `increment`, ...) change the state in place
 * and return a *delta*: a small instance of the same class that, merged into any replica, has the same
 * effect as the mutation. `merge` is the lattice join (commutative, associative, idempotent) and
 * accepts full states and deltas alike.
 *
 * @typeParam Self - the implementing class
 * @typeParam V - the type of {@link Crdt.value}
 *
 * @example
 * ```ts
 * import { type Crdt, PNCounter } from "@distkit/crdt";
 * function joinAll<C extends Crdt<C, unknown>>(states: C[]): C {
 *   const [first, ...rest] = states;
 *   const acc = first!.clone();
 *   for (const s of rest) acc.merge(s);
 *   return acc;
 * }
 * const a = new PNCounter("a");
 * a.increment(2);
 * const b = new PNCounter("b");
 * b.decrement(1);
 * joinAll([a, b]).value(); // 1
 * ```
 */
export interface Crdt<Self, V> {
  /** Kind tag, e.g. `"or-set"`; also the tag inside `encode()`. */
  readonly kind: string;
  /** The replica that mutators of this instance act as. */
  readonly replicaId: ReplicaId;
  /** The observable value. */
  value(): V;
  /** Joins another state or delta into this one, in place; returns `this`. */
  merge(other: Self): this;
  /** Lattice order: `true` iff `this <= other`, i.e. `other.merge(this)` would not change `other`. */
  leq(other: Self): boolean;
  /** `true` iff both states are equal as lattice elements. */
  equals(other: Self): boolean;
  /** A deep copy; optionally acting as another replica. */
  clone(replicaId?: ReplicaId): Self;
  /** Deterministic encoding (equal states encode to equal bytes). */
  encode(): Uint8Array;
}

/**
 * A descriptor to create and decode states of one CRDT type: what {@link ORMap} needs for its values,
 * and what a generic store needs to rebuild states from bytes.
 *
 * @example
 * ```ts
 * import { PNCounter, type CrdtType } from "@distkit/crdt";
 * const t: CrdtType<PNCounter> = PNCounter.type();
 * const c = t.create("a");
 * const copy = t.decode(c.encode(), "b");
 * ```
 */
export interface CrdtType<C> {
  /** Kind tag of the states it creates. */
  readonly kind: string;
  /** A new bottom (empty) state acting as `replicaId`. */
  create(replicaId: ReplicaId): C;
  /** Decodes bytes produced by `encode()`; throws {@link DecodeError} on bad input. */
  decode(bytes: Uint8Array, replicaId: ReplicaId): C;
}
