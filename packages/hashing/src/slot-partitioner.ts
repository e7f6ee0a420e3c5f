import { REDIS_SLOT_COUNT } from "./crc16.js";
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
import { type Partitioner, requirePlanTarget } from "./partitioner.js";
import { weightQuotas } from "./quotas.js";
import { diffSlotOwners, makePlan, type RebalancePlan, type Slotting, slotOf } from "./rebalance-plan.js";

/**
 * Options of {@link SlotPartitioner}.
 *
 * @example
 * ```ts
 * import { SlotPartitioner, type SlotPartitionerOptions } from "@distkit/hashing";
 * const riak: SlotPartitionerOptions = { slotting: "hash-range", slotCount: 64 };
 * SlotPartitioner.create(["a", "b", "c"], riak);
 * ```
 */
export interface SlotPartitionerOptions {
  /**
   * How keys map to slots: `"redis-crc16"` (default; CRC16 with `{hash tags}`, 16384 slots, as Redis Cluster)
   * or `"hash-range"` (murmur3 hash space cut into `slotCount` equal partitions, as Riak's ring).
   */
  readonly slotting?: "redis-crc16" | "hash-range";
  /** Number of slots: must be 16384 with Redis slotting; default 64 with hash-range slotting (Riak's default). */
  readonly slotCount?: number;
  /** Seed of the key hash for hash-range slotting, an unsigned 32-bit integer; default 0. */
  readonly seed?: number;
  /**
   * How slots are laid out over members. `"contiguous"` (default with Redis slotting, as `redis-cli --cluster
   * create` does): each member owns runs of consecutive slots, and rebalancing hands over the tail of donors'
   * runs, so plans are a few slot ranges. `"interleaved"` (default with hash-range slotting, as Riak's claim
   * does): consecutive slots belong to different members, so the preference list (the owners of the
   * following slots) spreads replicas over distinct members; rebalancing takes slots spread evenly over each
   * donor's slots.
   */
  readonly layout?: "contiguous" | "interleaved";
}

const MAX_SLOTS = 1 << 20;

/**
 * A fixed number of slots (partitions), each owned by one member: Redis Cluster's 16384 hash slots or Riak's
 * ring of Q partitions. Keys never change slot; membership changes move whole slots, and only as many as
 * needed to reach each member's weight-proportional quota (largest remainder). Slots are laid out in
 * contiguous runs (Redis) or interleaved (Riak; smooth weighted round robin), see
 * {@link SlotPartitionerOptions.layout}.
 *
 * @example
 * ```ts
 * import { SlotPartitioner, planRebalance } from "@distkit/hashing";
 * const cluster = SlotPartitioner.create(["a", "b", "c"]); // 16384 Redis slots
 * cluster.slotOf("{user1000}.following") === cluster.slotOf("{user1000}.followers"); // true
 * const grown = cluster.withMember("d");
 * planRebalance(cluster, grown).moves.length; // slot runs handed to "d"
 * ```
 */
export class SlotPartitioner implements Partitioner {
  /** Always `"slots"`. */
  readonly kind = "slots" as const;
  /** How keys map to slots. */
  readonly slotting: Slotting;
  /** How slots are laid out over members (see {@link SlotPartitionerOptions.layout}). */
  readonly layout: "contiguous" | "interleaved";
  readonly #members: readonly Member[];
  readonly #ids: readonly MemberId[];
  readonly #owners: Uint16Array;

