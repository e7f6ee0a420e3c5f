import { redisHashSlot } from "./crc16.js";
import { invariant } from "./errors.js";
import { jumpBucket, jumpLowHalf } from "./jump-hash.js";
import type { Member, MemberId } from "./member.js";
import { checkKey } from "./member.js";
import { keyHash32 } from "./murmur3.js";
import type { PartitionerKind } from "./partitioner.js";
import { hrwWinner } from "./rendezvous.js";

/**
 * 2^32: the size of the 32-bit hash space; hash ranges end at most here.
 *
 * @example
 * ```ts
 * import { HASH_SPACE } from "@distkit/hashing";
 * const quarter = HASH_SPACE / 4; // a hash range [0, quarter) holds a quarter of the keys
 * ```
 */
export const HASH_SPACE = 4294967296;

/**
 * How a partitioner with a fixed set of slots maps a key to a slot.
 *
 * - `redis-crc16`: `redisHashSlot(key)`, CRC16 with hash tags, 16384 slots (Redis Cluster).
 * - `hash-mod`: `murmur3_32(key, seed) % modulus` (Maglev tables, hash mod N).
 * - `hash-range`: `floor(murmur3_32(key, seed) * count / 2^32)`: equal ranges of the hash space (Riak's ring
 *   of Q partitions).
 *
 * @example
 * ```ts
 * import { slotOf, type Slotting } from "@distkit/hashing";
 * const s: Slotting = { type: "hash-range", seed: 0, count: 64 };
 * slotOf(s, "user:42"); // an integer in [0, 64)
 * ```
 */
export type Slotting =
  | { readonly type: "redis-crc16" }
  | { readonly type: "hash-mod"; readonly seed: number; readonly modulus: number }
  | { readonly type: "hash-range"; readonly seed: number; readonly count: number };

/**
 * The slot of `key` under a {@link Slotting}.
 *
 * @param slotting - the slot function
 * @param key - the key
 * @returns the slot index
 *
 * @example
 * ```ts
 * import { slotOf } from "@distkit/hashing";
 * slotOf({ type: "redis-crc16" }, "123456789"); // 12739
 * ```
 */
export function slotOf(slotting: Slotting, key: string): number {
  checkKey(key);
  switch (slotting.type) {
    case "redis-crc16":
      return redisHashSlot(key);
    case "hash-mod":
      return keyHash32(key, slotting.seed) % slotting.modulus;
    case "hash-range":
      return Math.floor((keyHash32(key, slotting.seed) * slotting.count) / HASH_SPACE);
  }
}

/**
 * A set of keys that moves as a whole in a rebalancing plan. Every variant is plain data (JSON-serializable)
 * and says exactly which keys it holds; {@link unitContains} evaluates it.
 *
 * - `hash-range`: keys with `start <= murmur3_32(key, seed) < end` (end at most 2^32).
 * - `key-range`: keys with `start <= key < end` in JavaScript string order (UTF-16 code units); `end: null`
 *   means unbounded.
 * - `slots`: keys whose slot under `slotting` is in `[start, end)`.
 * - `jump-buckets`: keys in jump bucket `bucketBefore` of `bucketsBefore` and in bucket `bucketAfter` of
 *   `bucketsAfter` (jump key derived from `murmur3_32(key, seed)`).
 * - `hrw-winners`: keys whose highest-random-weight winner is `winnerBefore` among `before` and
 *   `winnerAfter` among `after`.
 * - `keys`: exactly the listed keys (bounded-load assignments).
 *
 * @example
 * ```ts
 * import { unitContains, type KeyUnit } from "@distkit/hashing";
 * const unit: KeyUnit = { type: "key-range", start: "a", end: "m" };
 * unitContains(unit, "hello"); // true
 * ```
 */
export type KeyUnit =
  | { readonly type: "hash-range"; readonly seed: number; readonly start: number; readonly end: number }
  | { readonly type: "key-range"; readonly start: string; readonly end: string | null }
  | { readonly type: "slots"; readonly slotting: Slotting; readonly start: number; readonly end: number }
  | {
      readonly type: "jump-buckets";
      readonly seed: number;
      readonly bucketsBefore: number;
      readonly bucketBefore: number;
      readonly bucketsAfter: number;
      readonly bucketAfter: number;
    }
  | {
      readonly type: "hrw-winners";
      readonly seed: number;
      readonly before: readonly Member[];
      readonly after: readonly Member[];
      readonly winnerBefore: MemberId;
      readonly winnerAfter: MemberId;
    }
  | { readonly type: "keys"; readonly keys: readonly string[] };

