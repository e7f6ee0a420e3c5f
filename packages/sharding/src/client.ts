/**
 * A client node of a sharded cluster, in one of three routing styles:
 *
 * - `router`: sends every operation to a central router (rotating routers on timeouts);
 * - `client`: routes itself with its own cached map from the config service (token-aware drivers);
 * - `redirect`: knows only the shard nodes and learns ranges from `MOVED` / `ASK` hints (Redis Cluster).
 *
 * One operation at a time; each has a request id `(clientId, seq)` kept across retries, so a write is
 * applied at most once even when it is retried through another router or after its range moved.
 * @module
 */
import type { Message, NodeContext, NodeId, SimNode, TimerId } from "@distkit/sim-net";
import { Dispatcher, type ScanResult } from "./dispatcher.js";
import { ShardingError } from "./errors.js";
import type { ShardOperation } from "./operations.js";
import type { PartitionScheme } from "./position.js";
import { type RoutedResult, type ShardingMessage, sendMessage } from "./protocol.js";

/**
 * The routing style of a client.
 *
 * @example
 * ```ts
 * import type { RoutingStyle } from "@distkit/sharding";
 * const style: RoutingStyle = "redirect";
 * ```
 */
export type RoutingStyle = "router" | "client" | "redirect";

/**
 * Options of a {@link ShardClient}.
 *
 * @example
 * ```ts
 * import type { ShardClientOptions } from "@distkit/sharding";
 * const o: ShardClientOptions = { style: "router", scheme: { kind: "slots" }, routers: ["r1", "r2"], configReplicas: [], shardNodes: [] };
 * ```
 */
export interface ShardClientOptions {
  readonly style: RoutingStyle;
  readonly scheme: PartitionScheme;
  /** Routers (`router` style). */
  readonly routers: readonly NodeId[];
  /** Config service replicas (`client` style). */
  readonly configReplicas: readonly NodeId[];
  /** Every shard replica node (`redirect` style seeds). */
  readonly shardNodes: readonly NodeId[];
  /** Give up on an operation after this long. Default 2000 ms. */
  readonly operationTimeoutMs?: number;
  /** Per-router attempt timeout (`router` style). Default 700 ms. */
  readonly routerAttemptTimeoutMs?: number;
  /**
   * Retry retryable results (`shard-unavailable`, `timeout`) with the same request id until the operation
   * deadline, `retryBackoffMs` apart. Default true. The last result is returned when the deadline passes.
   */
  readonly retryRetryable?: boolean;
  /** Pause between retries of retryable results. Default 50 ms. */
  readonly retryBackoffMs?: number;
  /** Client id prefix of request ids; default the node id. The restart count is appended. */
  readonly clientId?: string;
}

/**
 * Counters of a {@link ShardClient}.
 *
 * @example
 * ```ts
 * import type { ShardClientMetrics } from "@distkit/sharding";
 * ```
 */
export interface ShardClientMetrics {
  operations: number;
  /** Requests sent to routers (router style). */
  routerRequests: number;
  /** Results by kind. */
  readonly results: Record<RoutedResult["kind"], number>;
}

interface Current {
  readonly seq: number;
  readonly op: ShardOperation;
  readonly done: (r: RoutedResult) => void;
  readonly deadlineMs: number;
  routerIndex: number;
  timer: TimerId | null;
}

/**
 * A client node.
 *
 * @example
 * ```ts
 * import { ShardClient } from "@distkit/sharding";
 * // const c = sim.addNode("c1", (ctx) => new ShardClient(ctx, { style: "client", scheme, routers: [], configReplicas, shardNodes: [] }));
 * // c.instance.submit({ kind: "put", key: "x", value: "1" }, (r) => console.log(r.kind));
 * ```
 */
export class ShardClient implements SimNode<Message> {
  readonly options: ShardClientOptions;
  readonly clientId: string;
  readonly metrics: ShardClientMetrics = {
    operations: 0,
    routerRequests: 0,
    results: { ok: 0, "shard-unavailable": 0, "cross-shard": 0, timeout: 0 },
  };
  /** The routing core (client and redirect styles). */
  readonly dispatcher: Dispatcher | null;
  private readonly ctx: NodeContext<Message>;
  private seq = 0;
  private current: Current | null = null;
  private readonly queue: { op: ShardOperation; done: (r: RoutedResult) => void }[] = [];