  private constructor(
    members: readonly Member[],
    slotting: Slotting,
    layout: "contiguous" | "interleaved",
    owners: readonly MemberId[],
  ) {
    this.slotting = slotting;
    this.layout = layout;
    this.#members = Object.freeze(sortedById(members));
    this.#ids = this.#members.map((m) => m.id);
    const index = new Map<MemberId, number>();
    for (let i = 0; i < this.#ids.length; i++) index.set(this.#ids[i]!, i);
    this.#owners = new Uint16Array(owners.length);
    for (let s = 0; s < owners.length; s++) {
      const i = index.get(owners[s]!);
      invariant(i !== undefined, "every slot is owned by a member");
      this.#owners[s] = i;
    }
  }

  /**
   * Builds a slot map with every member at its weight-proportional quota.
   * @param members - ids or {id, weight}; at least one, distinct, weights positive
   * @param options - see {@link SlotPartitionerOptions}
   * @throws {@link HashingError} on empty or duplicate membership, bad ids or weights, a slot count other than
   * 16384 with Redis slotting, a slot count outside [1, 2^20], or a bad seed
   * @example
   * ```ts
   * import { SlotPartitioner } from "@distkit/hashing";
   * const riak = SlotPartitioner.create(["a", "b", "c"], { slotting: "hash-range", slotCount: 64 });
   * ```
   */
  static create(members: readonly MemberInput[], options: SlotPartitionerOptions = {}): SlotPartitioner {
    const ms = sortedById(normalizeMembers(members, "SlotPartitioner"));
    const kind = options.slotting ?? "redis-crc16";
    let slotting: Slotting;
    if (kind === "redis-crc16") {
      if (options.slotCount !== undefined && options.slotCount !== REDIS_SLOT_COUNT) {
        throw new HashingError(
          "invalid-argument",
          `SlotPartitioner: Redis slotting has exactly ${REDIS_SLOT_COUNT} slots, got slotCount ${options.slotCount}`,
        );
      }
      slotting = Object.freeze({ type: "redis-crc16" });
    } else if (kind === "hash-range") {
      const count = options.slotCount ?? 64;
      if (!Number.isInteger(count) || count < 1 || count > MAX_SLOTS) {
        throw new HashingError(
          "invalid-argument",
          `SlotPartitioner: slotCount must be an integer in [1, ${MAX_SLOTS}], got ${String(count)}`,
        );
      }
      slotting = Object.freeze({
        type: "hash-range",
        seed: checkSeedOption(options.seed, "SlotPartitioner"),
        count,
      });
    } else {
      throw new HashingError(
        "invalid-argument",
        `SlotPartitioner: slotting must be "redis-crc16" or "hash-range", got ${JSON.stringify(kind)}`,
      );
    }
    const count = slotting.type === "redis-crc16" ? REDIS_SLOT_COUNT : slotting.count;
    const layout = options.layout ?? (slotting.type === "redis-crc16" ? "contiguous" : "interleaved");
    if (layout !== "contiguous" && layout !== "interleaved") {
      throw new HashingError(
        "invalid-argument",
        `SlotPartitioner: layout must be "contiguous" or "interleaved", got ${JSON.stringify(layout)}`,
      );
    }
    return new SlotPartitioner(
      ms,
      slotting,
      layout,
      layout === "contiguous" ? blocks(ms, count) : interleave(ms, count),
    );
  }

  /** {@inheritDoc Partitioner.size} */
  get size(): number {
    return this.#members.length;
  }

  /** Number of slots. */
  get slotCount(): number {
    return this.#owners.length;
  }

  /** {@inheritDoc Partitioner.members} */
  members(): readonly Member[] {
    return this.#members;
  }

  /** {@inheritDoc Partitioner.has} */
  has(id: MemberId): boolean {
    return indexOfMember(this.#members, id) >= 0;
  }

  /** The slot of `key`, in [0, slotCount). */
  slotOf(key: string): number {
    return slotOf(this.slotting, key);
  }

  /** The owner of `slot`. */
  slotOwner(slot: number): MemberId {
    this.#checkSlot(slot, "slotOwner");
    return this.#ids[this.#owners[slot]!]!;
  }

  /** The owner of every slot, by slot number (a copy). */
  slotOwners(): MemberId[] {
    return Array.from(this.#owners, (i) => this.#ids[i]!);
  }

  /** Number of slots each member owns. */
  slotCounts(): ReadonlyMap<MemberId, number> {
    const counts = new Map<MemberId, number>(this.#ids.map((id) => [id, 0]));
    for (const i of this.#owners) counts.set(this.#ids[i]!, counts.get(this.#ids[i]!)! + 1);
    return counts;
  }

  #checkSlot(slot: number, context: string): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.#owners.length) {
      throw new HashingError(
        "invalid-argument",
        `SlotPartitioner.${context}: slot must be an integer in [0, ${this.#owners.length}), got ${slot}`,
      );
    }
  }

  /** {@inheritDoc Partitioner.locate} */
  locate(key: string): MemberId {
    checkKey(key);
    return this.#ids[this.#owners[slotOf(this.slotting, key)]!]!;
  }

  /**
   * `n` distinct members for `key`, the owner first (see {@link Partitioner.preferenceList}):
   * The owner of the key's slot, then the owners of the following slots (wrapping), skipping repeats;
   * members that own no slot come last, in id order.
   */
  preferenceList(key: string, n: number): MemberId[] {
    checkKey(key);
    checkReplicaCount(n, this.#members.length);
    const total = this.#owners.length;
    const start = slotOf(this.slotting, key);
    const out: MemberId[] = [];
    for (let step = 0; step < total && out.length < n; step++) {
      const id = this.#ids[this.#owners[(start + step) % total]!]!;
      if (!out.includes(id)) out.push(id);
    }
    for (const id of this.#ids) if (out.length < n && !out.includes(id)) out.push(id);
    invariant(out.length === n, "the preference list has n members");
    return out;
  }

  /**
   * A new slot map where `slot` is owned by `to` (a manual migration, as `CLUSTER SETSLOT ... NODE`).
   * @throws {@link HashingError} `invalid-argument` on a bad slot, `unknown-member` when `to` is not a member
   */
  withSlotOwner(slot: number, to: MemberId): SlotPartitioner {
    return this.withSlotRangeOwner(slot, slot + 1, to);
  }

  /**
   * A new slot map where the slots in [start, end) are owned by `to` (one step of a resharding plan).
   * @throws {@link HashingError} `invalid-argument` unless 0 <= start < end <= slotCount, `unknown-member`
   * when `to` is not a member
   */
  withSlotRangeOwner(start: number, end: number, to: MemberId): SlotPartitioner {
    this.#checkSlot(start, "withSlotRangeOwner");
    if (!Number.isInteger(end) || end <= start || end > this.#owners.length) {
      throw new HashingError(
        "invalid-argument",
        `SlotPartitioner.withSlotRangeOwner: end must be an integer in (${start}, ${this.#owners.length}], got ${end}`,
      );
    }
    requireMember(this.#members, to, "SlotPartitioner.withSlotRangeOwner");
    const owners = this.slotOwners();
    for (let s = start; s < end; s++) owners[s] = to;
    return new SlotPartitioner(this.#members, this.slotting, this.layout, owners);
  }

  /**
   * A new slot map with one more member that owns no slot yet (as Redis's `CLUSTER MEET` before a
   * resharding); move slots to it with {@link SlotPartitioner.withSlotRangeOwner}, for instance following
   * `planRebalance(current, current.withMember(member))`.
   * @throws {@link HashingError} `duplicate-member`, `invalid-member-id`, `invalid-weight`
   */
  withEmptyMember(member: MemberInput): SlotPartitioner {
    return new SlotPartitioner(
      membersWithAdded(this.#members, member, "SlotPartitioner.withEmptyMember"),
      this.slotting,
      this.layout,
      this.slotOwners(),
    );
  }

  /** {@inheritDoc Partitioner.withMember} */
  withMember(member: MemberInput): SlotPartitioner {
    return this.#rebalanced(membersWithAdded(this.#members, member, "SlotPartitioner.withMember"));
  }

  /** {@inheritDoc Partitioner.withoutMember} */
  withoutMember(id: MemberId): SlotPartitioner {
    return this.#rebalanced(membersWithRemoved(this.#members, id, "SlotPartitioner.withoutMember"));
  }

  /** {@inheritDoc Partitioner.withWeight} */
  withWeight(id: MemberId, weight: number): SlotPartitioner {
    return this.#rebalanced(membersWithWeight(this.#members, id, weight, "SlotPartitioner.withWeight"));
  }

  /**
   * Moves the fewest slots that bring every member to its quota. Contiguous layout: members over quota give
   * up their highest slots, and the freed slots go, in slot order, to the members under quota in id order.
   * Interleaved layout: donors give up slots spread evenly over the ones they own, and each freed slot goes
   * to the member with the largest remaining deficit.
   */
  #rebalanced(next: readonly Member[]): SlotPartitioner {
    const members = sortedById(next);
    const total = this.#owners.length;
    const quota = weightQuotas(members, total);
    const owners: (MemberId | null)[] = this.slotOwners();
    const owned = new Map<MemberId, number[]>(members.map((m) => [m.id, []]));
    const free: number[] = [];
    for (let s = 0; s < total; s++) {
      const list = owned.get(owners[s]!);
      if (list === undefined) {
        owners[s] = null;
        free.push(s);
      } else list.push(s);
    }
    for (const m of members) {
      const list = owned.get(m.id)!;
      const excess = list.length - quota.get(m.id)!;
      for (let k = 0; k < excess; k++) {
        const s =
          this.layout === "contiguous"
            ? list[list.length - 1 - k]!
            : list[Math.floor(((k + 0.5) * list.length) / excess)]!;
        owners[s] = null;
        free.push(s);
      }
    }
    free.sort((a, b) => a - b);
    const deficit = new Map<MemberId, number>();
    for (const m of members) {
      const have = owners.filter((o) => o === m.id).length;
      deficit.set(m.id, quota.get(m.id)! - have);
    }
    for (const s of free) {
      let best: MemberId | null = null;
      let bestDeficit = 0;
      for (const m of members) {
        const d = deficit.get(m.id)!;
        if (this.layout === "contiguous" && d > 0) {
          best = m.id;
          bestDeficit = d;
          break;
        }
        if (d > bestDeficit) {
          bestDeficit = d;
          best = m.id;
        }
      }
      invariant(best !== null, "freed slots never exceed the total deficit");
      owners[s] = best;
      deficit.set(best, bestDeficit - 1);
    }
    for (const d of deficit.values()) invariant(d === 0, "every member reaches its quota");
    return new SlotPartitioner(members, this.slotting, this.layout, owners as MemberId[]);
  }

  /**
   * The moves from this partitioner's mapping to `next`'s (see {@link planRebalance}).
   * Moves are `slots` units: runs of consecutive slots changing between the same two members.
   */
  planRebalanceTo(next: Partitioner): RebalancePlan {
    requirePlanTarget(
      next instanceof SlotPartitioner && JSON.stringify(next.slotting) === JSON.stringify(this.slotting),
      "SlotPartitioner.planRebalanceTo",
      `SlotPartitioner with slotting ${JSON.stringify(this.slotting)}`,
    );
    const b = next;
    const moves = diffSlotOwners(
      this.slotting,
      (s) => this.#ids[this.#owners[s]!]!,
      (s) => b.#ids[b.#owners[s]!]!,
      this.#owners.length,
    );
    return makePlan("slots", moves, this.#members, next.#members);
  }
}

/** Initial owners in consecutive blocks, members in id order. */
function blocks(members: readonly Member[], total: number): MemberId[] {
  const quota = weightQuotas(members, total);
  const owners: MemberId[] = [];
  for (const m of members) for (let k = quota.get(m.id)!; k > 0; k--) owners.push(m.id);
  invariant(owners.length === total, "quotas sum to the slot count");
  return owners;
}

/** Initial owners by smooth weighted round robin, then trimmed to exact quotas. */
function interleave(members: readonly Member[], total: number): MemberId[] {
  const quota = weightQuotas(members, total);
  const current = new Float64Array(members.length);
  const left = members.map((m) => quota.get(m.id)!);
  const weight = totalWeight(members);
  const owners: MemberId[] = [];
  for (let s = 0; s < total; s++) {
    let best = -1;
    for (let i = 0; i < members.length; i++) {
      if (left[i]! <= 0) continue;
      current[i]! += members[i]!.weight;
      if (best < 0 || current[i]! > current[best]!) best = i;
    }
    invariant(best >= 0, "quotas sum to the slot count");
    current[best]! -= weight;
    left[best]!--;
    owners.push(members[best]!.id);
  }
  return owners;
}