/**
 * One step of a rebalancing plan: the keys of `unit` move from member `from` to member `to`.
 *
 * @example
 * ```ts
 * import type { Move } from "@distkit/hashing";
 * const move: Move = { from: "a", to: "b", unit: { type: "key-range", start: "k", end: null }, share: null };
 * ```
 */
export interface Move {
  /** The member that owns the unit before. */
  readonly from: MemberId;
  /** The member that owns the unit after. */
  readonly to: MemberId;
  /** The keys that move. */
  readonly unit: KeyUnit;
  /**
   * The expected fraction of all keys in the unit (for uniformly hashed keys; for `keys` units the fraction of
   * assigned keys), or `null` when the unit has no such measure (key ranges).
   */
  readonly share: number | null;
}

/**
 * What a membership change moves, computed from the old and new mappings without touching data.
 *
 * @example
 * ```ts
 * import { HashRing, planRebalance } from "@distkit/hashing";
 * const ring = HashRing.create(["a", "b", "c"]);
 * const plan = planRebalance(ring, ring.withoutMember("c"));
 * console.log(plan.moves.length, plan.movedShare, plan.idealShare);
 * ```
 */
export interface RebalancePlan {
  /** The algorithm of both partitioners. */
  readonly kind: PartitionerKind;
  /** The moves, disjoint, in a deterministic order. */
  readonly moves: readonly Move[];
  /** Sum of the moves' shares: the expected fraction of keys that change owner (`null` when unknown). */
  readonly movedShare: number | null;
  /**
   * The least fraction any placement must move for this change of membership and weights:
   * the sum over members of max(0, share before - share after), shares proportional to weight.
   * For adding one member to n equal members it is 1/(n + 1).
   */
  readonly idealShare: number;
}

/**
 * The least fraction of keys that any weight-proportional placement must move when the membership changes
 * from `before` to `after`: the sum over members of max(0, share before - share after).
 *
 * @param before - the old membership
 * @param after - the new membership
 * @returns a fraction in [0, 1]
 *
 * @example
 * ```ts
 * import { idealMovedShare } from "@distkit/hashing";
 * idealMovedShare([{ id: "a", weight: 1 }], [{ id: "a", weight: 1 }, { id: "b", weight: 1 }]); // 0.5
 * ```
 */
export function idealMovedShare(before: readonly Member[], after: readonly Member[]): number {
  let totalBefore = 0;
  let totalAfter = 0;
  for (const m of before) totalBefore += m.weight;
  for (const m of after) totalAfter += m.weight;
  const afterShare = new Map<MemberId, number>();
  for (const m of after) afterShare.set(m.id, m.weight / totalAfter);
  let moved = 0;
  for (const m of before) moved += Math.max(0, m.weight / totalBefore - (afterShare.get(m.id) ?? 0));
  return moved;
}

const keySets = new WeakMap<readonly string[], ReadonlySet<string>>();

/**
 * Whether `key` belongs to `unit`.
 *
 * @param unit - a unit from a plan
 * @param key - the key
 * @returns true when the key is one of the unit's keys
 *
 * @example
 * ```ts
 * import { unitContains } from "@distkit/hashing";
 * unitContains({ type: "slots", slotting: { type: "redis-crc16" }, start: 12000, end: 13000 }, "123456789"); // true
 * ```
 */
export function unitContains(unit: KeyUnit, key: string): boolean {
  checkKey(key);
  switch (unit.type) {
    case "hash-range": {
      const h = keyHash32(key, unit.seed);
      return h >= unit.start && h < unit.end;
    }
    case "key-range":
      return key >= unit.start && (unit.end === null || key < unit.end);
    case "slots": {
      const s = slotOf(unit.slotting, key);
      return s >= unit.start && s < unit.end;
    }
    case "jump-buckets": {
      const h = keyHash32(key, unit.seed);
      const lo = jumpLowHalf(h);
      return (
        jumpBucket(h, lo, unit.bucketsBefore) === unit.bucketBefore &&
        jumpBucket(h, lo, unit.bucketsAfter) === unit.bucketAfter
      );
    }
    case "hrw-winners": {
      const h = keyHash32(key, unit.seed);
      return (
        hrwWinner(unit.before, unit.seed, h) === unit.winnerBefore &&
        hrwWinner(unit.after, unit.seed, h) === unit.winnerAfter
      );
    }
    case "keys": {
      let set = keySets.get(unit.keys);
      if (set === undefined) {
        set = new Set(unit.keys);
        keySets.set(unit.keys, set);
      }
      return set.has(key);
    }
  }
}

