import { HashingError, invariant } from "./errors.js";
import {
  checkKey,
  checkReplicaCount,
  checkSeedOption,
  indexOfMember,
  type Member,
  type MemberId,
  type MemberInput,
  membersWithAdded,
  membersWithRemoved,
  membersWithWeight,
  normalizeMembers,
  sortedById,
  totalWeight,
} from "./member.js";
import { fmix32, keyHash32 } from "./murmur3.js";
import { type Partitioner, requirePlanTarget } from "./partitioner.js";
import { makePlan, type Move, type RebalancePlan } from "./rebalance-plan.js";

/**
 * Options of {@link RendezvousHash}.
 *
 * @example
 * ```ts
 * import { RendezvousHash, type RendezvousOptions } from "@distkit/hashing";
 * const options: RendezvousOptions = { seed: 7 };
 * RendezvousHash.create(["a", "b"], options);
 * ```
 */
export interface RendezvousOptions {
  /** Seed of the key and member hashes, an unsigned 32-bit integer; default 0. */
  readonly seed?: number;
}

const INV_2_32 = 1 / 4294967296;

/** The weighted score of a 32-bit pseudo-random draw: w / -ln(u), u uniform in (0, 1). */
function weightedScore(draw: number, weight: number): number {
  return weight / -Math.log((draw + 0.5) * INV_2_32);
}

function allEqual(members: readonly Member[]): boolean {
  const w = members[0]!.weight;
  for (const m of members) if (m.weight !== w) return false;
  return true;
}

/**
 * The highest-random-weight winner for a key hash among members (in canonical order), scoring exactly as
 * {@link RendezvousHash.locate} does. @internal
 */
export function hrwWinner(members: readonly Member[], seed: number, keyHash: number): MemberId {
  const equal = allEqual(members);
  let best = -1;
  let bestScore = -1;
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    const draw = fmix32(keyHash ^ keyHash32(m.id, seed));
    const score = equal ? draw : weightedScore(draw, m.weight);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return members[best]!.id;
}

/**
 * Rendezvous hashing, or highest random weight (Thaler & Ravishankar, 1996), weighted with the logarithmic
 * method (Schindelhauer & Schomaker): every member draws a pseudo-random number u from hash(key, member) and
 * scores weight / -ln(u); the highest score owns the key. A member's share is exactly proportional to its
 * weight, and a membership change moves only the keys that must move. Lookup is O(n) per key (one mix and,
 * when weights differ, one logarithm per member); the preference list is the n best scores.
 *
 * @example
 * ```ts
 * import { RendezvousHash } from "@distkit/hashing";
 * const hrw = RendezvousHash.create(["a", "b", { id: "c", weight: 2 }]);
 * hrw.locate("user:42");
 * hrw.preferenceList("user:42", 2);
 * ```
 */
export class RendezvousHash implements Partitioner {
  /** Always `"rendezvous"`. */
  readonly kind = "rendezvous" as const;
  /** The hash seed. */
  readonly seed: number;
  readonly #members: readonly Member[];
  readonly #memberHashes: Uint32Array;
  readonly #weights: Float64Array;
  readonly #equalWeights: boolean;
  readonly #scores: Float64Array;

