import { bucketOwnersOf } from "./buckets.js";
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
} from "./member.js";
import { keyHash32 } from "./murmur3.js";
import { type Partitioner, requirePlanTarget } from "./partitioner.js";
import { diffSlotOwners, makePlan, type RebalancePlan } from "./rebalance-plan.js";

/**
 * Options of {@link ModNPartitioner}.
 *
 * @example
 * ```ts
 * import { ModNPartitioner, type ModNOptions } from "@distkit/hashing";
 * const options: ModNOptions = { seed: 0 };
 * ModNPartitioner.create(["a", "b"], options);
 * ```
 */
export interface ModNOptions {
  /** Seed of the key hash, an unsigned 32-bit integer; default 0. */
  readonly seed?: number;
}

const MAX_BUCKETS = 1 << 16;
/** Largest modulus (lcm of the two bucket counts) a mod-N plan enumerates. */
const MAX_PLAN_MODULUS = 1 << 22;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * The baseline: `hash(key) mod N` over N buckets (a member of integer weight w owns w consecutive buckets).
 * Perfectly balanced and trivially fast, but changing N moves almost every key (about n/(n + 1) of them
 * when adding an (n + 1)th member), which is why the consistent algorithms exist.
 *
 * @example
 * ```ts
 * import { ModNPartitioner } from "@distkit/hashing";
 * const modN = ModNPartitioner.create(["a", "b", "c"]);
 * modN.locate("user:42");
 * ```
 */
export class ModNPartitioner implements Partitioner {
  /** Always `"mod-n"`. */
  readonly kind = "mod-n" as const;
  /** The hash seed. */
  readonly seed: number;
  readonly #members: readonly Member[];
  readonly #bucketOwners: readonly MemberId[];

  private constructor(members: readonly Member[], seed: number) {
    this.seed = seed;
    this.#members = Object.freeze([...members]);
    const owners = bucketOwnersOf(members);
    if (owners.length > MAX_BUCKETS) {
      throw new HashingError(
        "invalid-weight",
        `ModNPartitioner: total weight ${owners.length} exceeds ${MAX_BUCKETS}`,
      );
    }
    this.#bucketOwners = Object.freeze(owners);
  }

  /**
   * Builds a mod-N partitioner; members get buckets in the order given.
   * @param members - ids or {id, weight} with integer weights; at least one, distinct
   * @param options - see {@link ModNOptions}
   * @throws {@link HashingError} on empty or duplicate membership, bad ids, non-integer weights, bad seed
   * @example
   * ```ts
   * import { ModNPartitioner } from "@distkit/hashing";
   * const modN = ModNPartitioner.create(["a", "b"]);
   * ```
   */
  static create(members: readonly MemberInput[], options: ModNOptions = {}): ModNPartitioner {
    const seed = checkSeedOption(options.seed, "ModNPartitioner");
    return new ModNPartitioner(normalizeMembers(members, "ModNPartitioner", true), seed);
  }

  /** {@inheritDoc Partitioner.size} */
  get size(): number {
    return this.#members.length;
  }

  /** Number of buckets N (the total weight). */
  get bucketCount(): number {
    return this.#bucketOwners.length;
  }

  /** {@inheritDoc Partitioner.members} */
  members(): readonly Member[] {
    return this.#members;
  }

  /** {@inheritDoc Partitioner.has} */
  has(id: MemberId): boolean {
    return indexOfMember(this.#members, id) >= 0;
  }

  /** {@inheritDoc Partitioner.locate} */
  locate(key: string): MemberId {
    checkKey(key);
    return this.#bucketOwners[keyHash32(key, this.seed) % this.#bucketOwners.length]!;
  }

  /**
   * `n` distinct members for `key`, the owner first (see {@link Partitioner.preferenceList}):
   * The owner, then the members of the following buckets (wrapping), skipping repeats.
   */
  preferenceList(key: string, n: number): MemberId[] {
    checkKey(key);
    checkReplicaCount(n, this.#members.length);
    const total = this.#bucketOwners.length;
    const start = keyHash32(key, this.seed) % total;
    const out: MemberId[] = [];
    for (let step = 0; step < total && out.length < n; step++) {
      const id = this.#bucketOwners[(start + step) % total]!;
      if (!out.includes(id)) out.push(id);
    }
    invariant(out.length === n, "every member owns a bucket");
    return out;
  }

  /** {@inheritDoc Partitioner.withMember} */
  withMember(member: MemberInput): ModNPartitioner {
    return new ModNPartitioner(
      membersWithAdded(this.#members, member, "ModNPartitioner.withMember", true),
      this.seed,
    );
  }

  /** {@inheritDoc Partitioner.withoutMember} */
  withoutMember(id: MemberId): ModNPartitioner {
    return new ModNPartitioner(
      membersWithRemoved(this.#members, id, "ModNPartitioner.withoutMember"),
      this.seed,
    );
  }

  /** {@inheritDoc Partitioner.withWeight} */
  withWeight(id: MemberId, weight: number): ModNPartitioner {
    return new ModNPartitioner(
      membersWithWeight(this.#members, id, weight, "ModNPartitioner.withWeight", true),
      this.seed,
    );
  }

  /**
   * The moves from this partitioner's mapping to `next`'s (see {@link planRebalance}).
   * Moves are `slots` units under `hash mod L`, L the least common multiple of the two bucket counts: a key's
   * residue mod L fixes its bucket under both counts.
   * @throws {@link HashingError} `invalid-argument` when L exceeds 2^22 residues
   */
  planRebalanceTo(next: Partitioner): RebalancePlan {
    requirePlanTarget(
      next instanceof ModNPartitioner && next.seed === this.seed,
      "ModNPartitioner.planRebalanceTo",
      `ModNPartitioner with seed ${this.seed}`,
    );
    const a = this.#bucketOwners;
    const b = next.#bucketOwners;
    const modulus = (a.length / gcd(a.length, b.length)) * b.length;
    if (modulus > MAX_PLAN_MODULUS) {
      throw new HashingError(
        "invalid-argument",
        `ModNPartitioner.planRebalanceTo: the plan needs ${modulus} residues; at most ${MAX_PLAN_MODULUS} accepted`,
      );
    }
    const moves = diffSlotOwners(
      { type: "hash-mod", seed: this.seed, modulus },
      (s) => a[s % a.length]!,
      (s) => b[s % b.length]!,
      modulus,
    );
    return makePlan("mod-n", moves, this.#members, next.#members);
  }
}
