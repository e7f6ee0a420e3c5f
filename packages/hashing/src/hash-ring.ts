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
import { diffHashSegments, makePlan, type RebalancePlan } from "./rebalance-plan.js";
import { buildRingIndex, buildRingPoints, checkVnodes, ringSegments, successorIndex } from "./ring-points.js";

/**
 * Options of {@link HashRing}.
 *
 * @example
 * ```ts
 * import { HashRing, type HashRingOptions } from "@distkit/hashing";
 * const options: HashRingOptions = { vnodesPerWeight: 1000, seed: 0 };
 * HashRing.create(["a", "b"], options);
 * ```
 */
export interface HashRingOptions {
  /**
   * Virtual nodes per unit of weight: a member of weight w gets round(w * vnodesPerWeight) points (at least
   * one). Default 160. More points balance better (max/mean load about 1 + 1/sqrt(vnodes)) at the cost of
   * memory (6 bytes a point) and build time.
   */
  readonly vnodesPerWeight?: number;
  /** Seed of the key and point hashes, an unsigned 32-bit integer; default 0. */
  readonly seed?: number;
  /**
   * Rounds of virtual-node count correction, an integer in [0, 16]; default 0 (the classic ring). Random
   * point positions leave each member's arc share off by about 1/sqrt(vnodes) (max/mean 1.1 to 1.25 at 160
   * vnodes and 10 members, depending on the ids). Each round scales every member's number of points by
   * (weight share / arc share), adding or dropping its highest-numbered points; 2 rounds bring max/mean to
   * about 1.04. Point counts then depend on the whole membership (still deterministic), so a membership change
   * also moves a few points of other members: about 1.25 times the ideal fraction of keys instead of 1, and
   * not only to or from the changed member.
   */
  readonly balanceRounds?: number;
}

/**
 * Consistent hashing (Karger et al., 1997) with virtual nodes and weights. Each member is placed at many
 * points of the 32-bit hash circle, at positions computed by hashing `"<id>#<j>"`, so every machine builds
 * the same ring from the same members. A key belongs to the first point at or after its hash, found by binary
 * search over a sorted `Uint32Array` (narrowed first by a bucket index on the hash's top bits, so a lookup
 * touches about one point). Adding a member moves only the keys that land on its new points, about
 * 1/(n + 1) of them.
 *
 * @example
 * ```ts
 * import { HashRing } from "@distkit/hashing";
 * const ring = HashRing.create(["a", "b", { id: "c", weight: 2 }], { vnodesPerWeight: 160 });
 * ring.locate("user:42");
 * ring.preferenceList("user:42", 3); // Dynamo-style: the owner, then the next distinct members clockwise
 * ```
 */
export class HashRing implements Partitioner {
  /** Always `"ring"`. */
  readonly kind = "ring" as const;
  /** The hash seed. */
  readonly seed: number;
  /** Virtual nodes per unit of weight. */
  readonly vnodesPerWeight: number;
  /** Rounds of virtual-node count correction (0: the classic ring). */
  readonly balanceRounds: number;
  readonly #members: readonly Member[];
  readonly #positions: Uint32Array;
  readonly #owners: Uint16Array;
  readonly #bucketStart: Uint32Array;
  readonly #shift: number;
  readonly #ids: readonly MemberId[];
  readonly #seen: Uint32Array;
  #generation = 0;

