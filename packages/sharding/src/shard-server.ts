/**
 * One replica of a shard: a {@link RaftHost} running a {@link ShardStateMachine}, serving operations and
 * driving migrations. The leader polls the config service (map and migration table), and reconciles
 * every migration this shard takes part in with the config service's record, which is the single
 * decision point: the source copies a snapshot and streams later writes, freezes the range, the target
 * marks the point of no return (`in-final`), the config service commits (epoch bump), then the source drops
 * the range and the target starts serving it. Any replica that becomes leader resumes from the replicated
 * state; a migration that stalls is aborted on both sides before it reaches the point of no return.
 * @module
 */
import type { Message, NodeContext, NodeId, SimNode } from "@distkit/sim-net";
import type { ConfigResult, MigrationRecord } from "./config-state.js";
import { GroupCaller } from "./group-caller.js";
import { keyPosition, type PartitionScheme } from "./position.js";
import { type RouteHint, type ShardingMessage, sendMessage } from "./protocol.js";
import { isRaftMessage, RaftHost, type RaftHostOptions } from "./raft-host.js";
import { ShardMap, type ShardId, type ShardMapData } from "./shard-map.js";
import {
  type OutgoingMigration,
  type ShardCommand,
  type ShardCommandResult,
  type ShardSnapshot,
  ShardStateMachine,
} from "./shard-state.js";
import { operationKeys } from "./operations.js";

/**
 * Options of a {@link ShardServer}.
 *
 * @example
 * ```ts
 * import type { ShardServerOptions } from "@distkit/sharding";
 * const o: ShardServerOptions = { shard: "s1", replicas: ["s1a", "s1b", "s1c"], configReplicas: ["cfg1", "cfg2", "cfg3"], scheme: { kind: "slots" }, initial: [{ start: "", end: "05461", epoch: 1 }] };
 * ```
 */
export interface ShardServerOptions {
  readonly shard: ShardId;
  readonly replicas: readonly NodeId[];
  readonly configReplicas: readonly NodeId[];
  readonly scheme: PartitionScheme;
  /** Intervals owned at bootstrap (empty for a shard added later). */
  readonly initial: readonly {
    readonly start: string;
    readonly end: string | null;
    readonly epoch: number;
  }[];
  /** Raft and snapshot tunables of the group. */
  readonly raft?: Omit<RaftHostOptions, "voters">;
  /** How often the leader polls the config service. Default 100 ms. */
  readonly configPollMs?: number;
  /** How often the leader reconciles its migrations. Default 20 ms. */
  readonly migrationTickMs?: number;
  /** Items per migration batch. Default 200. */
  readonly batchItems?: number;
  /** Freeze once the target lags by at most this many items. Default 50. */
  readonly freezeLagItems?: number;
  /** Abort a migration that has not reached the point of no return after this long. Default 4000 ms. */
  readonly migrationTimeoutMs?: number;
  /** Bound on outgoing migration items (snapshot plus streamed writes); beyond it the migration aborts. Default 200,000. */
  readonly maxMigrationItems?: number;
}

/**
 * Counters of a shard replica (leader-side work).
 *
 * @example
 * ```ts
 * import type { ShardServerMetrics } from "@distkit/sharding";
 * ```
 */
export interface ShardServerMetrics {
  /** Operations executed (ok outcomes) by this replica as leader, by key position bucket. */
  opsServed: number;
  /** Operations refused (wrong shard, stale config, migrating). */
  opsRefused: number;
  /** Migration messages sent (to targets and the config service). */
  migrationMessages: number;
  /** Migration items sent. */
  itemsSent: number;
  /** Per-key operation counts served as leader (load statistics). */
  readonly keyOps: Map<string, number>;
}

interface Drive {
  busy: boolean;
  cursor: number;
  final: boolean;
  startedMs: number;
  aborting: boolean;
  freezeProposed: boolean;
}

/**
 * A shard replica node.
 *
 * @example
 * ```ts
 * import { ShardServer } from "@distkit/sharding";
 * // sim.addNode("s1a", (ctx) => new ShardServer(ctx, { shard: "s1", replicas, configReplicas, scheme, initial }));
 * ```
 */
export class ShardServer implements SimNode<Message> {
  readonly host: RaftHost<ShardCommand, ShardCommandResult>;
  readonly options: ShardServerOptions;
  readonly metrics: ShardServerMetrics = {
    opsServed: 0,
    opsRefused: 0,
    migrationMessages: 0,
    itemsSent: 0,
    keyOps: new Map(),
  };
  private readonly ctx: NodeContext<Message>;
  private readonly caller: GroupCaller;
  private map: ShardMap | null = null;
  private migrations = new Map<string, MigrationRecord>();
  private readonly drives = new Map<string, Drive>();
  private polling = false;
  private readonly batch: number;
  private readonly freezeLag: number;
  private readonly timeoutMs: number;
  private readonly maxItems: number;

