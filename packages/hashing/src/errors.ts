/**
 * The ways a caller can misuse this package. Each names what was wrong; the error message also says
 * what is accepted.
 *
 * - `EMPTY_MEMBERSHIP`: a partitioner needs at least one member.
 * - `DUPLICATE_MEMBER`: a member id appears twice, or `withMember` names an existing member.
 * - `UNKNOWN_MEMBER`: `withoutMember` / `withWeight` / an owner names a member that is not present.
 * - `INVALID_MEMBER_ID`: a member id is not a non-empty string.
 * - `INVALID_WEIGHT`: a weight is not a positive finite number (or not an integer where one is required).
 * - `INVALID_KEY`: a key is not a string.
 * - `TOO_MANY_REPLICAS`: a preference list of n members was asked for, with n larger than the membership.
 * - `INVALID_ARGUMENT`: any other out-of-range or malformed option (table sizes, counts, ranges, epsilon).
 * - `KIND_MISMATCH`: a rebalancing plan between partitioners of different kinds or incompatible settings.
 * - `CAPACITY_EXHAUSTED`: a bounded-load ring has no member with spare capacity (cannot happen with epsilon > 0
 *   unless an invariant broke).
 *
 * @example
 * ```ts
 * import type { HashingErrorCode } from "@distkit/hashing";
 * const code: HashingErrorCode = "EMPTY_MEMBERSHIP";
 * ```
 */
export type HashingErrorCode =
  | "EMPTY_MEMBERSHIP"
  | "DUPLICATE_MEMBER"
  | "UNKNOWN_MEMBER"
  | "INVALID_MEMBER_ID"
  | "INVALID_WEIGHT"
  | "INVALID_KEY"
  | "TOO_MANY_REPLICAS"
  | "INVALID_ARGUMENT"
  | "KIND_MISMATCH"
  | "CAPACITY_EXHAUSTED";

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
 *   if (e instanceof HashingError) console.log(e.code); // "EMPTY_MEMBERSHIP"
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
  /** Always `"INVARIANT"`. */
  readonly code = "INVARIANT" as const;

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