  private constructor(
    members: readonly Member[],
    vnodesPerWeight: number,
    seed: number,
    balanceRounds: number,
  ) {
    this.seed = seed;
    this.vnodesPerWeight = vnodesPerWeight;
    this.balanceRounds = balanceRounds;
    this.#members = Object.freeze(sortedById(members));
    const points = buildRingPoints(this.#members, vnodesPerWeight, seed, balanceRounds);
    this.#positions = points.positions;
    this.#owners = points.owners;
    const index = buildRingIndex(points.positions);
    this.#bucketStart = index.index;
    this.#shift = index.shift;
    this.#ids = this.#members.map((m) => m.id);
    this.#seen = new Uint32Array(this.#members.length);
  }

  /**
   * Builds a ring.
   * @param members - ids or {id, weight}; at least one, distinct, weights positive
   * @param options - see {@link HashRingOptions}
   * @throws {@link HashingError} on empty or duplicate membership, bad ids, weights, seed or vnodes
   * @example
   * ```ts
   * import { HashRing } from "@distkit/hashing";
   * const ring = HashRing.create(["a", "b", "c"]);
   * ```
   */
  static create(members: readonly MemberInput[], options: HashRingOptions = {}): HashRing {
    const seed = checkSeedOption(options.seed, "HashRing");
    const vnodes = checkVnodes(options.vnodesPerWeight, "HashRing", 160);
    const rounds = options.balanceRounds ?? 0;
    if (!Number.isInteger(rounds) || rounds < 0 || rounds > 16) {
      throw new HashingError(
        "invalid-argument",
        `HashRing: balanceRounds must be an integer in [0, 16], got ${String(options.balanceRounds)}`,
      );
    }
    return new HashRing(normalizeMembers(members, "HashRing"), vnodes, seed, rounds);
  }

  /** {@inheritDoc Partitioner.size} */
  get size(): number {
    return this.#members.length;
  }

  /** Number of points on the ring (all members' virtual nodes). */
  get pointCount(): number {
    return this.#positions.length;
  }

  /** Bytes held by the lookup arrays (positions, owners and the bucket index). */
  get tableSizeBytes(): number {
    return this.#positions.byteLength + this.#owners.byteLength + this.#bucketStart.byteLength;
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
    const positions = this.#positions;
    const h = keyHash32(key, this.seed);
    // Binary search for the first point >= h, within the points of h's bucket only; when none is there,
    // the answer is the first point of a later bucket, which is where `lo` ends.
    const bucket = h >>> this.#shift;
    let lo = this.#bucketStart[bucket]!;
    let hi = this.#bucketStart[bucket + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (positions[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    if (lo === positions.length) lo = 0;
    return this.#ids[this.#owners[lo]!]!;
  }

  /** {@inheritDoc Partitioner.preferenceList} */
  preferenceList(key: string, n: number): MemberId[] {
    checkKey(key);
    checkReplicaCount(n, this.#members.length);
    const start = successorIndex(this.#positions, keyHash32(key, this.seed));
    const gen = this.#nextGeneration();
    const out: MemberId[] = [];
    const total = this.#positions.length;
    for (let step = 0; step < total && out.length < n; step++) {
      const owner = this.#owners[(start + step) % total]!;
      if (this.#seen[owner] !== gen) {
        this.#seen[owner] = gen;
        out.push(this.#ids[owner]!);
      }
    }
    invariant(out.length === n, "every member has at least one point, so the walk finds n distinct members");
    return out;
  }

  #nextGeneration(): number {
    this.#generation = (this.#generation + 1) >>> 0;
    if (this.#generation === 0) {
      this.#seen.fill(0);
      this.#generation = 1;
    }
    return this.#generation;
  }

  /** {@inheritDoc Partitioner.withMember} */
  withMember(member: MemberInput): HashRing {
    return new HashRing(
      membersWithAdded(this.#members, member, "HashRing.withMember"),
      this.vnodesPerWeight,
      this.seed,
      this.balanceRounds,
    );
  }

  /** {@inheritDoc Partitioner.withoutMember} */
  withoutMember(id: MemberId): HashRing {
    return new HashRing(
      membersWithRemoved(this.#members, id, "HashRing.withoutMember"),
      this.vnodesPerWeight,
      this.seed,
      this.balanceRounds,
    );
  }

  /** {@inheritDoc Partitioner.withWeight} */
  withWeight(id: MemberId, weight: number): HashRing {
    return new HashRing(
      membersWithWeight(this.#members, id, weight, "HashRing.withWeight"),
      this.vnodesPerWeight,
      this.seed,
      this.balanceRounds,
    );
  }

  /**
   * The moves from this partitioner's mapping to `next`'s (see {@link planRebalance}).
   * Moves are `hash-range` units: the arcs of the circle whose owner differs, adjacent arcs with the same
   * move merged.
   */
  planRebalanceTo(next: Partitioner): RebalancePlan {
    requirePlanTarget(
      next instanceof HashRing && next.seed === this.seed,
      "HashRing.planRebalanceTo",
      `HashRing with seed ${this.seed}`,
    );
    const a = ringSegments({ positions: this.#positions, owners: this.#owners }, this.#members);
    const b = ringSegments({ positions: next.#positions, owners: next.#owners }, next.#members);
    return makePlan("ring", diffHashSegments(this.seed, a, b), this.#members, next.#members);
  }
}
