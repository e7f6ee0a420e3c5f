import { HashingError, invariant } from "./errors.js";
import type { Member } from "./member.js";
import { keyHash32 } from "./murmur3.js";
import { HASH_SPACE, type HashSegments } from "./rebalance-plan.js";

/** Largest number of points a ring may hold. @internal */
export const MAX_RING_POINTS = 1 << 24;

/** Points of a consistent-hashing ring, sorted by position, ties by member index. @internal */
export interface RingPoints {
  /** Positions, ascending. */
  readonly positions: Uint32Array;
  /** Index (into the canonical member list) of each point's member. */
  readonly owners: Uint16Array;
}

/** Virtual nodes of a member: round(vnodesPerWeight * weight), at least 1. @internal */
export function vnodeCount(vnodesPerWeight: number, weight: number): number {
  return Math.max(1, Math.round(vnodesPerWeight * weight));
}

/** @internal Validates the virtual-node option. */
export function checkVnodes(vnodes: unknown, context: string, fallback: number): number {
  if (vnodes === undefined) return fallback;
  if (typeof vnodes !== "number" || !Number.isInteger(vnodes) || vnodes < 1 || vnodes > 100_000) {
    throw new HashingError(
      "invalid-argument",
      `${context}: vnodesPerWeight must be an integer in [1, 100000], got ${String(vnodes)}`,
    );
  }
  return vnodes;
}

/**
 * Places every member's virtual nodes at murmur3_32("<id>#<j>", seed), j = 0.. count-1: positions depend only
 * on ids, weights and the seed. Members must be in canonical (sorted) order.
 *
 * With `balanceRounds` > 0, the counts are then corrected that many times: each member's count is scaled by
 * (its weight share / its current arc share), adding or dropping its highest-numbered points. Counts then
 * depend on the whole membership (still deterministic), which evens out the arcs at the price of some extra
 * movement on membership changes. @internal
 */
export function buildRingPoints(
  members: readonly Member[],
  vnodesPerWeight: number,
  seed: number,
  balanceRounds = 0,
): RingPoints {
  const base = members.map((m) => vnodeCount(vnodesPerWeight, m.weight));
  let counts = base;
  let points = placePoints(members, counts, seed);
  let totalWeight = 0;
  for (const m of members) totalWeight += m.weight;
  for (let round = 0; round < balanceRounds && members.length > 1; round++) {
    const shares = arcShares(points, members.length);
    counts = counts.map((c, i) => {
      const target = members[i]!.weight / totalWeight;
      const share = Math.max(shares[i]!, 1e-9);
      return Math.max(1, Math.min(4 * base[i]!, Math.round((c * target) / share)));
    });
    points = placePoints(members, counts, seed);
  }
  return points;
}

function placePoints(members: readonly Member[], counts: readonly number[], seed: number): RingPoints {
  let total = 0;
  for (const c of counts) total += c;
  if (total > MAX_RING_POINTS) {
    throw new HashingError(
      "invalid-argument",
      `ring would hold ${total} points; at most ${MAX_RING_POINTS} accepted (lower vnodesPerWeight or weights)`,
    );
  }
  invariant(members.length <= 65536, "member indices fit 16 bits");
  const packed = new Float64Array(total);
  let k = 0;
  for (let i = 0; i < members.length; i++) {
    const id = members[i]!.id;
    const count = counts[i]!;
    for (let j = 0; j < count; j++) packed[k++] = keyHash32(`${id}#${j}`, seed) * 65536 + i;
  }
  packed.sort();
  const positions = new Uint32Array(total);
  const owners = new Uint16Array(total);
  for (let p = 0; p < total; p++) {
    const v = packed[p]!;
    const owner = v % 65536;
    positions[p] = (v - owner) / 65536;
    owners[p] = owner;
  }
  for (let p = 1; p < total; p++) invariant(positions[p - 1]! <= positions[p]!, "ring positions are sorted");
  return { positions, owners };
}

/** Each member's fraction of the circle: point p owns (previous point, p]. @internal */
export function arcShares(points: RingPoints, memberCount: number): Float64Array {
  const shares = new Float64Array(memberCount);
  const n = points.positions.length;
  for (let p = 0; p < n; p++) {
    const prev = p === 0 ? points.positions[n - 1]! - HASH_SPACE : points.positions[p - 1]!;
    shares[points.owners[p]!]! += (points.positions[p]! - prev) / HASH_SPACE;
  }
  return shares;
}

/** Index of the first point at or after hash `h`, wrapping to 0. @internal */
export function successorIndex(positions: Uint32Array, h: number): number {
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (positions[mid]! < h) lo = mid + 1;
    else hi = mid;
  }
  return lo === positions.length ? 0 : lo;
}

/** The ring as segments of the hash space: point p owns (previous point, p]. @internal */
export function ringSegments(points: RingPoints, members: readonly Member[]): HashSegments {
  const ends: number[] = [];
  const owners: string[] = [];
  const n = points.positions.length;
  for (let p = 0; p < n; p++) {
    ends.push(points.positions[p]! + 1);
    owners.push(members[points.owners[p]!]!.id);
  }
  if (ends[ends.length - 1]! < HASH_SPACE) {
    ends.push(HASH_SPACE);
    owners.push(members[points.owners[0]!]!.id);
  }
  return { ends, owners };
}

/**
 * A bucket index over sorted ring positions: `index[b]` is the first point at or after `b << shift`, for
 * B = 2^bits buckets (index has B + 1 entries, the last = point count). A lookup binary-searches only its
 * bucket's points, about one on average, instead of the whole ring. @internal
 */
export interface RingIndex {
  readonly index: Uint32Array;
  readonly shift: number;
}

/** @internal Builds the bucket index: about one bucket per point, at least 2^4 and at most 2^16 buckets. */
export function buildRingIndex(positions: Uint32Array): RingIndex {
  let bits = 4;
  while (bits < 16 && 1 << bits < positions.length) bits++;
  const shift = 32 - bits;
  const buckets = 1 << bits;
  const index = new Uint32Array(buckets + 1);
  let p = 0;
  for (let b = 0; b < buckets; b++) {
    const start = b * 2 ** shift;
    while (p < positions.length && positions[p]! < start) p++;
    index[b] = p;
  }
  index[buckets] = positions.length;
  return { index, shift };
}
