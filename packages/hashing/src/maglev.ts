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
} from "./member.js";
import { keyHash32 } from "./murmur3.js";
import { type Partitioner, requirePlanTarget } from "./partitioner.js";
import { diffSlotOwners, makePlan, type RebalancePlan } from "./rebalance-plan.js";

/**
 * Options of {@link MaglevHash}.
 *
 * @example
 * ```ts
 * import { MaglevHash, type MaglevOptions } from "@distkit/hashing";
 * const options: MaglevOptions = { tableSize: 5003 };
 * MaglevHash.create(["a", "b"], options);
 * ```
 */
export interface MaglevOptions {
  /**
   * The lookup table size M: a prime, at least the number of members. Default 65537, or the smallest prime at
   * least 100 times the membership when that is larger. Kept by `withMember`/`withoutMember`/`withWeight`, so
   * plans compare tables of one size. Larger tables balance better (each member gets M/n entries, within one)
   * and disrupt less; the paper recommends M >= 100 n.
   */
  readonly tableSize?: number;
  /** Seed of the key hash and of the members' permutations, an unsigned 32-bit integer; default 0. */
  readonly seed?: number;
}

const DEFAULT_TABLE_SIZE = 65537;
const MAX_TABLE_SIZE = 40_000_003;

/**
 * Whether n is prime (trial division; n below 2^31).
 *
 * @param n - a non-negative integer
 * @returns true when n is prime
 *
 * @example
 * ```ts
 * import { isPrime } from "@distkit/hashing";
 * isPrime(65537); // true
 * ```
 */
export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

function nextPrime(n: number): number {
  let p = Math.max(2, Math.ceil(n));
  while (!isPrime(p)) p++;
  return p;
}

/**
 * Maglev hashing (Eisenbud et al., NSDI 2016): a lookup table of prime size M filled by letting the members
 * take turns claiming their next preferred entry. Each member's preference order is a permutation of the
 * table given by an offset and a skip derived from two hashes of its id: entry (offset + j * skip) mod M.
 * Lookup is `table[hash(key) mod M]`: one hash and one array read. Every member gets M/n entries (within
 * one), and membership changes move a little more than the minimum.
 *
 * Weights: in each round a member claims entries in proportion to its weight (credit-based), so a member of
 * weight 2 gets about twice the entries.
 *
 * @example
 * ```ts
 * import { MaglevHash } from "@distkit/hashing";
 * const maglev = MaglevHash.create(["a", "b", "c"]);
 * maglev.locate("user:42");
 * maglev.tableSize; // 65537
 * ```
 */
export class MaglevHash implements Partitioner {
  /** Always `"maglev"`. */
  readonly kind = "maglev" as const;
  /** The hash seed. */
  readonly seed: number;
  /** The table size M (prime). */
  readonly tableSize: number;
  readonly #members: readonly Member[];
  readonly #ids: readonly MemberId[];
  readonly #table: Uint16Array;

  private constructor(members: readonly Member[], tableSize: number, seed: number) {
    this.seed = seed;
    this.tableSize = tableSize;
    this.#members = Object.freeze(sortedById(members));
    this.#ids = this.#members.map((m) => m.id);
    if (tableSize < this.#members.length) {
      throw new HashingError(
        "invalid-argument",
        `MaglevHash: table size ${tableSize} is smaller than the ${this.#members.length} members; it must be at least n`,
      );
    }
    this.#table = populate(this.#members, tableSize, seed);
  }

  /**
   * Builds a Maglev table.
   * @param members - ids or {id, weight}; at least one, distinct, weights positive
   * @param options - see {@link MaglevOptions}
   * @throws {@link HashingError} on empty or duplicate membership, bad ids or weights, a table size that is
   * not a prime in [n, 40000003], or a bad seed
   * @example
   * ```ts
   * import { MaglevHash } from "@distkit/hashing";
   * const maglev = MaglevHash.create(["a", "b", "c"], { tableSize: 65537 });
   * ```
   */
  static create(members: readonly MemberInput[], options: MaglevOptions = {}): MaglevHash {
    const seed = checkSeedOption(options.seed, "MaglevHash");
    const ms = normalizeMembers(members, "MaglevHash");
    let tableSize = options.tableSize;
    if (tableSize === undefined) {
      tableSize = Math.max(DEFAULT_TABLE_SIZE, nextPrime(100 * ms.length));
    } else if (!isPrime(tableSize) || tableSize > MAX_TABLE_SIZE) {
      throw new HashingError(
        "invalid-argument",
        `MaglevHash: tableSize must be a prime at most ${MAX_TABLE_SIZE}, got ${String(tableSize)}`,
      );
    }
    return new MaglevHash(ms, tableSize, seed);
  }

  /** {@inheritDoc Partitioner.size} */
  get size(): number {
    return this.#members.length;
  }

  /** Bytes held by the lookup table. */
  get tableSizeBytes(): number {
    return this.#table.byteLength;
  }

  /** {@inheritDoc Partitioner.members} */
  members(): readonly Member[] {
    return this.#members;
  }

