/**
 * The versioned shard map: contiguous ranges of the position space, each owned by one shard, with a map
 * version bumped on every change and a per-range epoch (the map version at which the range's owner last
 * changed; like MongoDB's chunk major version or a CockroachDB range descriptor's generation). Immutable:
 * every change returns a new map and leaves this one untouched; bad input throws {@link ShardingError}.
 * @module
 */
import type { NodeId } from "@distkit/sim-net";
import { invariant, ShardingError } from "./errors.js";
import {
  isValidPosition,
  keyPosition,
  numericPosition,
  type PartitionScheme,
  spaceSize,
  validateScheme,
} from "./position.js";

/**
 * Identifier of a shard (a replica group).
 *
 * @example
 * ```ts
 * import type { ShardId } from "@distkit/sharding";
 * const shard: ShardId = "s1";
 * ```
 */
export type ShardId = string;

/**
 * A member shard of the map: its id, the nodes of its replica group, and whether it takes new ranges
 * (`active`) or is being emptied before removal (`draining`).
 *
 * @example
 * ```ts
 * import type { ShardInfo } from "@distkit/sharding";
 * const s: ShardInfo = { id: "s1", replicas: ["s1a", "s1b", "s1c"], state: "active" };
 * ```
 */
export interface ShardInfo {
  readonly id: ShardId;
  readonly replicas: readonly NodeId[];
  readonly state: "active" | "draining";
}

/**
 * One range of the position space, `[start, end)` (`end: null` = unbounded), owned by `shard`. `epoch` is the
 * map version at which its owner last changed (splits and merges keep it).
 *
 * @example
 * ```ts
 * import type { RangeDescriptor } from "@distkit/sharding";
 * const r: RangeDescriptor = { id: "r1", start: "", end: "08192", shard: "s1", epoch: 1 };
 * ```
 */
export interface RangeDescriptor {
  readonly id: string;
  readonly start: string;
  readonly end: string | null;
  readonly shard: ShardId;
  readonly epoch: number;
}

/**
 * The plain-data (JSON) form of a {@link ShardMap}, as stored in the config service and sent to routers.
 *
 * @example
 * ```ts
 * import { ShardMap, type ShardMapData } from "@distkit/sharding";
 * const data: ShardMapData = ShardMap.create({ scheme: { kind: "slots" }, shards: [{ id: "s1", replicas: ["a"] }] }).toJSON();
 * ```
 */
export interface ShardMapData {
  readonly version: number;
  readonly scheme: PartitionScheme;
  readonly shards: readonly ShardInfo[];
  readonly ranges: readonly RangeDescriptor[];
  readonly nextRangeId: number;
}

/**
 * Options of {@link ShardMap.create}.
 *
 * @example
 * ```ts
 * import type { ShardMapOptions } from "@distkit/sharding";
 * const o: ShardMapOptions = { scheme: { kind: "range" }, shards: [{ id: "s1", replicas: ["a"] }, { id: "s2", replicas: ["b"] }], splitPoints: ["m"] };
 * ```
 */
export interface ShardMapOptions {
  readonly scheme: PartitionScheme;
  /** The initial shards (at least one, distinct ids, each with at least one replica). */
  readonly shards: readonly { readonly id: ShardId; readonly replicas: readonly NodeId[] }[];
  /**
   * Where to cut the space, strictly increasing positions; ranges are dealt round robin over the shards.
   * Default: for hashed and slot schemes, equal cuts into `rangesPerShard` ranges per shard; for key ranges,
   * no cut (one range on the first shard).
   */
  readonly splitPoints?: readonly string[];
  /** Ranges per shard of the default equal cuts (numeric schemes). Default 1. */
  readonly rangesPerShard?: number;
}

const MAX_RANGES = 100_000;
const MAX_SHARDS = 10_000;

/**
 * The versioned shard map.
 *
 * @example
 * ```ts
 * import { ShardMap } from "@distkit/sharding";
 * const map = ShardMap.create({
 *   scheme: { kind: "slots" },
 *   shards: [{ id: "s1", replicas: ["s1a"] }, { id: "s2", replicas: ["s2a"] }],
 * });
 * map.shardForKey("{user1}.cart") === map.shardForKey("{user1}.orders"); // true
 * const split = map.splitRange(map.ranges[0]!.id, "04000"); // a new map, version + 1
 * ```
 */
export class ShardMap {
  /** Bumped by every change. */
  readonly version: number;
  /** How keys map to positions. */
  readonly scheme: PartitionScheme;
  /** Member shards, sorted by id. */
  readonly shards: readonly ShardInfo[];
  /** Ranges in position order, contiguous, covering the whole space. */
  readonly ranges: readonly RangeDescriptor[];
  /** Counter for new range ids. */
  readonly nextRangeId: number;

