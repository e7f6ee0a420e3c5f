import type { NodeId } from "@distkit/sim-net";
import type { Json } from "./json.js";

/**
 * An opaque causal context: what a client read, handed back with its next write so the store knows which
 * versions the write supersedes (Riak's vclock). Empty string = "I have seen nothing".
 *
 * @example
 * ```ts
 * import type { CausalContext } from "@distkit/quorum";
 * const none: CausalContext = "";
 * ```
 */
export type CausalContext = string;

/**
 * What a coordinator knows about a client write when it turns it into a replica state.
 *
 * @example
 * ```ts
 * import type { WriteIntent } from "@distkit/quorum";
 * const intent: WriteIntent = { value: "v1", deleted: false, context: "", coordinator: "n1", timestampMs: 12 };
 * ```
 */
export interface WriteIntent {
  /** The value written (ignored for deletes). */
  readonly value: Json;
  /** Whether this write is a delete (a tombstone). */
  readonly deleted: boolean;
  /** The causal context the client read, or "" (DVV uses it; LWW and CRDT ignore it). */
  readonly context: CausalContext;
  /** The coordinating node (DVV: the actor of the new dot). */
  readonly coordinator: NodeId;
  /** Write timestamp: the coordinator's clock or one the client supplied (LWW orders by it). */
  readonly timestampMs: number;
}

/**
 * What a read returns after merging replica states: the live values (one, several siblings, or none)
 * and the causal context to pass to the next write.
 *
 * @example
 * ```ts
 * import type { ReadView } from "@distkit/quorum";
 * const view: ReadView = { values: ["a", "b"], context: "..." };
 * ```
 */
export interface ReadView {
  /** Live values; several under DVV when writes were concurrent (siblings); empty when deleted or absent. */
  readonly values: readonly Json[];
  /** Causal context covering every version merged into this view. */
  readonly context: CausalContext;
}

/**
 * How a store versions values and resolves conflicts. A replica state `S` is JSON data kept per key;
 * `merge` must be a join (commutative, associative, idempotent), so replicas converge whatever order
 * they exchange states in.
 *
 * Built-in policies: {@link dvvPolicy} (siblings with causal contexts, Riak), {@link lwwPolicy}
 * (timestamps, Cassandra's tie-break), {@link crdtPolicy} (automatic merge of CRDT states).
 *
 * @example
 * ```ts
 * import { lwwPolicy } from "@distkit/quorum";
 * const policy = lwwPolicy();
 * const a = policy.write(undefined, { value: 1, deleted: false, context: "", coordinator: "n1", timestampMs: 5 });
 * policy.read(a).values; // [1]
 * ```
 */
export interface VersioningPolicy<S extends Json = Json> {
  /** Which family the policy belongs to. */
  readonly kind: "dvv" | "lww" | "crdt";
  /**
   * Whether the coordinator must be a replica and fold the write into its own state (DVV: the dot's
   * counter comes from the coordinator's replica state).
   */
  readonly coordinatorMustBeReplica: boolean;
  /** The state to replicate for a client write, given the coordinator's local state (if a replica). */
  write(local: S | undefined, intent: WriteIntent): S;
  /**
   * Join of two replica states. `onLost` is called with every version the join discards although its
   * writer's successor never saw it (a concurrent write lost to last-write-wins); DVV and CRDT never lose.
   */
  merge(a: S, b: S, onLost?: (lost: S) => void): S;
  /** Whether `a` already contains everything `b` contains (merge(a, b) equals a). */
  descends(a: S, b: S): boolean;
  /** Live values and causal context of a state. */
  read(state: S): ReadView;
  /** Whether the state holds no live value (only tombstones). */
  isTombstone(state: S): boolean;
  /** A deterministic string that is equal for equal states (hashed by Merkle trees). */
  digest(state: S): string;
  /** Checks a client-supplied causal context; throws `QuorumError` `malformed-context` when it is bad. */
  validateContext(context: CausalContext): void;
  /**
   * The write timestamp that orders a state (policies that order writes by timestamps: `lwwPolicy`).
   * Two-phase writes (`writeMode: "two-phase"`) read it from R replicas and write above the maximum; a
   * policy without it (DVV, CRDT) cannot run two-phase writes.
   *
   * @example
   * ```ts
   * import { lwwPolicy } from "@distkit/quorum";
   * const lww = lwwPolicy();
   * const s = lww.write(undefined, { value: 1, deleted: false, context: "", coordinator: "n1", timestampMs: 7 });
   * lww.timestampOf?.(s); // 7
   * ```
   */
  timestampOf?(state: S): number;
}
