/**
 * Partitioning schemes and key positions. Every scheme maps a key to a *position* in one ordered space of
 * strings, so the shard map, splits, merges and migrations treat all schemes alike: key ranges (the key
 * itself), hashed ranges (murmur3_32 of the key, as 10 decimal digits) and fixed slots (Redis Cluster's CRC16
 * slot, as 5 decimal digits). Hashed and slot positions honour Redis hash tags: `{user1}.cart` and
 * `{user1}.orders` get the same position.
 * @module
 */
import { murmur3_32, REDIS_SLOT_COUNT, redisHashSlot, redisHashTag } from "@distkit/hashing";
import { ShardingError } from "./errors.js";

/**
 * How keys are placed in the ordered position space.
 *
 * - `range`: the key itself in string order (MongoDB ranged sharding, HBase, CockroachDB); scans by key
 *   stay on few shards; sequential keys make hot spots.
 * - `hashed`: murmur3_32 of the key (of its `{hash tag}` when it has one) with `seed` (MongoDB hashed
 *   sharding); even load, scans touch every shard.
 * - `slots`: Redis Cluster's 16384 CRC16 slots with hash tags.
 *
 * @example
 * ```ts
 * import type { PartitionScheme } from "@distkit/sharding";
 * const scheme: PartitionScheme = { kind: "hashed", seed: 0 };
 * ```
 */
export type PartitionScheme =
  | { readonly kind: "range" }
  | { readonly kind: "hashed"; readonly seed: number }
  | { readonly kind: "slots" };

/** Digits of a hashed position (2^32 - 1 has 10). */
export const HASH_POSITION_DIGITS = 10;
/** Digits of a slot position (16383 has 5). */
export const SLOT_POSITION_DIGITS = 5;
/** Size of the hashed position space: 2^32. */
export const HASHED_SPACE = 4294967296;

/**
 * The position of a numeric point (a hash or a slot) of a scheme: zero-padded decimal, so string order is
 * numeric order.
 *
 * @example
 * ```ts
 * import { numericPosition } from "@distkit/sharding";
 * numericPosition({ kind: "slots" }, 42); // "00042"
 * ```
 */
export function numericPosition(scheme: PartitionScheme, point: number): string {
  const space = spaceSize(scheme);
  if (space === null) {
    throw new ShardingError("invalid-argument", "numericPosition: the range scheme has no numeric positions");
  }
  if (!Number.isSafeInteger(point) || point < 0 || point >= space) {
    throw new ShardingError(
      "invalid-argument",
      `numericPosition: point must be an integer in [0, ${space}), got ${point}`,
    );
  }
  return String(point).padStart(scheme.kind === "slots" ? SLOT_POSITION_DIGITS : HASH_POSITION_DIGITS, "0");
}

/**
 * Size of the numeric space of a scheme (16384 slots, 2^32 hashes), or `null` for key ranges.
 *
 * @example
 * ```ts
 * import { spaceSize } from "@distkit/sharding";
 * spaceSize({ kind: "slots" }); // 16384
 * ```
 */
export function spaceSize(scheme: PartitionScheme): number | null {
  if (scheme.kind === "slots") return REDIS_SLOT_COUNT;
  if (scheme.kind === "hashed") return HASHED_SPACE;
  return null;
}

/**
 * The numeric value of a position of a numeric scheme (inverse of {@link numericPosition}).
 *
 * @example
 * ```ts
 * import { positionValue } from "@distkit/sharding";
 * positionValue({ kind: "slots" }, "00042"); // 42
 * ```
 */
export function positionValue(scheme: PartitionScheme, position: string): number {
  const space = spaceSize(scheme);
  const digits = scheme.kind === "slots" ? SLOT_POSITION_DIGITS : HASH_POSITION_DIGITS;
  if (space === null || position.length !== digits || !/^[0-9]+$/.test(position)) {
    throw new ShardingError(
      "invalid-argument",
      `position ${JSON.stringify(position)} is not a ${scheme.kind} position (${digits} decimal digits)`,
    );
  }
  const v = Number(position);
  if (v >= space) {
    throw new ShardingError(
      "invalid-argument",
      `position ${position} is outside [0, ${space}) of the ${scheme.kind} scheme`,
    );
  }
  return v;
}

/**
 * Checks that `position` is a valid position of the scheme (any string for key ranges).
 *
 * @example
 * ```ts
 * import { isValidPosition } from "@distkit/sharding";
 * isValidPosition({ kind: "slots" }, "16384"); // false
 * ```
 */
export function isValidPosition(scheme: PartitionScheme, position: string): boolean {
  if (typeof position !== "string") return false;
  if (scheme.kind === "range") return true;
  try {
    positionValue(scheme, position);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where a key lives in the position space of `scheme`.
 *
 * @example
 * ```ts
 * import { keyPosition } from "@distkit/sharding";
 * keyPosition({ kind: "slots" }, "{user1}.cart") === keyPosition({ kind: "slots" }, "{user1}.orders"); // true
 * keyPosition({ kind: "range" }, "apple"); // "apple"
 * ```
 */
export function keyPosition(scheme: PartitionScheme, key: string): string {
  if (typeof key !== "string") {
    throw new ShardingError("invalid-argument", `keys are strings, got ${typeof key}`);
  }
  switch (scheme.kind) {
    case "range":
      return key;
    case "hashed":
      return numericPosition(scheme, murmur3_32(redisHashTag(key), scheme.seed) >>> 0);
    case "slots":
      return numericPosition(scheme, redisHashSlot(key));
  }
}

/**
 * Validates a scheme and returns it (frozen copy).
 *
 * @example
 * ```ts
 * import { validateScheme } from "@distkit/sharding";
 * validateScheme({ kind: "hashed", seed: 7 });
 * ```
 */
export function validateScheme(scheme: PartitionScheme): PartitionScheme {
  if (typeof scheme !== "object" || scheme === null) {
    throw new ShardingError("invalid-argument", 'scheme must be { kind: "range" | "hashed" | "slots" }');
  }
  if (scheme.kind === "range" || scheme.kind === "slots") return Object.freeze({ kind: scheme.kind });
  if (scheme.kind === "hashed") {
    const seed = scheme.seed;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new ShardingError(
        "invalid-argument",
        `hashed scheme seed must be an unsigned 32-bit integer, got ${seed}`,
      );
    }
    return Object.freeze({ kind: "hashed", seed });
  }
  throw new ShardingError(
    "invalid-argument",
    `scheme kind must be "range", "hashed" or "slots", got ${JSON.stringify((scheme as { kind: unknown }).kind)}`,
  );
}