  /** {@inheritDoc Partitioner.has} */
  has(id: MemberId): boolean {
    return indexOfMember(this.#members, id) >= 0;
  }

  /** The owner of table entry `slot` (0 <= slot < tableSize). */
  entryOwner(slot: number): MemberId {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.tableSize) {
      throw new HashingError(
        "invalid-argument",
        `MaglevHash.entryOwner: slot must be an integer in [0, ${this.tableSize}), got ${slot}`,
      );
    }
    return this.#ids[this.#table[slot]!]!;
  }

  /** {@inheritDoc Partitioner.locate} */
  locate(key: string): MemberId {
    checkKey(key);
    return this.#ids[this.#table[keyHash32(key, this.seed) % this.tableSize]!]!;
  }

  /**
   * `n` distinct members for `key`, the owner first (see {@link Partitioner.preferenceList}):
   * The owner, then the owners of the following table entries (wrapping), skipping repeats; members with no
   * entry (possible only with tiny weights) come last, in id order.
   */
  preferenceList(key: string, n: number): MemberId[] {
    checkKey(key);
    checkReplicaCount(n, this.#members.length);
    const m = this.tableSize;
    const start = keyHash32(key, this.seed) % m;
    const out: MemberId[] = [];
    for (let step = 0; step < m && out.length < n; step++) {
      const id = this.#ids[this.#table[(start + step) % m]!]!;
      if (!out.includes(id)) out.push(id);
    }
    for (const id of this.#ids) if (out.length < n && !out.includes(id)) out.push(id);
    invariant(out.length === n, "the preference list has n members");
    return out;
  }

  /** {@inheritDoc Partitioner.withMember} */
  withMember(member: MemberInput): MaglevHash {
    return new MaglevHash(
      membersWithAdded(this.#members, member, "MaglevHash.withMember"),
      this.tableSize,
      this.seed,
    );
  }

  /** {@inheritDoc Partitioner.withoutMember} */
  withoutMember(id: MemberId): MaglevHash {
    return new MaglevHash(
      membersWithRemoved(this.#members, id, "MaglevHash.withoutMember"),
      this.tableSize,
      this.seed,
    );
  }

  /** {@inheritDoc Partitioner.withWeight} */
  withWeight(id: MemberId, weight: number): MaglevHash {
    return new MaglevHash(
      membersWithWeight(this.#members, id, weight, "MaglevHash.withWeight"),
      this.tableSize,
      this.seed,
    );
  }

  /**
   * The moves from this partitioner's mapping to `next`'s (see {@link planRebalance}).
   * Moves are `slots` units under `hash mod M`: runs of table entries whose owner changes.
   */
  planRebalanceTo(next: Partitioner): RebalancePlan {
    requirePlanTarget(
      next instanceof MaglevHash && next.seed === this.seed && next.tableSize === this.tableSize,
      "MaglevHash.planRebalanceTo",
      `MaglevHash with seed ${this.seed} and table size ${this.tableSize}`,
    );
    const b = next;
    const moves = diffSlotOwners(
      { type: "hash-mod", seed: this.seed, modulus: this.tableSize },
      (s) => this.#ids[this.#table[s]!]!,
      (s) => b.#ids[b.#table[s]!]!,
      this.tableSize,
    );
    return makePlan("maglev", moves, this.#members, next.#members);
  }
}

/**
 * Maglev's population: members take turns (in id order) claiming the next free entry of their permutation;
 * a member claims `weight / maxWeight` entries per round on average (credits carry over).
 */
function populate(members: readonly Member[], m: number, seed: number): Uint16Array {
  const n = members.length;
  const offset = new Float64Array(n);
  const skip = new Float64Array(n);
  const position = new Float64Array(n);
  const credit = new Float64Array(n);
  let maxWeight = 0;
  for (const member of members) maxWeight = Math.max(maxWeight, member.weight);
  for (let i = 0; i < n; i++) {
    const id = members[i]!.id;
    offset[i] = keyHash32(id, (seed ^ 0x6d61676c) >>> 0) % m;
    skip[i] = (keyHash32(id, (seed ^ 0x65762d31) >>> 0) % (m - 1)) + 1;
    position[i] = offset[i]!;
  }
  const table = new Uint16Array(m);
  const taken = new Uint8Array(m);
  let filled = 0;
  // Each round hands out at least one entry (the heaviest member's), so m rounds suffice.
  for (let round = 0; round <= m && filled < m; round++) {
    for (let i = 0; i < n && filled < m; i++) {
      credit[i]! += members[i]!.weight / maxWeight;
      while (credit[i]! >= 1 && filled < m) {
        credit[i]! -= 1;
        let c = position[i]!;
        // A member's permutation visits every entry once per m steps, so a free one is found within m.
        let guard = 0;
        while (taken[c] === 1) {
          c = (c + skip[i]!) % m;
          invariant(++guard <= m, "a permutation of a prime-sized table reaches a free entry");
        }
        taken[c] = 1;
        table[c] = i;
        filled++;
        position[i] = (c + skip[i]!) % m;
      }
    }
  }
  invariant(filled === m, "every table entry is claimed");
  return table;
}
