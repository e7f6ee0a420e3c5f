/**
 * The `code` of a {@link QuorumError}: which rule a configuration or request broke.
 *
 * - `invalid-quorum`: R or W is not an integer in 1..N.
 * - `invalid-replication`: N is not an integer in 1..(number of cluster members).
 * - `unknown-consistency-level`: a consistency-level name other than ONE, TWO, THREE, QUORUM, ALL.
 * - `malformed-context`: a causal context that does not decode to a version vector.
 * - `invalid-config`: any other out-of-range option (timeouts, tree depth, intervals, node lists).
 * - `invalid-request`: a request with a bad key or value (empty key, value not JSON-serializable).
 *
 * @example
 * ```ts
 * import type { QuorumErrorCode } from "@distkit/quorum";
 * const code: QuorumErrorCode = "invalid-quorum";
 * ```
 */
export type QuorumErrorCode =
  | "invalid-quorum"
  | "invalid-replication"
  | "unknown-consistency-level"
  | "malformed-context"
  | "invalid-config"
  | "invalid-request";

/**
 * Thrown by `@distkit/quorum` on bad configuration or bad requests. The `code` says which rule was broken;
 * the message says what was wrong and what is accepted. Expected outcomes (a timeout, too few replicas)
 * are never thrown: they are values in the operation results.
 *
 * @example
 * ```ts
 * import { QuorumError, resolveQuorum } from "@distkit/quorum";
 * try {
 *   resolveQuorum({ n: 3, r: 4, w: 2 }, 5);
 * } catch (e) {
 *   if (e instanceof QuorumError) console.log(e.code); // "invalid-quorum"
 * }
 * ```
 */
export class QuorumError extends Error {
  /** Which rule was broken. */
  readonly code: QuorumErrorCode;

  /**
   * @param code - which rule was broken
   * @param message - what was wrong and what is accepted
   */
  constructor(code: QuorumErrorCode, message: string) {
    super(message);
    this.name = "QuorumError";
    this.code = code;
  }
}

/** Internal invariant check: throws a plain Error (a bug, not a user mistake) when `cond` is false. */
export function invariant(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Error(`@distkit/quorum invariant violated: ${what}`);
}