  /** Builds the replica; state is recovered from `ctx.storage`. */
  constructor(ctx: NodeContext<Message>, options: ShardServerOptions) {
    this.ctx = ctx;
    this.options = options;
    this.caller = new GroupCaller(ctx, { attemptTimeoutMs: 40, callBudgetMs: 400 });
    this.batch = options.batchItems ?? 200;
    this.freezeLag = options.freezeLagItems ?? 50;
    this.timeoutMs = options.migrationTimeoutMs ?? 4000;
    this.maxItems = options.maxMigrationItems ?? 200_000;
    this.host = new RaftHost<ShardCommand, ShardCommandResult>(
      ctx,
      { ...options.raft, voters: options.replicas },
      (snap) =>
        snap === null
          ? new ShardStateMachine(options.scheme, options.initial)
          : ShardStateMachine.fromSnapshot(options.scheme, snap as ShardSnapshot),
    );
  }

  /** The shard state machine of this replica. @example `server.state.keyCount` */
  get state(): ShardStateMachine {
    return this.host.stateMachine as ShardStateMachine;
  }

  /** Whether this replica leads its shard. @example `server.isLeader` */
  get isLeader(): boolean {
    return this.host.isLeader;
  }

  /** Starts Raft and the leader's loops. */
  onStart(): void {
    this.host.start();
    const poll = () => {
      if (this.host.isLeader) this.pollConfig();
      this.ctx.setTimer(this.options.configPollMs ?? 100, poll, "config-poll");
    };
    const tick = () => {
      if (this.host.isLeader) this.reconcile();
      this.ctx.setTimer(this.options.migrationTickMs ?? 20, tick, "migration-tick");
    };
    this.ctx.setTimer(this.options.configPollMs ?? 100, poll, "config-poll");
    this.ctx.setTimer(this.options.migrationTickMs ?? 20, tick, "migration-tick");
    this.host.onLeadershipChange(() => this.drives.clear());
  }

  /** Handles Raft, client and migration messages. */
  onMessage(from: NodeId, m: Message): void {
    if (isRaftMessage(m)) {
      this.host.step(from, m);
      return;
    }
    if (this.caller.handle(from, m)) return;
    const msg = m as ShardingMessage;
    if (msg.type === "sh.req") this.onRequest(from, msg);
    else if (msg.type === "sh.mig") this.onMigrationCommand(from, msg);
  }

  private reply(
    to: NodeId,
    reqId: number,
    reply: Extract<ShardingMessage, { type: "sh.res" }>["reply"],
    hint: RouteHint | null = null,
  ): void {
    sendMessage(this.ctx, to, { type: "sh.res", reqId, reply, hint });
  }

  private hintFor(position: string, shard: ShardId | null): RouteHint | null {
    const map = this.map;
    if (map === null) return null;
    const range = map.ranges[map.rangeIndexAt(position)]!;
    const target = shard !== null && shard !== "" ? shard : range.shard;
    const info = map.shard(target);
    if (info === undefined) return null;
    return {
      range: target === range.shard ? range : { ...range, shard: target },
      replicas: info.replicas,
      mapVersion: map.version,
    };
  }

  private onRequest(from: NodeId, req: Extract<ShardingMessage, { type: "sh.req" }>): void {
    if (!this.host.isLeader) {
      this.reply(from, req.reqId, { kind: "notLeader", leaderHint: this.host.leaderHint });
      return;
    }
    const command: ShardCommand = {
      type: "op",
      clientId: req.clientId,
      seq: req.seq,
      epoch: req.epoch,
      asking: req.asking,
      op: req.op,
    };
    this.host.propose(command, (o) => {
      if (o.kind === "applied") {
        const r = o.result;
        let hint: RouteHint | null = null;
        if (r.kind === "op") {
          const out = r.outcome;
          if (out.kind === "ok") {
            this.metrics.opsServed++;
            for (const k of operationKeys(req.op))
              this.metrics.keyOps.set(k, (this.metrics.keyOps.get(k) ?? 0) + 1);
          } else this.metrics.opsRefused++;
          const keys = operationKeys(req.op);
          const pos =
            keys.length > 0
              ? keyPosition(this.options.scheme, keys[0]!)
              : req.op.kind === "scan"
                ? req.op.fromPosition
                : null;
          if (pos !== null && out.kind === "wrong-shard") hint = this.hintFor(pos, out.movedTo);
          else if (pos !== null && out.kind === "migrating") hint = this.hintFor(pos, out.to);
        }
        this.reply(from, req.reqId, { kind: "result", result: r }, hint);
      } else if (o.kind === "notLeader")
        this.reply(from, req.reqId, { kind: "notLeader", leaderHint: o.leaderHint });
      else
        this.reply(from, req.reqId, {
          kind: "unavailable",
          reason: o.kind === "dropped" ? o.reason : "lost",
        });
    });
  }