  private constructor(members: readonly Member[], seed: number) {
    this.seed = seed;
    this.#members = Object.freeze(sortedById(members));
    const n = this.#members.length;
    this.#memberHashes = new Uint32Array(n);
    this.#weights = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const m = this.#members[i]!;
      this.#memberHashes[i] = keyHash32(m.id, seed);
      this.#weights[i] = m.weight;
    }
    this.#equalWeights = allEqual(this.#members);
    this.#scores = new Float64Array(n);
  }

  /**
   * Builds a rendezvous partitioner.
   * @param members - ids or {id, weight}; at least one, distinct, weights positive
   * @param options - see {@link RendezvousOptions}
   * @throws {@link HashingError} on empty or duplicate membership, bad ids, weights or seed
   * @example
   * ```ts
   * import { RendezvousHash } from "@distkit/hashing";
   * const hrw = RendezvousHash.create(["a", "b", "c"], { seed: 1 });
   * ```
   */
  static create(members: readonly MemberInput[], options: RendezvousOptions = {}): RendezvousHash {
    const seed = checkSeedOption(options.seed, "RendezvousHash");
    return new RendezvousHash(normalizeMembers(members, "RendezvousHash"), seed);
  }

  /** {@inheritDoc Partitioner.size} */
  get size(): number {
    return this.#members.length;
  }

  /** {@inheritDoc Partitioner.members} */
  members(): readonly Member[] {
    return this.#members;
  }

  /** {@inheritDoc Partitioner.has} */
  has(id: MemberId): boolean {
    return indexOfMember(this.#members, id) >= 0;
  }

  #score(h: number, i: number): number {
    const draw = fmix32(h ^ this.#memberHashes[i]!);
    return this.#equalWeights ? draw : weightedScore(draw, this.#weights[i]!);
  }

  /** {@inheritDoc Partitioner.locate} */
  locate(key: string): MemberId {
    checkKey(key);
    const h = keyHash32(key, this.seed);
    const n = this.#members.length;
    let best = 0;
    let bestScore = -1;
    for (let i = 0; i < n; i++) {
      const s = this.#score(h, i);
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    return this.#members[best]!.id;
  }

  /** {@inheritDoc Partitioner.preferenceList} */
  preferenceList(key: string, n: number): MemberId[] {
    checkKey(key);
    checkReplicaCount(n, this.#members.length);
    const h = keyHash32(key, this.seed);
    const size = this.#members.length;
    const scores = this.#scores;
    for (let i = 0; i < size; i++) scores[i] = this.#score(h, i);
    const out: MemberId[] = [];
    for (let r = 0; r < n; r++) {
      let best = -1;
      let bestScore = -2;
      for (let i = 0; i < size; i++) {
        if (scores[i]! > bestScore) {
          bestScore = scores[i]!;
          best = i;
        }
      }
      invariant(best >= 0, "a preference list finds a member for every rank");
      out.push(this.#members[best]!.id);
      scores[best] = -3;
    }
    return out;
  }

  /** {@inheritDoc Partitioner.withMember} */
  withMember(member: MemberInput): RendezvousHash {
    return new RendezvousHash(
      membersWithAdded(this.#members, member, "RendezvousHash.withMember"),
      this.seed,
    );
  }

  /** {@inheritDoc Partitioner.withoutMember} */
  withoutMember(id: MemberId): RendezvousHash {
    return new RendezvousHash(
      membersWithRemoved(this.#members, id, "RendezvousHash.withoutMember"),
      this.seed,
    );
  }

  /** {@inheritDoc Partitioner.withWeight} */
  withWeight(id: MemberId, weight: number): RendezvousHash {
    return new RendezvousHash(
      membersWithWeight(this.#members, id, weight, "RendezvousHash.withWeight"),
      this.seed,
    );
  }

  /**
   * The moves from this partitioner's mapping to `next`'s (see {@link planRebalance}).
   * Moves are pairs of winners (`hrw-winners` units). For a single added or removed member, or a single weight
   * change, only the pairs that can occur are listed, with exact expected shares (the weighted scores are an
   * exponential race); for other changes every pair is listed with `share: null`.
   */
  planRebalanceTo(next: Partitioner): RebalancePlan {
    requirePlanTarget(
      next instanceof RendezvousHash && next.seed === this.seed,
      "RendezvousHash.planRebalanceTo",
      `RendezvousHash with seed ${this.seed}`,
    );
    const before = this.#members;
    const after = next.#members;
    const wBefore = totalWeight(before);
    const wAfter = totalWeight(after);
    const weightIn = (ms: readonly Member[], id: MemberId) => ms.find((m) => m.id === id)?.weight;
    const changed = new Set<MemberId>();
    for (const m of before) if (weightIn(after, m.id) !== m.weight) changed.add(m.id);
    for (const m of after) if (weightIn(before, m.id) !== m.weight) changed.add(m.id);
    const unit = (from: MemberId, to: MemberId) =>
      ({ type: "hrw-winners", seed: this.seed, before, after, winnerBefore: from, winnerAfter: to }) as const;
    const moves: Move[] = [];
    if (changed.size === 1) {
      const x = [...changed][0]!;
      const wxBefore = weightIn(before, x) ?? 0;
      const wxAfter = weightIn(after, x) ?? 0;
      const othersWeight = wBefore - wxBefore;
      if (wxAfter > wxBefore) {
        // x gains: keys move from every other member to x.
        const gain = wxAfter / wAfter - wxBefore / wBefore;
        for (const m of before) {
          if (m.id !== x)
            moves.push({ from: m.id, to: x, unit: unit(m.id, x), share: (gain * m.weight) / othersWeight });
        }
      } else {
        const loss = wxBefore / wBefore - wxAfter / wAfter;
        for (const m of after) {
          if (m.id !== x)
            moves.push({ from: x, to: m.id, unit: unit(x, m.id), share: (loss * m.weight) / othersWeight });
        }
      }
    } else if (changed.size > 1) {
      for (const a of before) {
        for (const b of after)
          if (a.id !== b.id) moves.push({ from: a.id, to: b.id, unit: unit(a.id, b.id), share: null });
      }
    }
    return makePlan("rendezvous", moves, before, after);
  }
}
