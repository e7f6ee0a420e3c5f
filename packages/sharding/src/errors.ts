/**
 * The error class of @distkit/sharding: thrown for bad input and misuse (an unknown shard, overlapping
 * ranges, a split point outside its range, a migration to a shard that is not a member). Expected outcomes
 * of requests (stale config, wrong shard, shard unavailable) are values in replies, never thrown.
 * @module
 */

/**
 * Machine-readable reason of a {@link ShardingError}.
 *
 * - `invalid-argument`: a malformed option or value (counts, ids, keys, positions).
 * - `unknown-shard`: a shard id that is not a member of the map.
 * - `duplicate-shard`: adding a shard id that is already a member.
 * - `unknown-range`: a range id that is not in the map.
 * - `unknown-migration`: a migration id the config service does not know.
 * - `overlapping-ranges`: ranges that overlap, leave a gap, or do not cover the whole key space.
 * - `split-out-of-range`: a split point that is not strictly inside its range.
 * - `not-adjacent`: a merge of ranges that are not neighbours or not on the same shard.
 * - `shard-not-empty`: removing a shard that still owns ranges.
 * - `migration-conflict`: a migration of a range or shard that already has one in flight, or to its owner.
 * - `not-member`: a migration to a shard that is not an active member.
 * - `cross-shard`: a multi-key request whose keys are not all in one range (give them a common `{hash tag}`).
 * - `invalid-map`: an encoded shard map that does not validate.
 * - `invariant-violation`: an internal invariant broke (a bug); assertions stay on.
 *
 * @example
 * ```ts
 * import type { ShardingErrorCode } from "@distkit/sharding";
 * const code: ShardingErrorCode = "split-out-of-range";
 * ```
 */
export type ShardingErrorCode =
  | "invalid-argument"
  | "unknown-shard"
  | "duplicate-shard"
  | "unknown-range"
  | "unknown-migration"
  | "overlapping-ranges"
  | "split-out-of-range"
  | "not-adjacent"
  | "shard-not-empty"
  | "migration-conflict"
  | "not-member"
  | "cross-shard"
  | "invalid-map"
  | "invariant-violation";

/**
 * Thrown on bad input to any function of this package. `code` says which rule was broken; the message says
 * what was received and what is accepted. The value the call was made on is left unchanged.
 *
 * @example
 * ```ts
 * import { ShardMap, ShardingError } from "@distkit/sharding";
 * const map = ShardMap.create({ scheme: { kind: "slots" }, shards: [{ id: "s1", replicas: ["a"] }] });
 * try {
 *   map.splitRange(map.ranges[0]!.id, "99999");
 * } catch (e) {
 *   if (e instanceof ShardingError) console.log(e.code); // "split-out-of-range"
 * }
 * ```
 */
export class ShardingError extends Error {
  /** Which rule was broken. */
  readonly code: ShardingErrorCode;

  /**
   * @param code - which rule was broken
   * @param message - what was wrong and what is accepted
   */
  constructor(code: ShardingErrorCode, message: string) {
    super(message);
    this.name = "ShardingError";
    this.code = code;
  }
}

/** Throws an `invariant-violation` {@link ShardingError} when `condition` is false. @internal */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ShardingError("invariant-violation", `sharding invariant violated: ${message}`);
}
