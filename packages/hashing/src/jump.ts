import { bucketOwnersOf, removeBucketsFillingHoles } from "./buckets.js";
import { HashingError, invariant } from "./errors.js";
import { jumpBucket, jumpLowHalf } from "./jump-hash.js";
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
  totalWeight,
} from "./member.js";
import { keyHash32 } from "./murmur3.js";
import { type Partitioner, requirePlanTarget } from "./partitioner.js";
import { makePlan, type Move, type RebalancePlan } from "./rebalance-plan.js";

/**
 * Options of {@link JumpHash}.
 *
 * @example
 * ```ts
 * import { JumpHash, type JumpHashOptions } from "@distkit/hashing";
 * const options: JumpHashOptions = { seed: 3 };
 * JumpHash.create(["a", "b"], options);
 * ```
 */
export interface JumpHashOptions {
  /** Seed of the key hash, an unsigned 32-bit integer; default 0. */
  readonly seed?: number;
}

/** Largest total weight (number of buckets) a jump partitioner accepts. */
const MAX_BUCKETS = 1 << 16;

/**
 * Jump consistent hash (Lamping & Veach, 2014) over an ordered list of members. A member of integer weight w
 * owns w numbered buckets; a key's bucket is `jumpConsistentHash(hash(key), buckets)`. No table: lookups take
 * O(ln buckets) time and no memory, and the balance is near perfect.
 *
 * Jump numbers buckets, so order matters: `withMember` appends buckets (only the new member's 1/(n + 1) share
 * moves). Removing a member other than the last fills each of its buckets with the current last bucket: its
 * keys go to the last bucket's member, and that last bucket's keys spread over the others (about 2/n moves,
 * twice the minimum). Jump suits shards that are numbered and grow or shrink at the end.
 *
 * @example
 * ```ts
 * import { JumpHash } from "@distkit/hashing";
 * const jump = JumpHash.create(["shard-0", "shard-1", "shard-2"]);
 * jump.locate("user:42");
 * jump.withMember("shard-3").locate("user:42"); // unchanged, or "shard-3"
 * ```
 */
export class JumpHash implements Partitioner {
  /** Always `"jump"`. */
  readonly kind = "jump" as const;
  /** The hash seed. */
  readonly seed: number;
  readonly #members: readonly Member[];
  readonly #bucketOwners: readonly MemberId[];

  private constructor(members: readonly Member[], bucketOwners: readonly MemberId[], seed: number) {
    this.seed = seed;
    this.#members = Object.freeze([...members]);
    this.#bucketOwners = Object.freeze([...bucketOwners]);
    const total = totalWeight(members);
    invariant(total === bucketOwners.length, "one bucket per unit of weight");
    if (total > MAX_BUCKETS) {
      throw new HashingError(
        "invalid-weight",
        `JumpHash: total weight ${total} exceeds the ${MAX_BUCKETS} buckets accepted`,
      );
    }
  }

  /**
   * Builds a jump partitioner; members get buckets in the order given.
   * @param members - ids or {id, weight} with integer weights; at least one, distinct
   * @param options - see {@link JumpHashOptions}
   * @throws {@link HashingError} on empty or duplicate membership, bad ids, non-integer weights, bad seed
   * @example
   * ```ts
   * import { JumpHash } from "@distkit/hashing";
   * const jump = JumpHash.create(["a", { id: "b", weight: 2 }]);
   * ```
   */
  static create(members: readonly MemberInput[], options: JumpHashOptions = {}): JumpHash {
    const seed = checkSeedOption(options.seed, "JumpHash");
    const ms = normalizeMembers(members, "JumpHash", true);
    return new JumpHash(ms, bucketOwnersOf(ms), seed);
  }

  /** {@inheritDoc Partitioner.size} */
  get size(): number {
    return this.#members.length;
  }

  /** Number of buckets (the total weight). */
  get bucketCount(): number {
    return this.#bucketOwners.length;
  }

  /** The owner of each bucket, by bucket number. */
  bucketOwners(): readonly MemberId[] {
    return this.#bucketOwners;
  }

  /** {@inheritDoc Partitioner.members} */
  members(): readonly Member[] {
    return this.#members;
  }

