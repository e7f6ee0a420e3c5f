/**
 * The replicated state machine of the config service: the versioned {@link ShardMap} and the table of
 * migrations (pending, committed, aborted). The commit of a migration is one entry of this log: the single
 * decision point that makes a move all-or-nothing.
 * @module
 */
import type { NodeId } from "@distkit/sim-net";
import { ShardingError, type ShardingErrorCode } from "./errors.js";
import { ShardMap, type ShardId, type ShardMapData } from "./shard-map.js";

/**
 * A migration as recorded by the config service.
 *
 * @example
 * ```ts
 * import type { MigrationRecord } from "@distkit/sharding";
 * const m: MigrationRecord = { id: "m1", rangeId: "r2", start: "05461", end: "10922", from: "s2", to: "s4", state: "pending", epoch: 0 };
 * ```
 */
export interface MigrationRecord {
  readonly id: string;
  readonly rangeId: string;
  readonly start: string;
  readonly end: string | null;
  readonly from: ShardId;
  readonly to: ShardId;
  readonly state: "pending" | "committed" | "aborted";
  /** The range's epoch once committed (0 before). */
  readonly epoch: number;
}

/**
 * Commands of the config service's log.
 *
 * @example
 * ```ts
 * import type { ConfigCommand } from "@distkit/sharding";
 * const c: ConfigCommand = { type: "start-migration", rangeId: "r1", to: "s4" };
 * ```
 */
export type ConfigCommand =
  | { readonly type: "get" }
  | { readonly type: "add-shard"; readonly id: ShardId; readonly replicas: readonly NodeId[] }
  | { readonly type: "drain-shard"; readonly id: ShardId }
  | { readonly type: "remove-shard"; readonly id: ShardId }
  | { readonly type: "split"; readonly rangeId: string; readonly at: string }
  | { readonly type: "merge"; readonly leftId: string }
  | { readonly type: "start-migration"; readonly rangeId: string; readonly to: ShardId }
  | { readonly type: "commit-migration"; readonly id: string }
  | { readonly type: "abort-migration"; readonly id: string };

/**
 * Result of a config command: the map and the migrations after it, or a rejection with the
 * {@link ShardingError} code that says why (nothing changed).
 *
 * @example
 * ```ts
 * import type { ConfigResult } from "@distkit/sharding";
 * const r: ConfigResult = { kind: "rejected", code: "unknown-shard", message: "shard s9 is not a member" };
 * ```
 */
export type ConfigResult =
  | {
      readonly kind: "ok";
      readonly map: ShardMapData;
      readonly migrations: readonly MigrationRecord[];
      /** For start-migration: the new migration's record; for commit/abort: the record after. */
      readonly migration: MigrationRecord | null;
    }
  | { readonly kind: "rejected"; readonly code: ShardingErrorCode; readonly message: string };

/**
 * Snapshot (JSON) of a {@link ConfigStateMachine}.
 *
 * @example
 * ```ts
 * import type { ConfigSnapshot } from "@distkit/sharding";
 * ```
 */
export interface ConfigSnapshot {
  readonly map: ShardMapData;
  readonly migrations: readonly MigrationRecord[];
  readonly nextMigrationId: number;
}

const MAX_FINISHED_MIGRATIONS = 200;

/**
 * The config service state machine.
 *
 * @example
 * ```ts
 * import { ConfigStateMachine, ShardMap } from "@distkit/sharding";
 * const map = ShardMap.create({ scheme: { kind: "slots" }, shards: [{ id: "s1", replicas: ["a"] }, { id: "s2", replicas: ["b"] }] });
 * const sm = new ConfigStateMachine(map);
 * const r = sm.apply({ type: "start-migration", rangeId: "r1", to: "s2" });
 * r.kind; // "ok"
 * sm.apply({ type: "start-migration", rangeId: "r1", to: "s9" }).kind; // "rejected" (unknown shard)
 * ```
 */
export class ConfigStateMachine {
  private mapNow: ShardMap;
  private readonly migrationsById = new Map<string, MigrationRecord>();
  private nextMigrationId = 1;

  /** @param initial - the bootstrap map */
  constructor(initial: ShardMap) {
    this.mapNow = initial;
  }

  /**
   * Rebuilds from a snapshot.
   * @example
   * ```ts
   * import { ConfigStateMachine, ShardMap } from "@distkit/sharding";
   * const sm = new ConfigStateMachine(ShardMap.create({ scheme: { kind: "slots" }, shards: [{ id: "s1", replicas: ["a"] }] }));
   * ConfigStateMachine.fromSnapshot(sm.snapshot());
   * ```
   */
  static fromSnapshot(snap: ConfigSnapshot): ConfigStateMachine {
    const sm = new ConfigStateMachine(ShardMap.fromJSON(snap.map));
    for (const m of snap.migrations) sm.migrationsById.set(m.id, m);
    sm.nextMigrationId = snap.nextMigrationId;
    return sm;
  }

  /** A JSON snapshot. @example `sm.snapshot().map.version` */
  snapshot(): ConfigSnapshot {
    return {
      map: this.mapNow.toJSON(),
      migrations: [...this.migrationsById.values()],
      nextMigrationId: this.nextMigrationId,
    };
  }

  /** The current map. @example `sm.map.version` */
  get map(): ShardMap {
    return this.mapNow;
  }

  /** Every migration record kept (pending ones and the latest finished ones). @example `sm.migrations()` */
  migrations(): readonly MigrationRecord[] {
    return [...this.migrationsById.values()];
  }