  /** Builds the client. */
  constructor(ctx: NodeContext<Message>, options: ShardClientOptions) {
    this.ctx = ctx;
    this.options = options;
    const incarnation = (ctx.storage.get<number>("client/incarnation") ?? 0) + 1;
    ctx.storage.set("client/incarnation", incarnation);
    ctx.storage.sync();
    this.clientId = `${options.clientId ?? ctx.id}#${incarnation}`;
    if (options.style === "router" && options.routers.length === 0) {
      throw new ShardingError("invalid-argument", "a router-style client needs at least one router");
    }
    this.dispatcher =
      options.style === "router"
        ? null
        : new Dispatcher(ctx, {
            source: options.style === "client" ? "config" : "hints",
            scheme: options.scheme,
            configReplicas: options.configReplicas,
            seedNodes: options.shardNodes,
            ...(options.operationTimeoutMs === undefined
              ? {}
              : { operationTimeoutMs: options.operationTimeoutMs }),
          });
  }

  /** Fetches the map (client style). */
  onStart(): void {
    if (this.options.style === "client") this.dispatcher!.refresh(() => {});
  }

  /** Whether an operation is in flight. @example `client.busy` */
  get busy(): boolean {
    return this.current !== null;
  }

  /**
   * Queues an operation; `done` is called once with its result.
   * @example `client.submit({ kind: "get", key: "x" }, (r) => {})`
   */
  submit(op: ShardOperation, done: (r: RoutedResult) => void): void {
    this.queue.push({ op, done });
    if (this.current === null) this.next();
  }

  /**
   * Scatter-gather scan (client style only).
   * @example `client.scan("a", "m", { limit: 10, partial: "flag" }, (r) => {})`
   */
  scan(
    start: string,
    end: string | null,
    options: { readonly limit: number; readonly partial: "flag" | "fail" },
    done: (r: ScanResult) => void,
  ): void {
    if (this.dispatcher === null)
      throw new ShardingError("invalid-argument", "scans run on client-style clients (they hold the map)");
    this.dispatcher.scan(this.clientId, start, end, options, done);
  }

  private next(): void {
    const item = this.queue.shift();
    if (item === undefined) return;
    const seq = ++this.seq;
    this.metrics.operations++;
    const finish = (r: RoutedResult) => {
      if (this.current === null || this.current.seq !== seq) return;
      const backoff = this.options.retryBackoffMs ?? 50;
      if (
        (this.options.retryRetryable ?? true) &&
        r.kind !== "ok" &&
        r.retryable &&
        this.ctx.now() + backoff < this.current.deadlineMs
      ) {
        const cur = this.current;
        if (cur.timer !== null) this.ctx.cancelTimer(cur.timer);
        cur.timer = this.ctx.setTimer(
          backoff,
          () => {
            cur.timer = null;
            if (this.dispatcher !== null) this.dispatcher.submit(this.clientId, seq, item.op, finish);
            else {
              cur.routerIndex++;
              this.sendToRouter();
            }
          },
          "client-retry",
        );
        return;
      }
      if (this.current.timer !== null) this.ctx.cancelTimer(this.current.timer);
      this.current = null;
      this.metrics.results[r.kind]++;
      item.done(r);
      this.next();
    };
    const timeoutMs = this.options.operationTimeoutMs ?? 2000;
    this.current = {
      seq,
      op: item.op,
      done: finish,
      deadlineMs: this.ctx.now() + timeoutMs,
      routerIndex: this.seq % Math.max(1, this.options.routers.length),
      timer: null,
    };
    if (this.dispatcher !== null) this.dispatcher.submit(this.clientId, seq, item.op, finish);
    else this.sendToRouter();
  }

  private sendToRouter(): void {
    const cur = this.current!;
    if (this.ctx.now() >= cur.deadlineMs) {
      cur.done({ kind: "timeout", retryable: true });
      return;
    }
    const router = this.options.routers[cur.routerIndex % this.options.routers.length]!;
    this.metrics.routerRequests++;
    sendMessage(this.ctx, router, { type: "rt.req", clientId: this.clientId, seq: cur.seq, op: cur.op });
    cur.timer = this.ctx.setTimer(
      this.options.routerAttemptTimeoutMs ?? 700,
      () => {
        cur.timer = null;
        cur.routerIndex++;
        this.sendToRouter();
      },
      "router-timeout",
    );
  }

  /** Handles replies. */
  onMessage(from: NodeId, m: Message): void {
    if (this.dispatcher?.handle(from, m)) return;
    const msg = m as ShardingMessage;
    if (
      msg.type !== "rt.res" ||
      this.current === null ||
      msg.seq !== this.current.seq ||
      msg.clientId !== this.clientId
    )
      return;
    const r = msg.result;
    // A router's timeout is not the end: try the other router with the same request id until the deadline.
    if (r.kind === "timeout" && this.ctx.now() < this.current.deadlineMs) {
      if (this.current.timer !== null) this.ctx.cancelTimer(this.current.timer);
      this.current.routerIndex++;
      this.sendToRouter();
      return;
    }
    this.current.done(r);
  }
}
