/**
 * The routing core shared by the three routing styles. A dispatcher turns an operation into requests to the
 * owning shard's group and handles the answers: `stale-config` and `wrong-shard` (refresh the map from the
 * config service, or learn the `MOVED` hint), `migrating` (wait, or follow Redis's `ASK` with `ASKING` to the
 * target once), a shard with no leader (fail fast with `shard-unavailable`). Used inside a central router
 * node (`config` source), inside client nodes with their own cached map (`config` source), and inside
 * redirect-style client nodes that learn the map only from the servers' hints (`hints` source).
 * @module
 */
import type { Message, NodeContext, NodeId } from "@distkit/sim-net";
import type { ConfigResult } from "./config-state.js";
import { ShardingError } from "./errors.js";
import { type CallOutcome, GroupCaller } from "./group-caller.js";
import { operationKeys, type ShardOperation, type ShardOutcome } from "./operations.js";
import { keyPosition, type PartitionScheme } from "./position.js";
import type { RoutedResult, RouteHint } from "./protocol.js";
import { ShardMap, type ShardId, type ShardMapData } from "./shard-map.js";
import type { ShardCommandResult } from "./shard-state.js";

/**
 * Where a dispatcher gets its map: `config` (fetch the versioned map from the config service, refresh on
 * misroutes) or `hints` (Redis Cluster style: no config access; learn ranges from `MOVED`/`ASK` hints,
 * starting from any node of `seedNodes`).
 *
 * @example
 * ```ts
 * import type { MapSource } from "@distkit/sharding";
 * const source: MapSource = "hints";
 * ```
 */
export type MapSource = "config" | "hints";

/**
 * Options of a {@link Dispatcher}.
 *
 * @example
 * ```ts
 * import type { DispatcherOptions } from "@distkit/sharding";
 * const o: DispatcherOptions = { source: "config", scheme: { kind: "slots" }, configReplicas: ["cfg1", "cfg2", "cfg3"], seedNodes: [] };
 * ```
 */
export interface DispatcherOptions {
  readonly source: MapSource;
  /** The partition scheme (clients of every style know how keys hash, as Redis clients know CRC16). */
  readonly scheme: PartitionScheme;
  readonly configReplicas: readonly NodeId[];
  /** Shard nodes to start from (`hints` source). */
  readonly seedNodes: readonly NodeId[];
  /** Give up on an operation after this long. Default 2000 ms. */
  readonly operationTimeoutMs?: number;
  /** Pause before retrying a key in a migration's critical section. Default 10 ms. */
  readonly retryDelayMs?: number;
  /** Most requests per operation. Default 40. */
  readonly maxAttempts?: number;
  /** Budget of one call to a group before it counts as unavailable. Default 600 ms. */
  readonly callBudgetMs?: number;
}

/**
 * Counters of a {@link Dispatcher}: the routing cost, measured.
 *
 * @example
 * ```ts
 * import type { DispatcherMetrics } from "@distkit/sharding";
 * ```
 */
export interface DispatcherMetrics {
  operations: number;
  /** Requests sent to shards (each is a request and an answer on the wire). */
  shardRequests: number;
  /** Answers `wrong-shard` or `stale-config`. */
  misroutes: number;
  wrongShard: number;
  staleConfig: number;
  /** `migrating` answers waited out. */
  migratingWaits: number;
  /** `ASK` redirections followed with `ASKING`. */
  asks: number;
  /** Map fetches from the config service, and how many failed (service unreachable). */
  refreshes: number;
  refreshFailures: number;
  /** Requests sent to the config service. */
  configRequests: number;
  /** Operations that ended `shard-unavailable`. */
  unavailable: number;
}

interface Op {
  readonly clientId: string;
  readonly seq: number;
  readonly op: ShardOperation;
  readonly done: (r: RoutedResult) => void;
  readonly deadlineMs: number;
  attempts: number;
  ask: RouteHint | null;
  override: RouteHint | null;
  finished: boolean;
}

interface Learned {
  readonly range: {
    readonly start: string;
    readonly end: string | null;
    readonly shard: ShardId;
    readonly epoch: number;
  };
  readonly replicas: readonly NodeId[];
}

/**
 * Result of a scatter-gather scan.
 *
 * @example
 * ```ts
 * import type { ScanResult } from "@distkit/sharding";
 * const r: ScanResult = { kind: "ok", entries: [["a", "1"]], partial: false, missingShards: [] };
 * ```
 */
