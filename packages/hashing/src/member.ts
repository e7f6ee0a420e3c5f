import { HashingError } from "./errors.js";

/**
 * A member's identity: a non-empty string chosen by the caller (a node id, a host name). Positions on rings and
 * tables derive only from hashing these ids, so every machine that knows the same members computes the same
 * mapping.
 *
 * @example
 * ```ts
 * import type { MemberId } from "@distkit/hashing";
 * const id: MemberId = "node-a";
 * ```
 */
export type MemberId = string;

/**
 * A member and its weight: the member's share of the keys is proportional to its weight.
 *
 * @example
 * ```ts
 * import type { Member } from "@distkit/hashing";
 * const m: Member = { id: "node-a", weight: 2 };
 * ```
 */
export interface Member {
  /** The member's id. */
  readonly id: MemberId;
  /** A positive finite number; 1 unless given. */
  readonly weight: number;
}

/**
 * How members are given to a partitioner: a bare id (weight 1), or an id with an optional weight.
 *
 * @example
 * ```ts
 * import { HashRing, type MemberInput } from "@distkit/hashing";
 * const members: MemberInput[] = ["a", { id: "b", weight: 2 }];
 * HashRing.create(members);
 * ```
 */
export type MemberInput = MemberId | { readonly id: MemberId; readonly weight?: number };

/** @internal */
export function checkMemberId(id: unknown): asserts id is MemberId {
  if (typeof id !== "string" || id.length === 0) {
    throw new HashingError(
      "invalid-member-id",
      `member id must be a non-empty string, got ${JSON.stringify(id) ?? String(id)}`,
    );
  }
}

/** @internal */
export function checkWeight(weight: unknown, integer: boolean, context: string): asserts weight is number {
  const ok =
    typeof weight === "number" &&
    Number.isFinite(weight) &&
    weight > 0 &&
    (!integer || (Number.isInteger(weight) && weight <= MAX_INTEGER_WEIGHT));
  if (!ok) {
    throw new HashingError(
      "invalid-weight",
      integer
        ? `${context}: weight must be a positive integer at most ${MAX_INTEGER_WEIGHT}, got ${String(weight)}`
        : `${context}: weight must be a positive finite number, got ${String(weight)}`,
    );
  }
}

/** Largest weight accepted by partitioners that give a member one bucket per unit of weight. @internal */
export const MAX_INTEGER_WEIGHT = 4096;

/** Largest membership any partitioner accepts. @internal */
export const MAX_MEMBERS = 65_535;

/**
 * Validates and normalizes a membership: ids non-empty and distinct, weights positive (integers when
 * `integerWeights`). Keeps the given order. @internal
 */
export function normalizeMembers(
  inputs: readonly MemberInput[],
  context: string,
  integerWeights = false,
): Member[] {
  if (!Array.isArray(inputs)) {
    throw new HashingError("invalid-argument", `${context}: members must be an array of ids or {id, weight}`);
  }
  if (inputs.length === 0) {
    throw new HashingError("empty-membership", `${context}: needs at least one member, got none`);
  }
  if (inputs.length > MAX_MEMBERS) {
    throw new HashingError(
      "invalid-argument",
      `${context}: at most ${MAX_MEMBERS} members accepted, got ${inputs.length}`,
    );
  }
  const seen = new Set<string>();
  const out: Member[] = [];
  for (const input of inputs) {
    const m = toMember(input, context, integerWeights);
    if (seen.has(m.id)) {
      throw new HashingError(
        "duplicate-member",
        `${context}: member "${m.id}" appears twice; member ids must be distinct`,
      );
    }
    seen.add(m.id);
    out.push(m);
  }
  return out;
}

/** @internal */
export function toMember(input: MemberInput, context: string, integerWeights = false): Member {
  if (typeof input === "string") {
    checkMemberId(input);
    return Object.freeze({ id: input, weight: 1 });
  }
  if (typeof input !== "object" || input === null) {
    throw new HashingError(
      "invalid-member-id",
      `${context}: a member must be a non-empty string id or {id, weight}, got ${String(input)}`,
    );
  }
  checkMemberId(input.id);
  const weight = input.weight ?? 1;
  checkWeight(weight, integerWeights, `${context}: member "${input.id}"`);
  return Object.freeze({ id: input.id, weight });
}