  private onMigrationCommand(from: NodeId, req: Extract<ShardingMessage, { type: "sh.mig" }>): void {
    if (!this.host.isLeader) {
      this.reply(from, req.reqId, { kind: "notLeader", leaderHint: this.host.leaderHint });
      return;
    }
    const t = req.command.type;
    if (t !== "in-begin" && t !== "in-items" && t !== "in-final" && t !== "in-abort" && t !== "in-activate") {
      this.reply(from, req.reqId, {
        kind: "unavailable",
        reason: `only in-* commands are accepted from peers, got ${t}`,
      });
      return;
    }
    this.host.propose(
      req.command,
      (o) => {
        if (o.kind === "applied") this.reply(from, req.reqId, { kind: "result", result: o.result });
        else if (o.kind === "notLeader")
          this.reply(from, req.reqId, { kind: "notLeader", leaderHint: o.leaderHint });
        else
          this.reply(from, req.reqId, {
            kind: "unavailable",
            reason: o.kind === "dropped" ? o.reason : "lost",
          });
      },
      64 + (req.command.type === "in-items" ? req.command.items.length * 32 : 0),
    );
  }

  // ---------------------------------------------------------------- config polling

  private callConfig(
    command: Extract<ShardingMessage, { type: "cfg.req" }>["command"],
    done: (r: ConfigResult | null) => void,
  ): void {
    this.metrics.migrationMessages++;
    this.caller.call<ConfigResult>(
      "cfg",
      this.options.configReplicas,
      (reqId) => ({ type: "cfg.req", reqId, command }),
      (o) => {
        if (o.kind === "reply") {
          this.learn(o.result);
          done(o.result);
        } else done(null);
      },
    );
  }

  private learn(r: ConfigResult): void {
    if (r.kind !== "ok") return;
    if (this.map === null || r.map.version >= this.map.version) {
      this.map = ShardMap.fromJSON(r.map as ShardMapData);
      this.migrations = new Map(r.migrations.map((m) => [m.id, m]));
    }
    if (r.migration !== null) this.migrations.set(r.migration.id, r.migration);
  }

  private pollConfig(): void {
    if (this.polling) return;
    this.polling = true;
    this.callConfig({ type: "get" }, () => {
      this.polling = false;
    });
  }

  /** The map this replica last learned from the config service (null before the first poll). @example `server.cachedMap?.version` */
  get cachedMap(): ShardMap | null {
    return this.map;
  }

  // ---------------------------------------------------------------- migrations

  private propose(c: ShardCommand, then?: (r: ShardCommandResult) => void): void {
    this.host.propose(c, (o) => {
      if (o.kind === "applied") then?.(o.result);
    });
  }

  private drive(id: string): Drive {
    let d = this.drives.get(id);
    if (d === undefined) {
      d = {
        busy: false,
        cursor: -1,
        final: false,
        startedMs: this.ctx.now(),
        aborting: false,
        freezeProposed: false,
      };
      this.drives.set(id, d);
    }
    return d;
  }

  private callTarget(
    o: { to: ShardId },
    command: ShardCommand,
    done: (r: ShardCommandResult | null) => void,
  ): void {
    const info = this.map?.shard(o.to);
    if (info === undefined) {
      done(null);
      return;
    }
    this.metrics.migrationMessages++;
    this.caller.call<ShardCommandResult>(
      o.to,
      info.replicas,
      (reqId) => ({ type: "sh.mig", reqId, command }),
      (r) => done(r.kind === "reply" ? r.result : null),
    );
  }