export type ScanResult =
  | {
      readonly kind: "ok";
      readonly entries: readonly (readonly [string, string])[];
      /** True when some shard did not answer and the caller asked for partial results. */
      readonly partial: boolean;
      readonly missingShards: readonly ShardId[];
    }
  | { readonly kind: "shard-unavailable"; readonly shard: ShardId; readonly retryable: true }
  | { readonly kind: "timeout"; readonly retryable: true };

const MAX_LEARNED = 100_000;

/**
 * The routing core.
 *
 * @example
 * ```ts
 * import { Dispatcher } from "@distkit/sharding";
 * // inside a node: const d = new Dispatcher(ctx, { source: "config", scheme, configReplicas, seedNodes: [] });
 * // d.submit("c1", 1, { kind: "put", key: "x", value: "1" }, (r) => console.log(r.kind));
 * // onMessage: if (d.handle(from, m)) return;
 * ```
 */
export class Dispatcher {
  readonly metrics: DispatcherMetrics = {
    operations: 0,
    shardRequests: 0,
    misroutes: 0,
    wrongShard: 0,
    staleConfig: 0,
    migratingWaits: 0,
    asks: 0,
    refreshes: 0,
    refreshFailures: 0,
    configRequests: 0,
    unavailable: 0,
  };
  private readonly ctx: NodeContext<Message>;
  private readonly options: DispatcherOptions;
  private readonly caller: GroupCaller;
  private mapNow: ShardMap | null = null;
  private learned: Learned[] = [];
  private refreshWaiters: ((ok: boolean) => void)[] | null = null;
  private readonly opTimeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly maxAttempts: number;

  /** @param ctx - the node it runs in */
  constructor(ctx: NodeContext<Message>, options: DispatcherOptions) {
    this.ctx = ctx;
    this.options = options;
    this.caller = new GroupCaller(ctx, { attemptTimeoutMs: 40, callBudgetMs: options.callBudgetMs ?? 600 });
    this.opTimeoutMs = options.operationTimeoutMs ?? 2000;
    this.retryDelayMs = options.retryDelayMs ?? 10;
    this.maxAttempts = options.maxAttempts ?? 40;
    if (options.source === "hints" && options.seedNodes.length === 0) {
      throw new ShardingError("invalid-argument", "a hints-source dispatcher needs at least one seed node");
    }
  }

  /** The cached map (`config` source), or null before the first fetch. @example `d.map?.version` */
  get map(): ShardMap | null {
    return this.mapNow;
  }

  /** Ranges learned from hints (`hints` source). @example `d.learnedRanges` */
  get learnedRanges(): number {
    return this.learned.length;
  }

  /** Handles a reply; false for other messages. @example `if (d.handle(from, m)) return;` */
  handle(from: NodeId, m: Message): boolean {
    return this.caller.handle(from, m);
  }

  /**
   * Fetches the map from the config service (concurrent calls share one fetch).
   * @example `d.refresh((ok) => console.log(ok))`
   */
  refresh(done: (ok: boolean) => void): void {
    if (this.refreshWaiters !== null) {
      this.refreshWaiters.push(done);
      return;
    }
    this.refreshWaiters = [done];
    this.metrics.refreshes++;
    this.metrics.configRequests++;
    this.caller.call<ConfigResult>(
      "cfg",
      this.options.configReplicas,
      (reqId) => ({ type: "cfg.req", reqId, command: { type: "get" } }),
      (o) => {
        let ok = false;
        if (o.kind === "reply" && o.result.kind === "ok") {
          if (this.mapNow === null || o.result.map.version >= this.mapNow.version) {
            this.mapNow = ShardMap.fromJSON(o.result.map as ShardMapData);
          }
          ok = true;
        } else this.metrics.refreshFailures++;
        const waiters = this.refreshWaiters ?? [];
        this.refreshWaiters = null;
        for (const w of waiters) w(ok);
      },
    );
  }

  /**
   * Routes one operation with request id `(clientId, seq)`; `done` is called exactly once.
   * @example `d.submit("c1", 7, { kind: "get", key: "x" }, (r) => {})`
   */
  submit(clientId: string, seq: number, op: ShardOperation, done: (r: RoutedResult) => void): void {
    if (op.kind === "scan") throw new ShardingError("invalid-argument", "use Dispatcher.scan for scans");
    this.metrics.operations++;
    const st: Op = {
      clientId,
      seq,
      op,
      done,
      deadlineMs: this.ctx.now() + this.opTimeoutMs,
      attempts: 0,
      ask: null,
      override: null,
      finished: false,
    };
    this.route(st);
  }

