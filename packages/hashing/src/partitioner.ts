import { HashingError } from "./errors.js";
import type { Member, MemberId, MemberInput } from "./member.js";
import type { RebalancePlan } from "./rebalance-plan.js";

/**
 * Which algorithm a partitioner implements.
 *
 * @example
 * ```ts
 * import type { PartitionerKind } from "@distkit/hashing";
 * const kind: PartitionerKind = "ring";
 * ```
 */
export type PartitionerKind =
  | "mod-n"
  | "range"
  | "ring"
  | "rendezvous"
  | "jump"
  | "maglev"
  | "bounded-load-ring"
  | "slots";

/**
 * The one interface every partitioner implements: find the owner of a key, list n distinct owners for
 * replication, change the membership, and plan what moves between two memberships.
 *
 * Partitioners are immutable: `withMember`, `withoutMember` and `withWeight` return a new partitioner of the
 * same class and leave the receiver untouched, so a caller can keep the old one to plan a rebalance
 * (`planRebalance(old, next)`) and to route reads during the move. (The one stateful part of the package,
 * which keys a {@link BoundedLoadRing} has assigned, is documented on that class.)
 *
 * Determinism: the mapping depends only on the members (ids and weights), the options (seed, table sizes,
 * virtual nodes), and for the order-sensitive algorithms (`mod-n`, `jump`) the order of members. No clock, no
 * randomness: every machine computes the same owner for the same key.
 *
 * Keys are strings; every algorithm hashes their UTF-8 bytes with murmur3 x86 32 (seeded by the `seed`
 * option, default 0), except `slots` with Redis slotting (CRC16 with hash tags) and `range` by key (ordered
 * by the key itself).
 *
 * @example
 * ```ts
 * import { HashRing, planRebalance, type Partitioner } from "@distkit/hashing";
 * const before: Partitioner = HashRing.create(["a", "b", "c"]);
 * const after = before.withMember("d");
 * before.locate("user:42"); // one of "a" | "b" | "c"
 * after.preferenceList("user:42", 3); // 3 distinct members, the owner first
 * const plan = planRebalance(before, after); // moves, all of them to "d"
 * ```
 */
export interface Partitioner {
  /** The algorithm. */
  readonly kind: PartitionerKind;
  /**
   * The members in the partitioner's canonical order: sorted by id for set-based algorithms, insertion order
   * for `mod-n` and `jump` (where order decides placement).
   */
  members(): readonly Member[];
  /** Number of members. */
  readonly size: number;
  /** Whether `id` is a member. */
  has(id: MemberId): boolean;
  /**
   * The member that owns `key`.
   * @throws {@link HashingError} `INVALID_KEY` when key is not a string
   */
  locate(key: string): MemberId;
  /**
   * `n` distinct members for `key`, the owner first, then the members that take over, in order, if those
   * before them are unavailable (Dynamo's preference list).
   * @throws {@link HashingError} `TOO_MANY_REPLICAS` when n exceeds the membership, `INVALID_ARGUMENT` when
   * n is not a positive integer
   */
  preferenceList(key: string, n: number): MemberId[];
  /**
   * A new partitioner with one more member.
   * @throws {@link HashingError} `DUPLICATE_MEMBER`, `INVALID_MEMBER_ID`, `INVALID_WEIGHT`
   */
  withMember(member: MemberInput): Partitioner;
  /**
   * A new partitioner without `id`.
   * @throws {@link HashingError} `UNKNOWN_MEMBER`, or `EMPTY_MEMBERSHIP` when removing the last member
   */
  withoutMember(id: MemberId): Partitioner;
  /**
   * A new partitioner where `id` has weight `weight`.
   * @throws {@link HashingError} `UNKNOWN_MEMBER`, `INVALID_WEIGHT`
   */
  withWeight(id: MemberId, weight: number): Partitioner;
  /**
   * What moves, from which member to which, when switching from this partitioner to `next` (same kind and
   * compatible settings). Computed from the two mappings alone; touches no data. Prefer
   * {@link planRebalance}.
   * @throws {@link HashingError} `KIND_MISMATCH` when `next` is of another kind or has other settings
   */
  planRebalanceTo(next: Partitioner): RebalancePlan;
}

/**
 * The rebalancing plan that turns the mapping of `before` into the mapping of `after`: which key units
 * (hash ranges, key ranges, slots, buckets, explicit keys) move from which member to which. Applying the
 * moves to the old mapping gives exactly the new one ({@link applyPlan}).
 *
 * @param before - the current partitioner
 * @param after - the target partitioner, of the same kind with compatible settings (same seed, table size)
 * @returns the plan; its moves are in a deterministic order
 * @throws {@link HashingError} `KIND_MISMATCH` when the kinds or settings differ
 *
 * @example
 * ```ts
 * import { JumpHash, planRebalance } from "@distkit/hashing";
 * const before = JumpHash.create(["a", "b", "c"]);
 * const plan = planRebalance(before, before.withMember("d"));
 * plan.moves.every((m) => m.to === "d"); // true
 * plan.movedShare; // 0.25 = 1 / (n + 1)
 * ```
 */
export function planRebalance(before: Partitioner, after: Partitioner): RebalancePlan {
  if (before.kind !== after.kind) {
    throw new HashingError(
      "KIND_MISMATCH",
      `planRebalance: both partitioners must be of the same kind, got "${before.kind}" and "${after.kind}"`,
    );
  }
  return before.planRebalanceTo(after);
}
