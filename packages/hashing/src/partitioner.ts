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
   * @throws {@link HashingError} `invalid-key` when key is not a string
   */
  locate(key: string): MemberId;
  /**
   * `n` distinct members for `key`, the owner first, then the members that take over, in order, if those
   * before them are unavailable (Dynamo's preference list).
   * @throws {@link HashingError} `too-many-replicas` when n exceeds the membership, `invalid-argument` when
   * n is not a positive integer
   */
  preferenceList(key: string, n: number): MemberId[];
  /**
   * A new partitioner with one more member.
   * @throws {@link HashingError} `duplicate-member`, `invalid-member-id`, `invalid-weight`
   */
  withMember(member: MemberInput): Partitioner;
  /**
   * A new partitioner without `id`.
   * @throws {@link HashingError} `unknown-member`, or `empty-membership` when removing the last member
   */
  withoutMember(id: MemberId): Partitioner;
  /**
   * A new partitioner where `id` has weight `weight`.
   * @throws {@link HashingError} `unknown-member`, `invalid-weight`
   */
  withWeight(id: MemberId, weight: number): Partitioner;
  /**
   * What moves, from which member to which, when switching from this partitioner to `next` (same kind and
   * compatible settings). Computed from the two mappings alone; touches no data. Prefer
   * {@link planRebalance}.
   * @throws {@link HashingError} `kind-mismatch` when `next` is of another kind or has other settings
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
 * @throws {@link HashingError} `kind-mismatch` when the kinds or settings differ
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
      "kind-mismatch",
      `planRebalance: both partitioners must be of the same kind, got "${before.kind}" and "${after.kind}"`,
    );
  }
  return before.planRebalanceTo(after);
}

/**
 * Throws `kind-mismatch` unless `compatible`: the target of a `planRebalanceTo` must be of the receiver's class
 * with the same settings. `wanted` describes that target ("HashRing with seed 0"). @internal
 */
export function requirePlanTarget(compatible: boolean, context: string, wanted: string): asserts compatible {
  if (!compatible) {
    throw new HashingError("kind-mismatch", `${context}: the target must be a ${wanted}`);
  }
}
