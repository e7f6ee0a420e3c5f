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
  requireMember,
  sortedById,
  totalWeight,
} from "./member.js";
import { keyHash32 } from "./murmur3.js";
import { type Partitioner, requirePlanTarget } from "./partitioner.js";
import { makePlan, type Move, type RebalancePlan } from "./rebalance-plan.js";
import { buildRingPoints, checkVnodes, successorIndex } from "./ring-points.js";

/**
 * Options of {@link BoundedLoadRing}.
 *
 * @example
 * ```ts
 * import { BoundedLoadRing, type BoundedLoadRingOptions } from "@distkit/hashing";
 * const options: BoundedLoadRingOptions = { epsilon: 0.25, vnodesPerWeight: 100 };
 * BoundedLoadRing.create(["a", "b"], options);
 * ```
 */
export interface BoundedLoadRingOptions {
  /**
   * The slack ε > 0: no member holds more than ceil((1 + ε) × m × weight / total weight) of the m assigned
   * keys (checked when each key is assigned). Default 0.25. Smaller ε balances tighter but moves more keys on
   * changes (the paper's bound is O(1/ε²) expected walk length).
   */
  readonly epsilon?: number;
  /** Virtual nodes per unit of weight on the underlying ring; default 100. */
  readonly vnodesPerWeight?: number;
  /** Seed of the key and point hashes, an unsigned 32-bit integer; default 0. */
  readonly seed?: number;
}

/** Largest number of keys a bounded-load ring tracks. */
const MAX_ASSIGNED = 1 << 24;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup & Zadimoghaddam, 2016; used by Google Cloud Pub/Sub
 * and HAProxy). A consistent-hashing ring that also tracks which keys are assigned where: a new key walks
 * clockwise from its hash past every member already at capacity, where capacity is
 * ceil((1 + ε) × m × weight / total weight) for m assigned keys (this key included). No member ever exceeds
 * the cap when a key is placed, whatever the key distribution, while changes still move few keys.
 *
 * Unlike the other partitioners this one is stateful: `assign(key)` places and records a key, `release(key)`
 * forgets it. `locate(key)` returns the recorded owner, or for an unassigned key where `assign` would put it
 * now (without recording it). Membership changes (`withMember`, ...) return a new ring holding the same keys,
 * re-placed in their original assignment order; the receiver is left unchanged, so
 * `planRebalance(old, new)` lists exactly which keys move (`keys` units).
 *
 * @example
 * ```ts
 * import { BoundedLoadRing } from "@distkit/hashing";
 * const ring = BoundedLoadRing.create(["a", "b", "c"], { epsilon: 0.1 });
 * for (let i = 0; i < 300; i++) ring.assign(`key-${i}`);
 * ring.loads(); // every member at most ceil(1.1 * 300 / 3) = 110
 * ring.release("key-7");
 * ```
 */
export class BoundedLoadRing implements Partitioner {
  /** Always `"bounded-load-ring"`. */
  readonly kind = "bounded-load-ring" as const;
  /** The hash seed. */
  readonly seed: number;
  /** The slack ε. */
  readonly epsilon: number;
  /** Virtual nodes per unit of weight. */
  readonly vnodesPerWeight: number;
  readonly #members: readonly Member[];
  readonly #ids: readonly MemberId[];
  readonly #positions: Uint32Array;
  readonly #owners: Uint16Array;
  readonly #totalWeight: number;
  readonly #assigned = new Map<string, number>();
  readonly #loads: Int32Array;

