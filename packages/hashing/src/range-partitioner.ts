import { HashingError, invariant } from "./errors.js";
import {
  checkKey,
  checkMemberId,
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
} from "./member.js";
import { keyHash32 } from "./murmur3.js";
import { type Partitioner, requirePlanTarget } from "./partitioner.js";
import { weightQuotas } from "./quotas.js";
import {
  diffHashSegments,
  HASH_SPACE,
  type KeyUnit,
  type Move,
  makePlan,
  type RebalancePlan,
} from "./rebalance-plan.js";

/**
 * One range of a {@link RangePartitioner} and its owner. The unit is a `hash-range` (hash domain) or a
 * `key-range` (key domain).
 *
 * @example
 * ```ts
 * import { RangePartitioner, type RangeAssignment } from "@distkit/hashing";
 * const first: RangeAssignment = RangePartitioner.byKey(["a", "b"], ["m"]).ranges()[0]!;
 * first.unit; // { type: "key-range", start: "", end: "m" }
 * ```
 */
export interface RangeAssignment {
  /** The keys of the range. */
  readonly unit: Extract<KeyUnit, { type: "hash-range" } | { type: "key-range" }>;
  /** Its owner. */
  readonly owner: MemberId;
}

/**
 * Options of {@link RangePartitioner.byHash}.
 *
 * @example
 * ```ts
 * import { RangePartitioner, type HashRangeOptions } from "@distkit/hashing";
 * const options: HashRangeOptions = { seed: 0 };
 * RangePartitioner.byHash(["a", "b"], options);
 * ```
 */
export interface HashRangeOptions {
  /** Seed of the key hash, an unsigned 32-bit integer; default 0. */
  readonly seed?: number;
}

/**
 * Options of {@link RangePartitioner.splitHot}.
 *
 * @example
 * ```ts
 * import type { SplitHotOptions } from "@distkit/hashing";
 * const options: SplitHotOptions = { owner: "c" };
 * ```
 */
export interface SplitHotOptions {
  /** Who takes the upper half; default the member with the fewest sampled keys (ties by id). */
  readonly owner?: MemberId;
}

const MAX_RANGES = 1 << 20;

/**
 * What a {@link RangePartitioner} cuts into ranges: `"hash"` (murmur3_32 of the key) or `"key"` (the key in
 * string order).
 *
 * @example
 * ```ts
 * import type { RangeDomain } from "@distkit/hashing";
 * const domain: RangeDomain = "key";
 * ```
 */
export type RangeDomain = "hash" | "key";

/**
 * Range partitioning: the key space is cut into contiguous ranges, each owned by one member (Bigtable tablets,
 * HBase regions, CockroachDB ranges). Two domains:
 *
 * - **by key** (`byKey`): ranges of the keys themselves in string order, so range scans stay on one member,
 *   at the price of hot spots on sequential keys;
 * - **by hash** (`byHash`): ranges of murmur3_32(key), so load spreads evenly but scans touch every member.
 *
 * Ranges split (at a given point, at the middle, or at the median of a sample of keys to relieve a hot or
 * large range: `splitHot`) and merge with their right neighbour. In the hash domain, `withMember`,
 * `withoutMember` and `withWeight` move the fewest hash ranges that bring every member to its
 * weight-proportional share (exactly the ideal fraction moves). In the key domain there is no measure of size
 * without data: `withMember` hands the newcomer the last range of the member that owns the most ranges (ties
 * by id)
 * (when it owns at least two), `withoutMember` gives the leaver's ranges to their left neighbour's owner, and
 * `withWeight` records the weight only. Use `split` / `splitHot` / `reassign` to shape key ranges.
 *
 * @example
 * ```ts
 * import { RangePartitioner } from "@distkit/hashing";
 * const byKey = RangePartitioner.byKey(["a", "b", "c"], ["h", "p"]); // ["", "h") ["h", "p") ["p", +inf)
 * byKey.locate("kiwi"); // "b"
 * const relieved = byKey.splitHot(["q1", "q2", "q3", "q4"], { owner: "a" }); // splits ["p", +inf) at "q3"
 * ```
 */