  /** {@inheritDoc Partitioner.has} */
  has(id: MemberId): boolean {
    return indexOfMember(this.#members, id) >= 0;
  }

  /** The bucket of `key`, in [0, bucketCount). */
  bucketOf(key: string): number {
    checkKey(key);
    const h = keyHash32(key, this.seed);
    return jumpBucket(h, jumpLowHalf(h), this.#bucketOwners.length);
  }

  /** {@inheritDoc Partitioner.locate} */
  locate(key: string): MemberId {
    checkKey(key);
    const h = keyHash32(key, this.seed);
    return this.#bucketOwners[jumpBucket(h, jumpLowHalf(h), this.#bucketOwners.length)]!;
  }

  /**
   * `n` distinct members for `key`, the owner first (see {@link Partitioner.preferenceList}):
   * The owner, then the members of the following buckets (wrapping), skipping repeats.
   */
  preferenceList(key: string, n: number): MemberId[] {
    checkReplicaCount(n, this.#members.length);
    const start = this.bucketOf(key);
    const total = this.#bucketOwners.length;
    const out: MemberId[] = [];
    for (let step = 0; step < total && out.length < n; step++) {
      const id = this.#bucketOwners[(start + step) % total]!;
      if (!out.includes(id)) out.push(id);
    }
    invariant(out.length === n, "every member owns a bucket");
    return out;
  }

  /** {@inheritDoc Partitioner.withMember} */
  withMember(member: MemberInput): JumpHash {
    const members = membersWithAdded(this.#members, member, "JumpHash.withMember", true);
    const m = members[members.length - 1]!;
    const owners = [...this.#bucketOwners];
    for (let i = 0; i < m.weight; i++) owners.push(m.id);
    return new JumpHash(members, owners, this.seed);
  }

  /** {@inheritDoc Partitioner.withoutMember} */
  withoutMember(id: MemberId): JumpHash {
    const members = membersWithRemoved(this.#members, id, "JumpHash.withoutMember");
    const weight = this.#members[indexOfMember(this.#members, id)]!.weight;
    return new JumpHash(members, removeBucketsFillingHoles(this.#bucketOwners, id, weight), this.seed);
  }

  /** {@inheritDoc Partitioner.withWeight} */
  withWeight(id: MemberId, weight: number): JumpHash {
    const members = membersWithWeight(this.#members, id, weight, "JumpHash.withWeight", true);
    const old = this.#members[indexOfMember(this.#members, id)]!.weight;
    let owners: MemberId[];
    if (weight >= old) {
      owners = [...this.#bucketOwners];
      for (let k = old; k < weight; k++) owners.push(id);
    } else {
      owners = removeBucketsFillingHoles(this.#bucketOwners, id, old - weight);
    }
    return new JumpHash(members, owners, this.seed);
  }

  /**
   * The moves from this partitioner's mapping to `next`'s (see {@link planRebalance}).
   * Moves are `jump-buckets` units: keys in bucket i of the old bucket count and bucket j of the new one.
   * Jump only ever moves keys between a surviving bucket and an added or removed one, so only those pairs
   * are listed, each with its exact expected share.
   */
  planRebalanceTo(next: Partitioner): RebalancePlan {
    requirePlanTarget(
      next instanceof JumpHash && next.seed === this.seed,
      "JumpHash.planRebalanceTo",
      `JumpHash with seed ${this.seed}`,
    );
    const a = this.#bucketOwners;
    const b = next.#bucketOwners;
    const na = a.length;
    const nb = b.length;
    const moves: Move[] = [];
    const push = (i: number, j: number, share: number) => {
      if (a[i] !== b[j]) {
        moves.push({
          from: a[i]!,
          to: b[j]!,
          unit: {
            type: "jump-buckets",
            seed: this.seed,
            bucketsBefore: na,
            bucketBefore: i,
            bucketsAfter: nb,
            bucketAfter: j,
          },
          share,
        });
      }
    };
    const small = Math.min(na, nb);
    const large = Math.max(na, nb);
    // A key in a bucket below `small` under the larger count is there under the smaller count too.
    for (let i = 0; i < small; i++) push(i, i, 1 / large);
    // Keys in the extra buckets of the larger count are spread uniformly over the smaller count.
    for (let extra = small; extra < large; extra++) {
      for (let i = 0; i < small; i++) {
        if (na > nb) push(extra, i, 1 / (large * small));
        else push(i, extra, 1 / (large * small));
      }
    }
    return makePlan("jump", moves, this.#members, next.#members);
  }
}
