import type { Operation } from "./history.js";

/**
 * Identifies a partition of a history (for the key-value model: the key).
 *
 * @example
 * ```ts
 * import type { PartitionKey } from "@distkit/check";
 * const k: PartitionKey = "user:42";
 * ```
 */
export type PartitionKey = string | number;

/**
 * A sequential specification of an object: its initial state and how each operation changes it.
 * The checkers search for an order of the history's operations that this specification accepts.
 *
 * `step` receives the whole operation, so it can use the input, the output and the status:
 * - `ok`: the output is known; return the states reachable by applying the operation and producing
 *   that output (empty when impossible).
 * - `fail`: the operation did not take effect (usually: return `[state]`; a failed compare-and-set
 *   may still tell something, e.g. that the compare did not match).
 * - `info`: the output is unknown (`undefined`); return every state the operation could lead to if it
 *   took effect. (That it may never take effect is handled by the checker: an `info` operation
 *   returns at `Infinity`.)
 *
 * Return `[]` for "illegal here", one state for a deterministic step, several for a
 * nondeterministic one. States are never mutated: return new ones.
 *
 * @example
 * ```ts
 * import { checkLinearizable, HistoryRecorder, type Model } from "@distkit/check";
 * // A flag that can be set once and read.
 * const flag: Model<boolean> = {
 *   name: "flag",
 *   init: () => false,
 *   step: (state, op) => {
 *     if (op.f === "set") return op.status === "fail" ? [state] : [true];
 *     if (op.status !== "ok") return [state];
 *     return op.output === state ? [state] : [];
 *   },
 * };
 * const h = new HistoryRecorder();
 * h.ok(h.invoke(0, "read", null, 0), true, 1);
 * console.log(checkLinearizable(h.history(), flag).verdict); // "not-linearizable"
 * ```
 */
export interface Model<S, I = unknown, O = unknown> {
  /** A short name used in explanations ("register", "kv"). */
  readonly name: string;
  /** The initial state. */
  init(): S;
  /** The states reachable by applying `op` in `state` with `op`'s output (see above). */
  step(state: S, op: Operation<I, O>): readonly S[];
  /**
   * A 32-bit integer hash of a state, consistent with `equal`. Default: a structural hash
   * ({@link hashValue}); primitive states need nothing.
   */
  hash?(state: S): number;
  /** State equality. Default: `===` for primitives, structural equality otherwise. */
  equal?(a: S, b: S): boolean;
  /**
   * P-compositionality: if the object is a product of independent parts (a key-value map is a
   * register per key), return the part an operation touches. Each part is checked on its own, which
   * is both sound and much faster. Omit for objects that cannot be split.
   */
  partitionKey?(op: Operation<I, O>): PartitionKey;
  /**
   * Optional pruning hint: return true only if `op` never changes the state, in ANY state where it
   * is legal (a successful read, a compare-and-set whose compare failed, a failed write). The checker
   * then uses Lowe's observation that such an operation, when legal and due, can be linearized first
   * if anything can, and skips the alternatives. A wrong `true` can make the checker report
   * violations that are not there; omitting it only costs speed.
   */
  isReadOnly?(op: Operation<I, O>): boolean;
  /** Describes an operation for humans, e.g. `write(3)` or `read() -> 3`. */
  describeOperation?(op: Operation<I, O>): string;
  /** Describes a state for humans, e.g. `3` or `{x: "a"}`. */
  describeState?(state: S): string;
}

/**
 * The result to return from {@link Model.step} when the operation cannot happen in that state.
 *
 * @example
 * ```ts
 * import { ILLEGAL } from "@distkit/check";
 * const step = (state: number, out: number): readonly number[] => (out === state ? [state] : ILLEGAL);
 * ```
 */
export const ILLEGAL: readonly never[] = Object.freeze([]);