  private constructor(data: ShardMapData) {
    this.version = data.version;
    this.scheme = data.scheme;
    this.shards = data.shards;
    this.ranges = data.ranges;
    this.nextRangeId = data.nextRangeId;
  }

  /**
   * Builds the initial map (version 1, every epoch 1).
   * @throws {@link ShardingError} on no shards, duplicate ids, empty replica lists, or split points that are
   * not strictly increasing valid positions
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * const map = ShardMap.create({ scheme: { kind: "hashed", seed: 0 }, shards: [{ id: "s1", replicas: ["a"] }], rangesPerShard: 4 });
   * map.ranges.length; // 4
   * ```
   */
  static create(options: ShardMapOptions): ShardMap {
    if (typeof options !== "object" || options === null) {
      throw new ShardingError("invalid-argument", "ShardMap.create needs { scheme, shards }");
    }
    const scheme = validateScheme(options.scheme);
    if (!Array.isArray(options.shards) || options.shards.length === 0) {
      throw new ShardingError("invalid-argument", "ShardMap.create needs at least one shard");
    }
    const shards = options.shards.map((s) => ({
      id: s.id,
      replicas: [...(s.replicas ?? [])],
      state: "active" as const,
    }));
    let points: string[];
    if (options.splitPoints !== undefined) {
      if (!Array.isArray(options.splitPoints)) {
        throw new ShardingError("invalid-argument", "splitPoints must be an array of positions");
      }
      points = [...options.splitPoints];
    } else {
      const space = spaceSize(scheme);
      const per = options.rangesPerShard ?? 1;
      if (!Number.isSafeInteger(per) || per < 1 || per * shards.length > MAX_RANGES) {
        throw new ShardingError(
          "invalid-argument",
          `rangesPerShard must be an integer in [1, ${MAX_RANGES / shards.length}], got ${per}`,
        );
      }
      points = [];
      if (space !== null) {
        const n = per * shards.length;
        for (let i = 1; i < n; i++) points.push(numericPosition(scheme, Math.floor((space * i) / n)));
      }
    }
    let prev = "";
    for (const p of points) {
      if (!isValidPosition(scheme, p) || p <= prev || (scheme.kind !== "range" && /^0+$/.test(p))) {
        throw new ShardingError(
          "overlapping-ranges",
          `split points must be strictly increasing, non-empty ${scheme.kind} positions; got ${JSON.stringify(p)} after ${JSON.stringify(prev)}`,
        );
      }
      prev = p;
    }
    const ids = shards.map((s) => s.id);
    const ranges: RangeDescriptor[] = [];
    const starts = ["", ...points];
    for (let i = 0; i < starts.length; i++) {
      ranges.push({
        id: `r${i + 1}`,
        start: starts[i]!,
        end: starts[i + 1] ?? null,
        shard: ids[i % ids.length]!,
        epoch: 1,
      });
    }
    return ShardMap.fromJSON({ version: 1, scheme, shards, ranges, nextRangeId: ranges.length + 1 });
  }