/** Members sorted by id (code-unit order), the canonical order of set-based partitioners. @internal */
export function sortedById(members: readonly Member[]): Member[] {
  return [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** @internal */
export function indexOfMember(members: readonly Member[], id: MemberId): number {
  for (let i = 0; i < members.length; i++) if (members[i]!.id === id) return i;
  return -1;
}

/** @internal Throws UNKNOWN_MEMBER unless `id` is a member; returns its index. */
export function requireMember(members: readonly Member[], id: MemberId, context: string): number {
  checkMemberId(id);
  const i = indexOfMember(members, id);
  if (i < 0) {
    throw new HashingError(
      "unknown-member",
      `${context}: "${id}" is not a member; members are ${members.map((m) => JSON.stringify(m.id)).join(", ")}`,
    );
  }
  return i;
}

/** @internal Throws DUPLICATE_MEMBER when `id` is already a member. */
export function requireAbsent(members: readonly Member[], id: MemberId, context: string): void {
  if (indexOfMember(members, id) >= 0) {
    throw new HashingError(
      "duplicate-member",
      `${context}: "${id}" is already a member; ids must be distinct`,
    );
  }
}

/** @internal Throws empty-membership when removing the last member. */
export function requireNotLast(members: readonly Member[], context: string): void {
  if (members.length <= 1) {
    throw new HashingError(
      "empty-membership",
      `${context}: cannot remove the last member; at least one is needed`,
    );
  }
}

/**
 * The membership after adding `input` (validated; its id must be new), the new member last. Backs every
 * partitioner's `withMember`. @internal
 */
export function membersWithAdded(
  members: readonly Member[],
  input: MemberInput,
  context: string,
  integerWeights = false,
): Member[] {
  const m = toMember(input, context, integerWeights);
  requireAbsent(members, m.id, context);
  return [...members, m];
}

/**
 * The membership without `id`, which must be a member and not the last one. Backs every partitioner's
 * `withoutMember`. @internal
 */
export function membersWithRemoved(members: readonly Member[], id: MemberId, context: string): Member[] {
  requireMember(members, id, context);
  requireNotLast(members, context);
  return members.filter((m) => m.id !== id);
}

/**
 * The membership where member `id` has weight `weight` (validated, an integer when `integerWeights`), order
 * kept. Backs every partitioner's `withWeight`. @internal
 */
export function membersWithWeight(
  members: readonly Member[],
  id: MemberId,
  weight: number,
  context: string,
  integerWeights = false,
): Member[] {
  requireMember(members, id, context);
  checkWeight(weight, integerWeights, `${context}: member "${id}"`);
  return members.map((m) => (m.id === id ? Object.freeze({ id, weight }) : m));
}

/** Sum of the members' weights. @internal */
export function totalWeight(members: readonly Member[]): number {
  let w = 0;
  for (const m of members) w += m.weight;
  return w;
}

/** @internal */
export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== "string") {
    throw new HashingError("invalid-key", `key must be a string, got ${typeof key}`);
  }
}

/** @internal Validates n for a preference list over `size` members. */
export function checkReplicaCount(n: unknown, size: number): asserts n is number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    throw new HashingError(
      "invalid-argument",
      `preference list length must be an integer >= 1, got ${String(n)}`,
    );
  }
  if (n > size) {
    throw new HashingError(
      "too-many-replicas",
      `preference list of ${n} distinct members asked for, but there are only ${size} members`,
    );
  }
}

/** @internal A seed option: an unsigned 32-bit integer, default 0. */
export function checkSeedOption(seed: unknown, context: string): number {
  if (seed === undefined) return 0;
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new HashingError(
      "invalid-argument",
      `${context}: seed must be an integer in [0, 2^32 - 1], got ${String(seed)}`,
    );
  }
  return seed;
}

/**
 * Each member's share of the keys under weight-proportional placement: weight / total weight.
 *
 * @param members - the membership
 * @returns a map from member id to its share; the shares sum to 1
 *
 * @example
 * ```ts
 * import { weightShares } from "@distkit/hashing";
 * weightShares([{ id: "a", weight: 1 }, { id: "b", weight: 3 }]).get("b"); // 0.75
 * ```
 */
export function weightShares(members: readonly Member[]): ReadonlyMap<MemberId, number> {
  const total = totalWeight(members);
  const out = new Map<MemberId, number>();
  for (const m of members) out.set(m.id, m.weight / total);
  return out;
}