  private finish(st: Op, r: RoutedResult): void {
    if (st.finished) return;
    st.finished = true;
    if (r.kind === "shard-unavailable") this.metrics.unavailable++;
    st.done(r);
  }

  private route(st: Op): void {
    if (st.finished) return;
    if (this.ctx.now() >= st.deadlineMs || st.attempts >= this.maxAttempts) {
      this.finish(st, { kind: "timeout", retryable: true });
      return;
    }
    const keys = operationKeys(st.op);
    const positions = keys.map((k) => keyPosition(this.options.scheme, k));
    let group: string;
    let replicas: readonly NodeId[];
    let epoch: number | null;
    let asking = false;
    if (st.ask !== null) {
      group = st.ask.range.shard;
      replicas = st.ask.replicas;
      epoch = null;
      asking = true;
      st.ask = null;
    } else if (st.override !== null) {
      group = st.override.range.shard;
      replicas = st.override.replicas;
      epoch = null;
      st.override = null;
    } else if (this.options.source === "config") {
      const map = this.mapNow;
      if (map === null) {
        this.refresh((ok) => {
          if (ok || this.mapNow !== null) this.route(st);
          else this.finish(st, { kind: "timeout", retryable: true });
        });
        return;
      }
      const ri = map.rangeIndexAt(positions[0]!);
      if (positions.some((p) => map.rangeIndexAt(p) !== ri)) {
        this.finish(st, {
          kind: "cross-shard",
          reason: "the keys are in different ranges; give them a common {hash tag}",
          retryable: false,
        });
        return;
      }
      const r = map.ranges[ri]!;
      group = r.shard;
      replicas = map.shard(r.shard)?.replicas ?? [];
      epoch = r.epoch;
    } else {
      const l = this.lookup(positions[0]!);
      if (l !== undefined) {
        group = l.range.shard;
        replicas = l.replicas;
        epoch = l.range.epoch;
      } else {
        const node = this.ctx.random.pick(this.options.seedNodes);
        group = `node:${node}`;
        replicas = [node];
        epoch = null;
      }
    }
    st.attempts++;
    this.metrics.shardRequests++;
    this.caller.call<ShardCommandResult>(
      group,
      replicas,
      (reqId) => ({ type: "sh.req", reqId, clientId: st.clientId, seq: st.seq, op: st.op, epoch, asking }),
      (o) => this.onAnswer(st, group, o),
    );
  }