  /**
   * Validates plain data and builds a map from it (deep-frozen copy).
   * @throws {@link ShardingError} `invalid-map` (bad fields), `overlapping-ranges` (gaps, overlaps, not
   * covering the space), `unknown-shard` (a range owned by a non-member), `duplicate-shard`
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * const copy = ShardMap.fromJSON(JSON.parse(JSON.stringify(ShardMap.create({ scheme: { kind: "slots" }, shards: [{ id: "s1", replicas: ["a"] }] }))));
   * ```
   */
  static fromJSON(data: ShardMapData): ShardMap {
    if (typeof data !== "object" || data === null)
      throw new ShardingError("invalid-map", "a shard map is an object");
    if (!Number.isSafeInteger(data.version) || data.version < 1) {
      throw new ShardingError(
        "invalid-map",
        `map version must be a positive integer, got ${String(data.version)}`,
      );
    }
    if (!Number.isSafeInteger(data.nextRangeId) || data.nextRangeId < 1) {
      throw new ShardingError(
        "invalid-map",
        `nextRangeId must be a positive integer, got ${String(data.nextRangeId)}`,
      );
    }
    const scheme = validateScheme(data.scheme);
    if (!Array.isArray(data.shards) || data.shards.length === 0 || data.shards.length > MAX_SHARDS) {
      throw new ShardingError("invalid-map", `a map has 1 to ${MAX_SHARDS} shards`);
    }
    const seen = new Set<string>();
    const shards: ShardInfo[] = [];
    for (const s of data.shards) {
      if (typeof s?.id !== "string" || s.id.length === 0) {
        throw new ShardingError(
          "invalid-map",
          `shard ids are non-empty strings, got ${JSON.stringify(s?.id)}`,
        );
      }
      if (seen.has(s.id)) throw new ShardingError("duplicate-shard", `shard ${s.id} appears twice`);
      seen.add(s.id);
      if (
        !Array.isArray(s.replicas) ||
        s.replicas.length === 0 ||
        s.replicas.some((r: unknown) => typeof r !== "string" || r.length === 0)
      ) {
        throw new ShardingError("invalid-map", `shard ${s.id} needs at least one replica node id`);
      }
      if (s.state !== "active" && s.state !== "draining") {
        throw new ShardingError(
          "invalid-map",
          `shard ${s.id} state must be "active" or "draining", got ${JSON.stringify(s.state)}`,
        );
      }
      shards.push(Object.freeze({ id: s.id, replicas: Object.freeze([...s.replicas]), state: s.state }));
    }
    shards.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (!Array.isArray(data.ranges) || data.ranges.length === 0 || data.ranges.length > MAX_RANGES) {
      throw new ShardingError("invalid-map", `a map has 1 to ${MAX_RANGES} ranges`);
    }
    const rangeIds = new Set<string>();
    const ranges: RangeDescriptor[] = [];
    let expectStart = "";
    for (let i = 0; i < data.ranges.length; i++) {
      const r = data.ranges[i]!;
      if (typeof r?.id !== "string" || r.id.length === 0 || rangeIds.has(r.id)) {
        throw new ShardingError(
          "invalid-map",
          `range ids are distinct non-empty strings, got ${JSON.stringify(r?.id)}`,
        );
      }
      rangeIds.add(r.id);
      if (!seen.has(r.shard))
        throw new ShardingError(
          "unknown-shard",
          `range ${r.id} is owned by ${JSON.stringify(r.shard)}, not a member`,
        );
      if (!Number.isSafeInteger(r.epoch) || r.epoch < 1 || r.epoch > data.version) {
        throw new ShardingError(
          "invalid-map",
          `range ${r.id} epoch must be an integer in [1, ${data.version}], got ${String(r.epoch)}`,
        );
      }
      if (r.start !== expectStart) {
        throw new ShardingError(
          "overlapping-ranges",
          `range ${r.id} starts at ${JSON.stringify(r.start)}, expected ${JSON.stringify(expectStart)}: ranges must be contiguous, sorted, from "" to unbounded`,
        );
      }
      const last = i === data.ranges.length - 1;
      if (
        last
          ? r.end !== null
          : typeof r.end !== "string" || r.end <= r.start || !isValidPosition(scheme, r.end)
      ) {
        throw new ShardingError(
          "overlapping-ranges",
          `range ${r.id} = [${JSON.stringify(r.start)}, ${JSON.stringify(r.end)}) is empty, overlapping or not a ${scheme.kind} range; only the last range is unbounded`,
        );
      }
      ranges.push(Object.freeze({ id: r.id, start: r.start, end: r.end, shard: r.shard, epoch: r.epoch }));
      expectStart = r.end ?? "";
    }
    return new ShardMap(
      Object.freeze({
        version: data.version,
        scheme,
        shards: Object.freeze(shards),
        ranges: Object.freeze(ranges),
        nextRangeId: data.nextRangeId,
      }),
    );
  }

  /**
   * The plain data of this map.
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * JSON.stringify(ShardMap.create({ scheme: { kind: "slots" }, shards: [{ id: "s1", replicas: ["a"] }] }).toJSON());
   * ```
   */
  toJSON(): ShardMapData {
    return {
      version: this.version,
      scheme: this.scheme,
      shards: this.shards,
      ranges: this.ranges,
      nextRangeId: this.nextRangeId,
    };
  }

