/**
 * The ways a caller can misuse this package. Each names what was wrong; the error message also says
 * what is accepted.
 *
 * - `empty-membership`: a partitioner needs at least one member.
 * - `duplicate-member`: a member id appears twice, or `withMember` names an existing member.
 * - `unknown-member`: `withoutMember` / `withWeight` / an owner names a member that is not present.
 * - `invalid-member-id`: a member id is not a non-empty string.
 * - `invalid-weight`: a weight is not a positive finite number (or not an integer where one is required).
 * - `invalid-key`: a key is not a string.
 * - `too-many-replicas`: a preference list of n members was asked for, with n larger than the membership.
 * - `invalid-argument`: any other out-of-range or malformed option (table sizes, counts, ranges, epsilon).
 * - `kind-mismatch`: a rebalancing plan between partitioners of different kinds or incompatible settings.
 * - `capacity-exhausted`: a bounded-load ring has no member with spare capacity (cannot happen with epsilon > 0
 *   unless an invariant broke).
 *
 * @example
 * ```ts
 * import type { HashingErrorCode } from "@distkit/hashing";
 * const code: HashingErrorCode = "empty-membership";
 * ```
 */
export type HashingErrorCode =
  | "empty-membership"
  | "duplicate-member"
  | "unknown-member"
  | "invalid-member-id"
  | "invalid-weight"
  | "invalid-key"
  | "too-many-replicas"
  | "invalid-argument"
  | "kind-mismatch"
  | "capacity-exhausted";

/**
 * Thrown on bad input to any function or partitioner of this package. `code` says which rule was broken;
 * `message` says what was received and what is accepted.
 *
 * @example
 * ```ts
 * import { HashRing, HashingError } from "@distkit/hashing";
 * try {
 *   HashRing.create([]);
 * } catch (e) {
 *   if (e instanceof HashingError) console.log(e.code); // "empty-membership"
 * }
 * ```
 */
export class HashingError extends Error {
  /** Which rule was broken. */
  readonly code: HashingErrorCode;

  /**
   * @param code - which rule was broken
   * @param message - what was wrong and what is accepted
   */
  constructor(code: HashingErrorCode, message: string) {
    super(message);
    this.name = "HashingError";
    this.code = code;
  }
}

/**
 * Thrown when an internal invariant does not hold: a bug in this package, never a caller error.
 *
 * @example
 * ```ts
 * import { HashingInvariantError } from "@distkit/hashing";
 * const e = new HashingInvariantError("ring points are not sorted");
 * console.log(e.name); // "HashingInvariantError"
 * ```
 */
export class HashingInvariantError extends Error {
  /** Always `"invariant"`. */
  readonly code = "invariant" as const;

  /** @param message - the invariant that failed */
  constructor(message: string) {
    super(`internal invariant failed (bug in @distkit/hashing): ${message}`);
    this.name = "HashingInvariantError";
  }
}

/** @internal Throws a {@link HashingInvariantError} when `condition` is false. */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new HashingInvariantError(message);
}