  /** Pending migrations. @example `sm.pendingMigrations().length` */
  pendingMigrations(): MigrationRecord[] {
    return [...this.migrationsById.values()].filter((m) => m.state === "pending");
  }

  /**
   * Applies one command; a command that breaks a rule is rejected and changes nothing.
   * @example
   * ```ts
   * import { ConfigStateMachine, ShardMap } from "@distkit/sharding";
   * const sm = new ConfigStateMachine(ShardMap.create({ scheme: { kind: "range" }, shards: [{ id: "s1", replicas: ["a"] }] }));
   * sm.apply({ type: "split", rangeId: "r1", at: "m" });
   * ```
   */
  apply(c: ConfigCommand): ConfigResult {
    try {
      return this.applyOrThrow(c);
    } catch (e) {
      if (e instanceof ShardingError && e.code !== "invariant-violation") {
        return { kind: "rejected", code: e.code, message: e.message };
      }
      throw e;
    }
  }

  private ok(migration: MigrationRecord | null): ConfigResult {
    return { kind: "ok", map: this.mapNow.toJSON(), migrations: this.migrations(), migration };
  }

  private busy(rangeId: string): MigrationRecord | undefined {
    return this.pendingMigrations().find((m) => m.rangeId === rangeId);
  }

  private applyOrThrow(c: ConfigCommand): ConfigResult {
    switch (c.type) {
      case "get":
        return this.ok(null);
      case "add-shard":
        this.mapNow = this.mapNow.addShard({ id: c.id, replicas: c.replicas });
        return this.ok(null);
      case "drain-shard":
        this.mapNow = this.mapNow.drainShard(c.id);
        return this.ok(null);
      case "remove-shard": {
        if (this.pendingMigrations().some((m) => m.to === c.id || m.from === c.id)) {
          throw new ShardingError("migration-conflict", `shard ${c.id} has a migration in flight`);
        }
        this.mapNow = this.mapNow.removeShard(c.id);
        return this.ok(null);
      }
      case "split": {
        if (this.busy(c.rangeId))
          throw new ShardingError("migration-conflict", `range ${c.rangeId} is migrating; split it after`);
        this.mapNow = this.mapNow.splitRange(c.rangeId, c.at);
        return this.ok(null);
      }
      case "merge": {
        const i = this.mapNow.requireRangeIndex(c.leftId);
        const right = this.mapNow.ranges[i + 1];
        if (this.busy(c.leftId) || (right !== undefined && this.busy(right.id))) {
          throw new ShardingError("migration-conflict", `range ${c.leftId} or its neighbour is migrating`);
        }
        this.mapNow = this.mapNow.mergeRanges(c.leftId);
        return this.ok(null);
      }
      case "start-migration": {
        const i = this.mapNow.requireRangeIndex(c.rangeId);
        const r = this.mapNow.ranges[i]!;
        if (this.mapNow.shard(c.to) === undefined) {
          throw new ShardingError(
            "not-member",
            `migration target ${JSON.stringify(c.to)} is not a member shard`,
          );
        }
        this.mapNow.requireActive(c.to);
        if (r.shard === c.to)
          throw new ShardingError("migration-conflict", `range ${r.id} is already on ${c.to}`);
        const clash = this.pendingMigrations().find(
          (m) => m.from === r.shard || m.to === r.shard || m.from === c.to || m.to === c.to,
        );
        if (clash !== undefined) {
          throw new ShardingError(
            "migration-conflict",
            `migration ${clash.id} (${clash.from} -> ${clash.to}) is in flight: one migration per shard at a time`,
          );
        }
        const m: MigrationRecord = {
          id: `m${this.nextMigrationId++}`,
          rangeId: r.id,
          start: r.start,
          end: r.end,
          from: r.shard,
          to: c.to,
          state: "pending",
          epoch: 0,
        };
        this.migrationsById.set(m.id, m);
        return this.ok(m);
      }
      case "commit-migration": {
        const m = this.requireMigration(c.id);
        if (m.state !== "pending") return this.ok(m);
        this.mapNow = this.mapNow.assignRange(m.rangeId, m.to);
        const done: MigrationRecord = { ...m, state: "committed", epoch: this.mapNow.version };
        this.migrationsById.set(m.id, done);
        this.trim();
        return this.ok(done);
      }
      case "abort-migration": {
        const m = this.requireMigration(c.id);
        if (m.state !== "pending") return this.ok(m);
        const done: MigrationRecord = { ...m, state: "aborted" };
        this.migrationsById.set(m.id, done);
        this.trim();
        return this.ok(done);
      }
      default:
        throw new ShardingError(
          "invalid-argument",
          `unknown config command ${JSON.stringify((c as { type: unknown }).type)}`,
        );
    }
  }

  /** The record of migration `id`, or `undefined`. @example `sm.migration("m1")?.state` */
  migration(id: string): MigrationRecord | undefined {
    return this.migrationsById.get(id);
  }

  private requireMigration(id: string): MigrationRecord {
    const m = this.migrationsById.get(id);
    if (m === undefined)
      throw new ShardingError("unknown-migration", `migration ${JSON.stringify(id)} is not known`);
    return m;
  }

  private trim(): void {
    const finished = [...this.migrationsById.values()].filter((m) => m.state !== "pending");
    for (let i = 0; i < finished.length - MAX_FINISHED_MIGRATIONS; i++)
      this.migrationsById.delete(finished[i]!.id);
  }
}