  private reconcile(): void {
    const sm = this.state;
    const me = this.options.shard;
    // Source side.
    for (const o of sm.outgoingMigrations()) this.reconcileOutgoing(o);
    // Pending migrations from this shard not started here yet.
    for (const rec of this.migrations.values()) {
      if (rec.from !== me || rec.state !== "pending") continue;
      if (sm.outgoingMigrations().some((o) => o.id === rec.id)) continue;
      const outcome = sm.migrationOutcome(rec.id);
      const d = this.drive(rec.id);
      if (d.busy) continue;
      if (outcome === "aborted") {
        d.busy = true;
        this.callConfig({ type: "abort-migration", id: rec.id }, () => (d.busy = false));
      } else if (outcome === undefined) {
        d.busy = true;
        this.propose({ type: "mig-begin", id: rec.id, start: rec.start, end: rec.end, to: rec.to }, (r) => {
          d.busy = false;
          if (r.kind === "migration" && r.refused !== null) {
            this.ctx.log(`migration ${rec.id} refused here: ${r.refused}`);
            this.callConfig({ type: "abort-migration", id: rec.id }, () => {});
          }
        });
      }
    }
    // Target side.
    for (const m of sm.incomingMigrations()) {
      const rec = this.migrations.get(m.id);
      const d = this.drive(`in:${m.id}`);
      if (d.busy || rec === undefined) continue;
      if (rec.state === "committed") {
        d.busy = true;
        this.propose({ type: "in-activate", id: m.id, epoch: rec.epoch }, () => (d.busy = false));
      } else if (rec.state === "aborted") {
        d.busy = true;
        this.propose({ type: "in-abort", id: m.id }, () => (d.busy = false));
      } else if (m.final && this.ctx.now() - d.startedMs > 300) {
        // The source went quiet past the point of no return: commit it from here.
        d.busy = true;
        this.callConfig({ type: "commit-migration", id: m.id }, () => (d.busy = false));
      }
    }
  }

  private reconcileOutgoing(o: OutgoingMigration): void {
    const d = this.drive(o.id);
    if (d.busy) return;
    const rec = this.migrations.get(o.id);
    if (rec?.state === "committed") {
      d.busy = true;
      this.propose({ type: "mig-done", id: o.id, epoch: rec.epoch }, () => {
        d.busy = false;
        this.callTarget(o, { type: "in-activate", id: o.id, epoch: rec.epoch }, () => {});
      });
      return;
    }
    if (rec?.state === "aborted") {
      d.busy = true;
      this.propose({ type: "mig-abort", id: o.id, targetAborted: true }, () => (d.busy = false));
      return;
    }
    const overdue =
      !d.final && (this.ctx.now() - d.startedMs > this.timeoutMs || o.items.length > this.maxItems);
    if (overdue || d.aborting) {
      d.aborting = true;
      d.busy = true;
      if (!o.frozen) {
        // Never frozen: no in-final was ever sent, so the target cannot be past the point of no return.
        this.propose({ type: "mig-abort", id: o.id, targetAborted: false }, (r) => {
          if (r.kind === "migration" && r.refused !== null) {
            d.busy = false;
            return;
          }
          this.callConfig({ type: "abort-migration", id: o.id }, () => (d.busy = false));
        });
      } else {
        this.callTarget(o, { type: "in-abort", id: o.id }, (r) => {
          if (r === null || r.kind !== "migration") {
            d.busy = false;
            return;
          }
          if (r.final) {
            d.final = true;
            d.aborting = false;
            d.busy = false;
            return;
          }
          this.callConfig({ type: "abort-migration", id: o.id }, (cr) => {
            d.busy = false;
            if (cr?.kind === "ok" && cr.migration?.state === "aborted") {
              this.propose({ type: "mig-abort", id: o.id, targetAborted: true });
            }
          });
        });
      }
      return;
    }
    d.busy = true;
    const done = () => (d.busy = false);
    if (d.final) {
      this.callConfig({ type: "commit-migration", id: o.id }, done);
      return;
    }
    if (d.cursor < 0) {
      this.callTarget(
        o,
        { type: "in-begin", id: o.id, start: o.start, end: o.end, from: this.options.shard },
        (r) => {
          if (r?.kind === "migration") {
            if (r.refused !== null && r.refused !== "committed") d.aborting = true;
            else {
              d.cursor = r.cursor;
              d.final = r.final;
            }
          }
          done();
        },
      );
      return;
    }
    if (!o.frozen && o.items.length - d.cursor <= this.freezeLag && !d.freezeProposed) {
      d.freezeProposed = true;
      this.propose({ type: "mig-freeze", id: o.id }, () => {
        d.freezeProposed = false;
      });
      done();
      return;
    }
    if (d.cursor < o.items.length) {
      const items = o.items.slice(d.cursor, d.cursor + this.batch);
      this.metrics.itemsSent += items.length;
      this.callTarget(o, { type: "in-items", id: o.id, from: d.cursor, items }, (r) => {
        if (r?.kind === "migration") {
          if (r.refused !== null) d.aborting = r.refused === "aborted";
          else d.cursor = r.cursor;
        }
        done();
      });
      return;
    }
    if (!o.frozen) {
      done();
      return;
    }
    this.callTarget(o, { type: "in-final", id: o.id, total: o.items.length }, (r) => {
      if (r?.kind === "migration") {
        if (r.final) d.final = true;
        else if (r.refused !== null && r.cursor !== o.items.length) d.cursor = r.cursor;
      }
      done();
    });
  }
}