  /**
   * Index in {@link ShardMap.ranges} of the range holding `position` (binary search).
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * ShardMap.create({ scheme: { kind: "slots" }, shards: [{ id: "s1", replicas: ["a"] }] }).rangeIndexAt("00042"); // 0
   * ```
   */
  rangeIndexAt(position: string): number {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.ranges[mid]!.start <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The range holding `key`.
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * ShardMap.create({ scheme: { kind: "slots" }, shards: [{ id: "s1", replicas: ["a"] }] }).rangeForKey("x").shard; // "s1"
   * ```
   */
  rangeForKey(key: string): RangeDescriptor {
    return this.ranges[this.rangeIndexAt(keyPosition(this.scheme, key))]!;
  }

  /**
   * The shard owning `key`.
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * ShardMap.create({ scheme: { kind: "range" }, shards: [{ id: "s1", replicas: ["a"] }] }).shardForKey("x"); // "s1"
   * ```
   */
  shardForKey(key: string): ShardId {
    return this.rangeForKey(key).shard;
  }

  /**
   * The range with id `id`, or `undefined`.
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * ShardMap.create({ scheme: { kind: "slots" }, shards: [{ id: "s1", replicas: ["a"] }] }).range("r1")?.shard; // "s1"
   * ```
   */
  range(id: string): RangeDescriptor | undefined {
    return this.ranges.find((r) => r.id === id);
  }

  /**
   * The member shard `id`, or `undefined`.
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * ShardMap.create({ scheme: { kind: "slots" }, shards: [{ id: "s1", replicas: ["a"] }] }).shard("s1")?.replicas; // ["a"]
   * ```
   */
  shard(id: ShardId): ShardInfo | undefined {
    return this.shards.find((s) => s.id === id);
  }

  /**
   * The ranges owned by `shard`, in position order.
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * ShardMap.create({ scheme: { kind: "slots" }, shards: [{ id: "s1", replicas: ["a"] }] }).rangesOf("s1").length; // 1
   * ```
   */
  rangesOf(shard: ShardId): RangeDescriptor[] {
    return this.ranges.filter((r) => r.shard === shard);
  }

  /**
   * Splits range `rangeId` at `at` into `[start, at)` (keeps the id) and `[at, end)` (a new id), both on the
   * same shard with the same epoch.
   * @throws {@link ShardingError} `unknown-range`, or `split-out-of-range` when `at` is not strictly inside
   * the range or not a position of the scheme
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * const m = ShardMap.create({ scheme: { kind: "range" }, shards: [{ id: "s1", replicas: ["a"] }] });
   * m.splitRange("r1", "m").ranges.map((r) => r.start); // ["", "m"]
   * ```
   */
  splitRange(rangeId: string, at: string): ShardMap {
    const i = this.requireRangeIndex(rangeId);
    const r = this.ranges[i]!;
    const zero = this.scheme.kind === "range" ? "" : numericPosition(this.scheme, 0);
    if (
      !isValidPosition(this.scheme, at) ||
      at <= r.start ||
      at === zero ||
      (r.end !== null && at >= r.end)
    ) {
      throw new ShardingError(
        "split-out-of-range",
        `split point ${JSON.stringify(at)} is not strictly inside range ${r.id} = [${JSON.stringify(r.start)}, ${JSON.stringify(r.end)}) as a ${this.scheme.kind} position`,
      );
    }
    const left: RangeDescriptor = { ...r, end: at };
    const right: RangeDescriptor = { ...r, id: `r${this.nextRangeId}`, start: at };
    const ranges = [...this.ranges.slice(0, i), left, right, ...this.ranges.slice(i + 1)];
    return this.next({ ranges, nextRangeId: this.nextRangeId + 1 });
  }

  /**
   * Merges range `leftId` with its right neighbour (both on the same shard); the merged range keeps the left
   * id and the larger epoch.
   * @throws {@link ShardingError} `unknown-range`, or `not-adjacent` for the last range or a neighbour on
   * another shard
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * const m = ShardMap.create({ scheme: { kind: "range" }, shards: [{ id: "s1", replicas: ["a"] }] }).splitRange("r1", "m");
   * m.mergeRanges("r1").ranges.length; // 1
   * ```
   */
  mergeRanges(leftId: string): ShardMap {
    const i = this.requireRangeIndex(leftId);
    const l = this.ranges[i]!;
    const r = this.ranges[i + 1];
    if (r === undefined)
      throw new ShardingError(
        "not-adjacent",
        `range ${leftId} is the last range: it has no right neighbour to merge`,
      );
    if (r.shard !== l.shard) {
      throw new ShardingError(
        "not-adjacent",
        `ranges ${l.id} (${l.shard}) and ${r.id} (${r.shard}) are on different shards; move one first`,
      );
    }
    const merged: RangeDescriptor = { ...l, end: r.end, epoch: Math.max(l.epoch, r.epoch) };
    return this.next({ ranges: [...this.ranges.slice(0, i), merged, ...this.ranges.slice(i + 2)] });
  }

  /**
   * Gives range `rangeId` to shard `to` (the ownership change a migration commits): the new map's version is
   * the range's new epoch.
   * @throws {@link ShardingError} `unknown-range`, `unknown-shard`, `not-member` (a draining shard), or
   * `migration-conflict` (already owned by `to`)
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * const m = ShardMap.create({ scheme: { kind: "range" }, shards: [{ id: "s1", replicas: ["a"] }, { id: "s2", replicas: ["b"] }], splitPoints: ["m"] });
   * m.assignRange("r1", "s2").range("r1")?.epoch; // 2
   * ```
   */
  assignRange(rangeId: string, to: ShardId): ShardMap {
    const i = this.requireRangeIndex(rangeId);
    const r = this.ranges[i]!;
    this.requireActive(to);
    if (r.shard === to)
      throw new ShardingError("migration-conflict", `range ${rangeId} is already owned by ${to}`);
    const ranges = [...this.ranges];
    ranges[i] = { ...r, shard: to, epoch: this.version + 1 };
    return this.next({ ranges });
  }

  /**
   * Adds an (empty) active shard.
   * @throws {@link ShardingError} `duplicate-shard`, `invalid-map` for a bad id or no replicas
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * const m = ShardMap.create({ scheme: { kind: "slots" }, shards: [{ id: "s1", replicas: ["a"] }] });
   * m.addShard({ id: "s2", replicas: ["b"] }).shards.length; // 2
   * ```
   */
  addShard(shard: { readonly id: ShardId; readonly replicas: readonly NodeId[] }): ShardMap {
    if (this.shard(shard?.id) !== undefined)
      throw new ShardingError("duplicate-shard", `shard ${shard.id} is already a member`);
    return this.next({
      shards: [...this.shards, { id: shard.id, replicas: [...(shard.replicas ?? [])], state: "active" }],
    });
  }

  /**
   * Marks a shard as draining (it takes no new ranges; the balancer moves its ranges away).
   * @throws {@link ShardingError} `unknown-shard`
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * const m = ShardMap.create({ scheme: { kind: "slots" }, shards: [{ id: "s1", replicas: ["a"] }, { id: "s2", replicas: ["b"] }] });
   * m.drainShard("s2").shard("s2")?.state; // "draining"
   * ```
   */
  drainShard(id: ShardId): ShardMap {
    this.requireShard(id);
    return this.next({
      shards: this.shards.map((s) => (s.id === id ? { ...s, state: "draining" as const } : s)),
    });
  }

  /**
   * Removes a shard that owns no range.
   * @throws {@link ShardingError} `unknown-shard`, `shard-not-empty`
   * @example
   * ```ts
   * import { ShardMap } from "@distkit/sharding";
   * const m = ShardMap.create({ scheme: { kind: "range" }, shards: [{ id: "s1", replicas: ["a"] }] }).addShard({ id: "s2", replicas: ["b"] });
   * m.removeShard("s2").shards.length; // 1
   * ```
   */
  removeShard(id: ShardId): ShardMap {
    this.requireShard(id);
    const owned = this.rangesOf(id).length;
    if (owned > 0)
      throw new ShardingError("shard-not-empty", `shard ${id} still owns ${owned} range(s); drain it first`);
    return this.next({ shards: this.shards.filter((s) => s.id !== id) });
  }

  /** @internal Throws `unknown-shard` unless `id` is a member. */
  requireShard(id: ShardId): ShardInfo {
    const s = this.shard(id);
    if (s === undefined) {
      throw new ShardingError(
        "unknown-shard",
        `shard ${JSON.stringify(id)} is not a member; members: ${this.shards.map((x) => x.id).join(", ")}`,
      );
    }
    return s;
  }

  /** @internal Throws unless `id` is an active member. */
  requireActive(id: ShardId): ShardInfo {
    const s = this.shard(id);
    if (s === undefined || s.state !== "active") {
      throw new ShardingError(
        "not-member",
        `shard ${JSON.stringify(id)} is not an active member; active: ${this.shards
          .filter((x) => x.state === "active")
          .map((x) => x.id)
          .join(", ")}`,
      );
    }
    return s;
  }

  /** @internal Index of range `id` or throws `unknown-range`. */
  requireRangeIndex(id: string): number {
    const i = this.ranges.findIndex((r) => r.id === id);
    if (i < 0)
      throw new ShardingError(
        "unknown-range",
        `range ${JSON.stringify(id)} is not in the map (version ${this.version})`,
      );
    return i;
  }

  private next(change: Partial<ShardMapData>): ShardMap {
    const m = ShardMap.fromJSON({ ...this.toJSON(), ...change, version: this.version + 1 });
    invariant(m.version === this.version + 1, "every change bumps the version by one");
    return m;
  }
}
