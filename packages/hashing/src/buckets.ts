import { invariant } from "./errors.js";
import type { Member, MemberId } from "./member.js";

/**
 * Removes `count` of `id`'s buckets, highest first, filling each hole with the last bucket (so that only the
 * removed buckets' keys and the last buckets' keys move). @internal
 */
export function removeBucketsFillingHoles(
  owners: readonly MemberId[],
  id: MemberId,
  count: number,
): MemberId[] {
  const out = [...owners];
  let removed = 0;
  for (let b = out.length - 1; b >= 0 && removed < count; b--) {
    if (out[b] !== id) continue;
    const last = out.length - 1;
    if (b !== last) out[b] = out[last]!;
    out.pop();
    removed++;
  }
  invariant(removed === count, "removed as many buckets as asked");
  return out;
}

/** One bucket per unit of (integer) weight, members' buckets consecutive in the given order. @internal */
export function bucketOwnersOf(members: readonly Member[]): MemberId[] {
  const owners: MemberId[] = [];
  for (const m of members) for (let i = 0; i < m.weight; i++) owners.push(m.id);
  return owners;
}