  private constructor(members: readonly Member[], epsilon: number, vnodesPerWeight: number, seed: number) {
    this.seed = seed;
    this.epsilon = epsilon;
    this.vnodesPerWeight = vnodesPerWeight;
    this.#members = Object.freeze(sortedById(members));
    this.#ids = this.#members.map((m) => m.id);
    const points = buildRingPoints(this.#members, vnodesPerWeight, seed);
    this.#positions = points.positions;
    this.#owners = points.owners;
    this.#totalWeight = totalWeight(this.#members);
    this.#loads = new Int32Array(this.#members.length);
  }

  /**
   * Builds an empty bounded-load ring.
   * @param members - ids or {id, weight}; at least one, distinct, weights positive
   * @param options - see {@link BoundedLoadRingOptions}
   * @throws {@link HashingError} on bad membership, seed or vnodes, or `invalid-argument` when ε is not a
   * finite number in (0, 100]
   * @example
   * ```ts
   * import { BoundedLoadRing } from "@distkit/hashing";
   * const ring = BoundedLoadRing.create(["a", "b"], { epsilon: 0.5 });
   * ```
   */
  static create(members: readonly MemberInput[], options: BoundedLoadRingOptions = {}): BoundedLoadRing {
    const seed = checkSeedOption(options.seed, "BoundedLoadRing");
    const vnodes = checkVnodes(options.vnodesPerWeight, "BoundedLoadRing", 100);
    const epsilon = options.epsilon ?? 0.25;
    if (typeof epsilon !== "number" || !Number.isFinite(epsilon) || epsilon <= 0 || epsilon > 100) {
      throw new HashingError(
        "invalid-argument",
        `BoundedLoadRing: epsilon must be a finite number in (0, 100], got ${String(epsilon)}`,
      );
    }
    return new BoundedLoadRing(normalizeMembers(members, "BoundedLoadRing"), epsilon, vnodes, seed);
  }

  /** {@inheritDoc Partitioner.size} */
  get size(): number {
    return this.#members.length;
  }

  /** Number of keys currently assigned. */
  get assignedCount(): number {
    return this.#assigned.size;
  }

  /** {@inheritDoc Partitioner.members} */
  members(): readonly Member[] {
    return this.#members;
  }

  /** {@inheritDoc Partitioner.has} */
  has(id: MemberId): boolean {
    return indexOfMember(this.#members, id) >= 0;
  }

  /**
   * The capacity of member `id` when `assignedKeys` keys are assigned: ceil((1 + ε) × assignedKeys × weight /
   * total weight).
   * @throws {@link HashingError} `unknown-member`, or `invalid-argument` when assignedKeys is not a
   * non-negative integer
   */
  capacity(id: MemberId, assignedKeys: number = this.#assigned.size): number {
    const i = requireMember(this.#members, id, "BoundedLoadRing.capacity");
    if (!Number.isInteger(assignedKeys) || assignedKeys < 0) {
      throw new HashingError(
        "invalid-argument",
        `BoundedLoadRing.capacity: assignedKeys must be a non-negative integer, got ${assignedKeys}`,
      );
    }
    return this.#capacity(i, assignedKeys);
  }

  #capacity(i: number, m: number): number {
    return Math.ceil(((1 + this.epsilon) * m * this.#members[i]!.weight) / this.#totalWeight);
  }

  /** Number of assigned keys per member. */
  loads(): ReadonlyMap<MemberId, number> {
    return new Map(this.#ids.map((id, i) => [id, this.#loads[i]!]));
  }

  /** The owner of an assigned key, or undefined when the key is not assigned. */
  ownerOf(key: string): MemberId | undefined {
    checkKey(key);
    const i = this.#assigned.get(key);
    return i === undefined ? undefined : this.#ids[i];
  }

  /** Where an unassigned key would go now: the first member clockwise from its hash below capacity. */
  #place(key: string): number {
    const m = this.#assigned.size + 1;
    const total = this.#positions.length;
    const start = successorIndex(this.#positions, keyHash32(key, this.seed));
    for (let step = 0; step < total; step++) {
      const owner = this.#owners[(start + step) % total]!;
      if (this.#loads[owner]! < this.#capacity(owner, m)) return owner;
    }
    // The capacities sum to at least (1 + ε) m > m - 1 keys held, so someone has room.
    throw new HashingError(
      "capacity-exhausted",
      "BoundedLoadRing: no member below capacity (invariant broken)",
    );
  }

  /** {@inheritDoc Partitioner.locate} */
  locate(key: string): MemberId {
    checkKey(key);
    const i = this.#assigned.get(key);
    return this.#ids[i ?? this.#place(key)]!;
  }

  /**
   * Assigns `key` to the first member clockwise from its hash that is below capacity, records it, and returns
   * the owner. Assigning a key already assigned returns its owner and changes nothing.
   * @throws {@link HashingError} `invalid-key`, or `invalid-argument` beyond 2^24 assigned keys
   */
  assign(key: string): MemberId {
    checkKey(key);
    const existing = this.#assigned.get(key);
    if (existing !== undefined) return this.#ids[existing]!;
    if (this.#assigned.size >= MAX_ASSIGNED) {
      throw new HashingError(
        "invalid-argument",
        `BoundedLoadRing.assign: at most ${MAX_ASSIGNED} keys tracked`,
      );
    }
    const owner = this.#place(key);
    this.#assigned.set(key, owner);
    this.#loads[owner]!++;
    invariant(
      this.#loads[owner]! <= this.#capacity(owner, this.#assigned.size),
      "a placed key never takes a member past its capacity",
    );
    return this.#ids[owner]!;
  }

  /**
   * Forgets an assigned key (its member's load drops). Other keys stay where they are. Returns whether the
   * key was assigned.
   */
  release(key: string): boolean {
    checkKey(key);
    const owner = this.#assigned.get(key);
    if (owner === undefined) return false;
    this.#assigned.delete(key);
    this.#loads[owner]!--;
    invariant(this.#loads[owner]! >= 0, "loads are non-negative");
    return true;
  }

  /** The assigned keys, in assignment order. */
  assignedKeys(): string[] {
    return [...this.#assigned.keys()];
  }

  /**
   * `n` distinct members for `key`, the owner first (see {@link Partitioner.preferenceList}):
   * The owner (as `locate`), then the next distinct members clockwise, ignoring loads.
   */
  preferenceList(key: string, n: number): MemberId[] {
    checkReplicaCount(n, this.#members.length);
    const out: MemberId[] = [this.locate(key)];
    const total = this.#positions.length;
    const start = successorIndex(this.#positions, keyHash32(key, this.seed));
    for (let step = 0; step < total && out.length < n; step++) {
      const id = this.#ids[this.#owners[(start + step) % total]!]!;
      if (!out.includes(id)) out.push(id);
    }
    invariant(out.length === n, "every member has a point on the ring");
    return out;
  }

  #rebuilt(members: readonly Member[]): BoundedLoadRing {
    const next = new BoundedLoadRing(members, this.epsilon, this.vnodesPerWeight, this.seed);
    for (const key of this.#assigned.keys()) next.assign(key);
    return next;
  }

  /** {@inheritDoc Partitioner.withMember} */
  withMember(member: MemberInput): BoundedLoadRing {
    return this.#rebuilt(membersWithAdded(this.#members, member, "BoundedLoadRing.withMember"));
  }

  /** {@inheritDoc Partitioner.withoutMember} */
  withoutMember(id: MemberId): BoundedLoadRing {
    return this.#rebuilt(membersWithRemoved(this.#members, id, "BoundedLoadRing.withoutMember"));
  }

  /** {@inheritDoc Partitioner.withWeight} */
  withWeight(id: MemberId, weight: number): BoundedLoadRing {
    return this.#rebuilt(membersWithWeight(this.#members, id, weight, "BoundedLoadRing.withWeight"));
  }

  /**
   * The moves from this partitioner's mapping to `next`'s (see {@link planRebalance}).
   * Moves are `keys` units: the keys assigned in both rings whose owner differs, grouped by (from, to); a
   * move's share is its fraction of this ring's assigned keys.
   */
  planRebalanceTo(next: Partitioner): RebalancePlan {
    requirePlanTarget(
      next instanceof BoundedLoadRing && next.seed === this.seed,
      "BoundedLoadRing.planRebalanceTo",
      `BoundedLoadRing with seed ${this.seed}`,
    );
    const groups = new Map<string, { from: MemberId; to: MemberId; keys: string[] }>();
    for (const [key, i] of this.#assigned) {
      const j = next.#assigned.get(key);
      if (j === undefined) continue;
      const from = this.#ids[i]!;
      const to = next.#ids[j]!;
      if (from === to) continue;
      const g = `${from}\u0000${to}`;
      let group = groups.get(g);
      if (group === undefined) {
        group = { from, to, keys: [] };
        groups.set(g, group);
      }
      group.keys.push(key);
    }
    const total = Math.max(1, this.#assigned.size);
    const moves: Move[] = [...groups.values()]
      .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0))
      .map((g) => ({
        from: g.from,
        to: g.to,
        unit: { type: "keys", keys: g.keys },
        share: g.keys.length / total,
      }));
    return makePlan("bounded-load-ring", moves, this.#members, next.#members);
  }
}