  private lookup(position: string): Learned | undefined {
    let lo = 0;
    let hi = this.learned.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const l = this.learned[mid]!;
      if (position < l.range.start) hi = mid - 1;
      else if (l.range.end !== null && position >= l.range.end) lo = mid + 1;
      else return l;
    }
    return undefined;
  }

  private learn(hint: RouteHint): void {
    const r = hint.range;
    const overlaps = (l: Learned) =>
      (l.range.end === null || r.start < l.range.end) && (r.end === null || l.range.start < r.end);
    this.learned = this.learned.filter((l) => !overlaps(l));
    this.learned.push({ range: r, replicas: hint.replicas });
    this.learned.sort((a, b) => (a.range.start < b.range.start ? -1 : 1));
    if (this.learned.length > MAX_LEARNED) this.learned.shift();
  }

  private forget(position: string): void {
    const l = this.lookup(position);
    if (l !== undefined) this.learned = this.learned.filter((x) => x !== l);
  }

  private later(st: Op): void {
    this.ctx.setTimer(this.retryDelayMs, () => this.route(st), "route-retry");
  }

  private onAnswer(st: Op, group: string, o: CallOutcome<ShardCommandResult>): void {
    if (st.finished) return;
    const pos = keyPosition(this.options.scheme, operationKeys(st.op)[0]!);
    if (o.kind === "unavailable") {
      if (this.options.source === "hints" && group.startsWith("node:")) this.later(st);
      else {
        if (this.options.source === "hints") this.forget(pos);
        this.finish(st, { kind: "shard-unavailable", shard: group, retryable: true });
      }
      return;
    }
    const r = o.result;
    if (r.kind !== "op") {
      this.later(st);
      return;
    }
    const out: ShardOutcome = r.outcome;
    switch (out.kind) {
      case "ok":
        this.finish(st, { kind: "ok", outcome: out, shard: group });
        return;
      case "wrong-shard":
      case "stale-config": {
        this.metrics.misroutes++;
        if (out.kind === "wrong-shard") this.metrics.wrongShard++;
        else this.metrics.staleConfig++;
        if (this.options.source === "hints") {
          if (o.hint !== null && o.hint.range.shard !== group) this.learn(o.hint);
          else this.forget(pos);
          this.route(st);
          return;
        }
        const before = this.mapNow?.version ?? 0;
        this.refresh((ok) => {
          const advanced = (this.mapNow?.version ?? 0) > before;
          if ((!ok || !advanced) && o.hint !== null && o.hint.range.shard !== group) st.override = o.hint;
          if (!ok || !advanced) this.later(st);
          else this.route(st);
        });
        return;
      }
      case "migrating":
        this.metrics.migratingWaits++;
        if (this.options.source === "hints" && o.hint !== null && o.hint.range.shard !== group) {
          this.metrics.asks++;
          st.ask = o.hint;
          this.route(st);
          return;
        }
        this.later(st);
        return;
      case "cross-shard":
        this.finish(st, { kind: "cross-shard", reason: out.reason, retryable: false });
        return;
      case "stale-request":
        this.finish(st, { kind: "timeout", retryable: true });
        return;
    }
  }

  /**
   * Scatter-gather scan of keys in `[start, end)` (key order) over every range that may hold them (key
   * ranges: the overlapping ranges; hashed and slot schemes: all ranges). With `partial: "flag"` a shard that
   * does not answer is listed in `missingShards` and the rest is returned; with `"fail"` the scan fails.
   * Needs the `config` source.
   * @example `d.scan("c1", "a", "m", { limit: 100, partial: "flag" }, (r) => {})`
   */
  scan(
    clientId: string,
    start: string,
    end: string | null,
    options: { readonly limit: number; readonly partial: "flag" | "fail" },
    done: (r: ScanResult) => void,
  ): void {
    if (this.options.source !== "config")
      throw new ShardingError(
        "invalid-argument",
        "scans need a map: use the config source (router or client-side routing)",
      );
    if (!Number.isSafeInteger(options.limit) || options.limit < 1)
      throw new ShardingError("invalid-argument", "scan limit must be a positive integer");
    const deadline = this.ctx.now() + this.opTimeoutMs;
    let restarts = 0;
    const run = () => {
      const map = this.mapNow;
      if (map === null) {
        this.refresh((ok) => (ok ? run() : done({ kind: "timeout", retryable: true })));
        return;
      }
      const ranges =
        map.scheme.kind === "range"
          ? map.ranges.filter((r) => (r.end === null || start < r.end) && (end === null || r.start < end))
          : map.ranges;
      let left = ranges.length;
      let restart = false;
      const entries: (readonly [string, string])[] = [];
      const missing: ShardId[] = [];
      let failed: ShardId | null = null;
      const pieceDone = () => {
        if (--left > 0) return;
        if (restart) {
          if (++restarts > 8 || this.ctx.now() >= deadline) done({ kind: "timeout", retryable: true });
          else this.refresh(() => this.ctx.setTimer(this.retryDelayMs, run, "scan-retry"));
          return;
        }
        if (failed !== null) {
          done({ kind: "shard-unavailable", shard: failed, retryable: true });
          return;
        }
        entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        done({
          kind: "ok",
          entries: entries.slice(0, options.limit),
          partial: missing.length > 0,
          missingShards: [...new Set(missing)],
        });
      };
      for (const r of ranges) {
        const op: ShardOperation = {
          kind: "scan",
          fromPosition: r.start,
          toPosition: r.end,
          start,
          end,
          limit: options.limit,
        };
        this.metrics.shardRequests++;
        this.caller.call<ShardCommandResult>(
          r.shard,
          map.shard(r.shard)?.replicas ?? [],
          (reqId) => ({ type: "sh.req", reqId, clientId, seq: 0, op, epoch: r.epoch, asking: false }),
          (o) => {
            if (o.kind === "unavailable") {
              if (options.partial === "flag") missing.push(r.shard);
              else failed = r.shard;
            } else if (o.result.kind === "op" && o.result.outcome.kind === "ok") {
              entries.push(...(o.result.outcome.entries ?? []));
            } else {
              this.metrics.misroutes++;
              restart = true;
            }
            pieceDone();
          },
        );
      }
    };
    run();
  }
}