export class RangePartitioner implements Partitioner {
  /** Always `"range"`. */
  readonly kind = "range" as const;
  /** `"hash"` (ranges of murmur3_32(key, seed)) or `"key"` (ranges of keys in string order). */
  readonly domain: RangeDomain;
  /** The hash seed (hash domain; 0 in the key domain). */
  readonly seed: number;
  readonly #members: readonly Member[];
  readonly #hashStarts: Float64Array;
  readonly #keyStarts: readonly string[];
  readonly #owners: readonly MemberId[];

  private constructor(
    domain: RangeDomain,
    seed: number,
    members: readonly Member[],
    starts: readonly (number | string)[],
    owners: readonly MemberId[],
  ) {
    this.domain = domain;
    this.seed = seed;
    this.#members = Object.freeze(sortedById(members));
    invariant(
      starts.length === owners.length && starts.length >= 1,
      "one owner per range, at least one range",
    );
    if (starts.length > MAX_RANGES) {
      throw new HashingError(
        "invalid-argument",
        `RangePartitioner: at most ${MAX_RANGES} ranges accepted, got ${starts.length}`,
      );
    }
    const ids = new Set(this.#members.map((m) => m.id));
    for (const o of owners) invariant(ids.has(o), "every range is owned by a member");
    if (domain === "hash") {
      this.#hashStarts = Float64Array.from(starts as number[]);
      this.#keyStarts = [];
      invariant(this.#hashStarts[0] === 0, "hash ranges start at 0");
      for (let i = 1; i < starts.length; i++) {
        invariant(this.#hashStarts[i - 1]! < this.#hashStarts[i]!, "hash range starts increase");
      }
      invariant(this.#hashStarts[starts.length - 1]! < HASH_SPACE, "hash ranges lie in the hash space");
    } else {
      this.#hashStarts = new Float64Array(0);
      this.#keyStarts = Object.freeze([...(starts as string[])]);
      invariant(this.#keyStarts[0] === "", "key ranges start at the empty key");
      for (let i = 1; i < starts.length; i++)
        invariant(this.#keyStarts[i - 1]! < this.#keyStarts[i]!, "key starts increase");
    }
    this.#owners = Object.freeze([...owners]);
  }

  /**
   * Hash-domain ranges: one contiguous range of the 32-bit hash space per member, in id order, widths
   * proportional to weights.
   * @param members - ids or {id, weight}; at least one, distinct, weights positive
   * @param options - see {@link HashRangeOptions}
   * @throws {@link HashingError} on empty or duplicate membership, bad ids, weights or seed
   * @example
   * ```ts
   * import { RangePartitioner } from "@distkit/hashing";
   * const p = RangePartitioner.byHash(["a", "b", "c", "d"]);
   * p.ranges().length; // 4
   * ```
   */
  static byHash(members: readonly MemberInput[], options: HashRangeOptions = {}): RangePartitioner {
    const seed = checkSeedOption(options.seed, "RangePartitioner.byHash");
    const ms = sortedById(normalizeMembers(members, "RangePartitioner.byHash"));
    const widths = weightQuotas(ms, HASH_SPACE);
    const starts: number[] = [];
    const owners: MemberId[] = [];
    let at = 0;
    for (const m of ms) {
      const w = widths.get(m.id)!;
      if (w > 0) {
        starts.push(at);
        owners.push(m.id);
        at += w;
      }
    }
    invariant(at === HASH_SPACE, "quotas cover the hash space");
    return new RangePartitioner("hash", seed, ms, starts, owners);
  }

  /**
   * Key-domain ranges cut at `splitKeys`: ["", s1), [s1, s2), ..., [sk, +inf), owned round robin by the
   * members in id order.
   * @param members - ids or {id, weight}; at least one, distinct, weights positive
   * @param splitKeys - strictly increasing, non-empty strings (may be empty: one range)
   * @throws {@link HashingError} on bad membership, or `invalid-argument` when split keys are not strictly
   * increasing non-empty strings
   * @example
   * ```ts
   * import { RangePartitioner } from "@distkit/hashing";
   * const p = RangePartitioner.byKey(["a", "b"], ["m"]);
   * p.locate("zebra"); // "b"
   * ```
   */
  static byKey(members: readonly MemberInput[], splitKeys: readonly string[]): RangePartitioner {
    const ms = sortedById(normalizeMembers(members, "RangePartitioner.byKey"));
    if (!Array.isArray(splitKeys)) {
      throw new HashingError(
        "invalid-argument",
        "RangePartitioner.byKey: splitKeys must be an array of strings",
      );
    }
    const starts: string[] = [""];
    for (const k of splitKeys) {
      if (typeof k !== "string" || k <= starts[starts.length - 1]!) {
        throw new HashingError(
          "invalid-argument",
          `RangePartitioner.byKey: split keys must be strictly increasing non-empty strings, got ${JSON.stringify(k)} after ${JSON.stringify(starts[starts.length - 1])}`,
        );
      }
      starts.push(k);
    }
    const owners = starts.map((_, i) => ms[i % ms.length]!.id);
    return new RangePartitioner("key", 0, ms, starts, owners);
  }

  /** {@inheritDoc Partitioner.size} */
  get size(): number {
    return this.#members.length;
  }

  /** Number of ranges. */
  get rangeCount(): number {
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

  /** The ranges in order with their owners. */
  ranges(): RangeAssignment[] {
    const out: RangeAssignment[] = [];
    for (let i = 0; i < this.#owners.length; i++) out.push({ unit: this.#unit(i), owner: this.#owners[i]! });
    return out;
  }

  #unit(i: number): RangeAssignment["unit"] {
    if (this.domain === "hash") {
      const end = i + 1 < this.#hashStarts.length ? this.#hashStarts[i + 1]! : HASH_SPACE;
      return { type: "hash-range", seed: this.seed, start: this.#hashStarts[i]!, end };
    }
    return { type: "key-range", start: this.#keyStarts[i]!, end: this.#keyStarts[i + 1] ?? null };
  }

  /** Index of the range holding `key`. */
  rangeIndexOf(key: string): number {
    checkKey(key);
    let lo = 0;
    let hi = this.#owners.length - 1;
    if (this.domain === "hash") {
      const h = keyHash32(key, this.seed);
      const starts = this.#hashStarts;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (starts[mid]! <= h) lo = mid;
        else hi = mid - 1;
      }
    } else {
      const starts = this.#keyStarts;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (starts[mid]! <= key) lo = mid;
        else hi = mid - 1;
      }
    }
    return lo;
  }

  /** {@inheritDoc Partitioner.locate} */
  locate(key: string): MemberId {
    return this.#owners[this.rangeIndexOf(key)]!;
  }

  /**
   * `n` distinct members for `key`, the owner first (see {@link Partitioner.preferenceList}):
   * The owner, then the owners of the following ranges (wrapping), skipping repeats; members that own no
   * range come last, in id order.
   */
  preferenceList(key: string, n: number): MemberId[] {
    checkReplicaCount(n, this.#members.length);
    const start = this.rangeIndexOf(key);
    const total = this.#owners.length;
    const out: MemberId[] = [];
    for (let step = 0; step < total && out.length < n; step++) {
      const id = this.#owners[(start + step) % total]!;
      if (!out.includes(id)) out.push(id);
    }
    for (const m of this.#members) if (out.length < n && !out.includes(m.id)) out.push(m.id);
    invariant(out.length === n, "the preference list has n members");
    return out;
  }

  #checkIndex(index: number, context: string, last = this.#owners.length - 1): void {
    if (!Number.isInteger(index) || index < 0 || index > last) {
      throw new HashingError(
        "invalid-argument",
        `RangePartitioner.${context}: range index must be an integer in [0, ${last}], got ${String(index)}`,
      );
    }
  }

  #with(
    starts: readonly (number | string)[],
    owners: readonly MemberId[],
    members = this.#members,
  ): RangePartitioner {
    return new RangePartitioner(this.domain, this.seed, members, starts, owners);
  }

  #starts(): (number | string)[] {
    return this.domain === "hash" ? Array.from(this.#hashStarts) : [...this.#keyStarts];
  }

  /**
   * Splits range `index` in two at `at`; the upper part [at, end) goes to `owner` (default: the same owner,
   * so nothing moves yet).
   * @param index - the range
   * @param at - where the upper part starts: a hash strictly inside the range (default its middle) or, in the
   * key domain, a key strictly inside it (required)
   * @param owner - the upper part's owner
   * @throws {@link HashingError} `invalid-argument` when `at` is missing or not strictly inside the range,
   * `unknown-member` when `owner` is not a member
   */
  split(index: number, at?: number | string, owner?: MemberId): RangePartitioner {
    this.#checkIndex(index, "split");
    const unit = this.#unit(index);
    let point: number | string;
    if (unit.type === "hash-range") {
      point = at ?? Math.floor((unit.start + unit.end) / 2);
      if (typeof point !== "number" || !Number.isInteger(point) || point <= unit.start || point >= unit.end) {
        throw new HashingError(
          "invalid-argument",
          `RangePartitioner.split: the split hash must be an integer in (${unit.start}, ${unit.end}), got ${String(point)}`,
        );
      }
    } else {
      if (typeof at !== "string" || at <= unit.start || (unit.end !== null && at >= unit.end)) {
        throw new HashingError(
          "invalid-argument",
          `RangePartitioner.split: the split key must be a string strictly inside (${JSON.stringify(unit.start)}, ${unit.end === null ? "+inf" : JSON.stringify(unit.end)}), got ${JSON.stringify(at)}`,
        );
      }
      point = at;
    }
    const upperOwner = owner ?? this.#owners[index]!;
    requireMember(this.#members, upperOwner, "RangePartitioner.split");
    const starts = this.#starts();
    const owners = [...this.#owners];
    starts.splice(index + 1, 0, point);
    owners.splice(index + 1, 0, upperOwner);
    return this.#with(starts, owners);
  }

  /**
   * Merges range `index` with its right neighbour; the merged range keeps the owner of range `index` (the
   * neighbour's keys move when its owner differs).
   * @throws {@link HashingError} `invalid-argument` when `index` is not in [0, rangeCount - 2]
   */
  merge(index: number): RangePartitioner {
    this.#checkIndex(index, "merge", this.#owners.length - 2);
    const starts = this.#starts();
    const owners = [...this.#owners];
    starts.splice(index + 1, 1);
    owners.splice(index + 1, 1);
    return this.#with(starts, owners);
  }

  /**
   * Gives range `index` to `owner`.
   * @throws {@link HashingError} `invalid-argument` on a bad index, `unknown-member` when `owner` is not a member
   */
  reassign(index: number, owner: MemberId): RangePartitioner {
    this.#checkIndex(index, "reassign");
    requireMember(this.#members, owner, "RangePartitioner.reassign");
    const owners = [...this.#owners];
    owners[index] = owner;
    return this.#with(this.#starts(), owners);
  }

  /**
   * Relieves the hottest range: counts a sample of recent keys per range, and splits the range with the most
   * samples at their median (the median hash in the hash domain, the median key in the key domain), giving
   * the upper half to `options.owner` or to the member with the fewest sampled keys.
   * @param sampleKeys - a sample of the workload's keys (at least two distinct points in the hottest range)
   * @param options - see {@link SplitHotOptions}
   * @throws {@link HashingError} `invalid-argument` when the sample is empty or the hottest range cannot be
   * split (all its samples are at its start)
   */
  splitHot(sampleKeys: readonly string[], options: SplitHotOptions = {}): RangePartitioner {
    if (!Array.isArray(sampleKeys) || sampleKeys.length === 0) {
      throw new HashingError(
        "invalid-argument",
        "RangePartitioner.splitHot: needs a non-empty array of sample keys",
      );
    }
    const perRange = new Map<number, (number | string)[]>();
    const perMember = new Map<MemberId, number>(this.#members.map((m) => [m.id, 0]));
    for (const k of sampleKeys) {
      const i = this.rangeIndexOf(k);
      const point = this.domain === "hash" ? keyHash32(k, this.seed) : k;
      const list = perRange.get(i);
      if (list === undefined) perRange.set(i, [point]);
      else list.push(point);
      perMember.set(this.#owners[i]!, perMember.get(this.#owners[i]!)! + 1);
    }
    let hot = -1;
    let hotCount = 0;
    for (const [i, list] of perRange) {
      if (list.length > hotCount || (list.length === hotCount && i < hot)) {
        hot = i;
        hotCount = list.length;
      }
    }
    const points = perRange.get(hot)!;
    points.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const start = this.#unit(hot).start;
    let at: number | string | undefined;
    for (let k = points.length >>> 1; k < points.length; k++) {
      if (points[k]! > start) {
        at = points[k]!;
        break;
      }
    }
    if (at === undefined) {
      throw new HashingError(
        "invalid-argument",
        `RangePartitioner.splitHot: range ${hot} is hot but its sampled keys all sit at its start; it cannot be split`,
      );
    }
    let owner = options.owner;
    if (owner === undefined) {
      let fewest = Number.POSITIVE_INFINITY;
      for (const m of this.#members) {
        const c = perMember.get(m.id)!;
        if (c < fewest && (m.id !== this.#owners[hot] || this.#members.length === 1)) {
          fewest = c;
          owner = m.id;
        }
      }
    }
    invariant(owner !== undefined, "a member takes the upper half");
    checkMemberId(owner);
    return this.split(hot, at, owner);
  }

  /** {@inheritDoc Partitioner.withMember} */
  withMember(member: MemberInput): RangePartitioner {
    const members = membersWithAdded(this.#members, member, "RangePartitioner.withMember");
    if (this.domain === "hash") return this.#rebalanced(members);
    const counts = new Map<MemberId, number>();
    for (const o of this.#owners) counts.set(o, (counts.get(o) ?? 0) + 1);
    let donor: MemberId | null = null;
    let most = 1;
    for (const x of this.#members) {
      const c = counts.get(x.id) ?? 0;
      if (c > most) {
        most = c;
        donor = x.id;
      }
    }
    const owners = [...this.#owners];
    if (donor !== null) owners[owners.lastIndexOf(donor)] = members[members.length - 1]!.id;
    return this.#with(this.#starts(), owners, members);
  }

  /** {@inheritDoc Partitioner.withoutMember} */
  withoutMember(id: MemberId): RangePartitioner {
    const members = membersWithRemoved(this.#members, id, "RangePartitioner.withoutMember");
    if (this.domain === "hash") return this.#rebalanced(members);
    const owners = [...this.#owners];
    const firstOther = owners.find((o) => o !== id) ?? members[0]!.id;
    for (let i = 0; i < owners.length; i++) {
      if (owners[i] === id) owners[i] = i === 0 ? firstOther : owners[i - 1]!;
    }
    return this.#with(this.#starts(), owners, members);
  }

  /** {@inheritDoc Partitioner.withWeight} */
  withWeight(id: MemberId, weight: number): RangePartitioner {
    const members = membersWithWeight(this.#members, id, weight, "RangePartitioner.withWeight");
    if (this.domain === "hash") return this.#rebalanced(members);
    return this.#with(this.#starts(), this.#owners, members);
  }

  /**
   * Hash domain: the fewest hash ranges that bring every member to its weight-proportional share. Members over
   * their share cut pieces off the top of their widest ranges; the pieces go, in hash order, to the members
   * under their share (in id order). Adjacent ranges with one owner are merged.
   */
  #rebalanced(next: readonly Member[]): RangePartitioner {
    const members = sortedById(next);
    const target = weightQuotas(members, HASH_SPACE);
    type Piece = { start: number; end: number; owner: MemberId | null };
    const pieces: Piece[] = this.ranges().map((r) => ({
      start: r.unit.start as number,
      end: r.unit.end as number,
      owner: r.owner,
    }));
    const owned = new Map<MemberId, number>();
    for (const p of pieces) owned.set(p.owner!, (owned.get(p.owner!) ?? 0) + (p.end - p.start));
    const freed: Piece[] = [];
    for (const id of [...owned.keys()].sort()) {
      let excess = owned.get(id)! - (target.get(id) ?? 0);
      if (excess <= 0) continue;
      const mine = pieces
        .filter((p) => p.owner === id)
        .sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
      for (const p of mine) {
        if (excess <= 0) break;
        const cut = Math.min(excess, p.end - p.start);
        excess -= cut;
        if (cut === p.end - p.start) {
          p.owner = null;
          freed.push(p);
        } else {
          const upper: Piece = { start: p.end - cut, end: p.end, owner: null };
          p.end -= cut;
          pieces.push(upper);
          freed.push(upper);
        }
      }
      invariant(excess === 0, "a member's ranges cover its excess");
    }
    freed.sort((a, b) => a.start - b.start);
    const deficit = new Map<MemberId, number>();
    for (const m of members) deficit.set(m.id, Math.max(0, target.get(m.id)! - (owned.get(m.id) ?? 0)));
    for (const p of freed) {
      while (p.start < p.end) {
        const r = members.find((m) => deficit.get(m.id)! > 0);
        invariant(r !== undefined, "freed hash space never exceeds the total deficit");
        const take = Math.min(deficit.get(r.id)!, p.end - p.start);
        deficit.set(r.id, deficit.get(r.id)! - take);
        if (take === p.end - p.start) {
          p.owner = r.id;
          break;
        }
        pieces.push({ start: p.start, end: p.start + take, owner: r.id });
        p.start += take;
      }
    }
    for (const d of deficit.values()) invariant(d === 0, "every member reaches its share");
    pieces.sort((a, b) => a.start - b.start);
    const starts: number[] = [];
    const owners: MemberId[] = [];
    for (const p of pieces) {
      if (p.end <= p.start) continue;
      invariant(p.owner !== null, "every piece has an owner");
      if (owners.length > 0 && owners[owners.length - 1] === p.owner) continue;
      starts.push(p.start);
      owners.push(p.owner);
    }
    return new RangePartitioner("hash", this.seed, members, starts, owners);
  }

  /**
   * The moves from this partitioner's mapping to `next`'s (see {@link planRebalance}).
   * Moves are `hash-range` units (hash domain) or `key-range` units (key domain, `share: null`): the pieces
   * of the key space whose owner differs, adjacent equal moves merged.
   */
  planRebalanceTo(next: Partitioner): RebalancePlan {
    requirePlanTarget(
      next instanceof RangePartitioner && next.domain === this.domain && next.seed === this.seed,
      "RangePartitioner.planRebalanceTo",
      `${this.domain}-domain RangePartitioner with seed ${this.seed}`,
    );
    if (this.domain === "hash") {
      const seg = (p: RangePartitioner) => ({
        ends: [...Array.from(p.#hashStarts).slice(1), HASH_SPACE],
        owners: p.#owners,
      });
      return makePlan(
        "range",
        diffHashSegments(this.seed, seg(this), seg(next)),
        this.#members,
        next.#members,
      );
    }
    const bounds = [...new Set([...this.#keyStarts, ...next.#keyStarts])].sort((a, b) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    const moves: Move[] = [];
    for (let i = 0; i < bounds.length; i++) {
      const start = bounds[i]!;
      const from = this.locate(start);
      const to = next.locate(start);
      if (from === to) continue;
      const end = bounds[i + 1] ?? null;
      const last = moves[moves.length - 1];
      if (
        last !== undefined &&
        last.from === from &&
        last.to === to &&
        last.unit.type === "key-range" &&
        last.unit.end === start
      ) {
        moves[moves.length - 1] = {
          from,
          to,
          unit: { type: "key-range", start: last.unit.start, end },
          share: null,
        };
      } else {
        moves.push({ from, to, unit: { type: "key-range", start, end }, share: null });
      }
    }
    return makePlan("range", moves, this.#members, next.#members);
  }
}