/**
 * Applies a plan to one key: its owner after the plan, given its owner before. Applying the plan to the old
 * mapping gives exactly the new one: `applyPlan(planRebalance(a, b), k, a.locate(k)) === b.locate(k)`.
 *
 * @param plan - the plan
 * @param key - the key
 * @param ownerBefore - the key's owner under the old partitioner
 * @returns the key's owner after the moves
 *
 * @example
 * ```ts
 * import { JumpHash, applyPlan, planRebalance } from "@distkit/hashing";
 * const a = JumpHash.create(["x", "y"]);
 * const b = a.withMember("z");
 * applyPlan(planRebalance(a, b), "k1", a.locate("k1")) === b.locate("k1"); // true
 * ```
 */
export function applyPlan(plan: RebalancePlan, key: string, ownerBefore: MemberId): MemberId {
  for (const move of plan.moves) {
    if (move.from === ownerBefore && unitContains(move.unit, key)) return move.to;
  }
  return ownerBefore;
}

/** @internal Builds a plan, summing shares. */
export function makePlan(
  kind: PartitionerKind,
  moves: Move[],
  before: readonly Member[],
  after: readonly Member[],
): RebalancePlan {
  let moved: number | null = 0;
  for (const m of moves) {
    invariant(m.from !== m.to, "a move goes from one member to another");
    if (m.share === null || moved === null) moved = null;
    else moved += m.share;
  }
  return Object.freeze({
    kind,
    moves: Object.freeze(moves),
    movedShare: moved,
    idealShare: idealMovedShare(before, after),
  });
}

/**
 * A partition of the hash space [0, 2^32) into consecutive segments: segment k is [ends[k-1], ends[k]) with
 * ends[-1] = 0, ends strictly increasing, the last equal to 2^32. @internal
 */
export interface HashSegments {
  readonly ends: readonly number[];
  readonly owners: readonly MemberId[];
}

/** @internal The moves between two segmentations of the hash space, adjacent equal moves merged. */
export function diffHashSegments(seed: number, a: HashSegments, b: HashSegments): Move[] {
  invariant(
    a.ends[a.ends.length - 1] === HASH_SPACE && b.ends[b.ends.length - 1] === HASH_SPACE,
    "segments cover the hash space",
  );
  const moves: Move[] = [];
  let i = 0;
  let j = 0;
  let start = 0;
  let pending: { from: MemberId; to: MemberId; start: number; end: number } | null = null;
  const flush = () => {
    if (pending !== null) {
      moves.push({
        from: pending.from,
        to: pending.to,
        unit: { type: "hash-range", seed, start: pending.start, end: pending.end },
        share: (pending.end - pending.start) / HASH_SPACE,
      });
      pending = null;
    }
  };
  const limit = a.ends.length + b.ends.length + 2;
  for (let step = 0; start < HASH_SPACE; step++) {
    invariant(step <= limit, "segment merge terminates");
    const endA = a.ends[i]!;
    const endB = b.ends[j]!;
    const end = Math.min(endA, endB);
    const from = a.owners[i]!;
    const to = b.owners[j]!;
    if (from !== to && end > start) {
      if (pending !== null && pending.from === from && pending.to === to && pending.end === start)
        pending.end = end;
      else {
        flush();
        pending = { from, to, start, end };
      }
    }
    start = end;
    if (endA === end) i++;
    if (endB === end) j++;
  }
  flush();
  return moves;
}

/** @internal The moves between two slot-owner tables of equal length, runs of equal moves merged. */
export function diffSlotOwners(
  slotting: Slotting,
  a: (slot: number) => MemberId,
  b: (slot: number) => MemberId,
  slotCount: number,
): Move[] {
  const moves: Move[] = [];
  let s = 0;
  while (s < slotCount) {
    const from = a(s);
    const to = b(s);
    if (from === to) {
      s++;
      continue;
    }
    let e = s + 1;
    while (e < slotCount && a(e) === from && b(e) === to) e++;
    moves.push({ from, to, unit: { type: "slots", slotting, start: s, end: e }, share: (e - s) / slotCount });
    s = e;
  }
  return moves;
}
