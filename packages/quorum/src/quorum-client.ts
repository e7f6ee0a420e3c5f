import type { NodeContext, NodeId, SimNode, TimerId } from "@distkit/sim-net";
import { isJson } from "./canonical-json.js";
import { resolveQuorum } from "./consistency.js";
import { QuorumError } from "./errors.js";
import type { Json } from "./json.js";
import type { QuorumMessage, ReadResult, RequestOptions, WriteResult } from "./messages.js";
import type { PlacementStrategy } from "./placement.js";
import { nextIncarnation } from "./node-core.js";
import type { CausalContext } from "./versioning.js";
import { validateWriteMode } from "./write-path.js";

/**
 * One entry of a client's history, in Jepsen's vocabulary (what `@distkit/check` reads): `invoke` when an
 * operation starts, then `ok` (it happened), `fail` (it certainly did not happen) or `info` (unknown: a
 * write that timed out may or may not have been applied).
 *
 * @example
 * ```ts
 * import type { ClientHistoryEvent } from "@distkit/quorum";
 * const e: ClientHistoryEvent = { opId: 1, process: "c1", type: "invoke", f: "write", key: "x", value: 1, timeMs: 0 };
 * ```
 */
export interface ClientHistoryEvent {
  /** Identifies the operation (invoke and completion share it). */
  readonly opId: number;
  /** The client node. */
  readonly process: NodeId;
  /** Jepsen event type. */
  readonly type: "invoke" | "ok" | "fail" | "info";
  /** `write` (also used for deletes, with value null), or `read`. */
  readonly f: "read" | "write";
  /** The key. */
  readonly key: string;
  /** Written value (invoke of a write; null for a delete); value read (ok of a read: null when absent, one value, or an array of siblings). */
  readonly value: Json;
  /** The client's local clock. */
  readonly timeMs: number;
}

/**
 * How a client picks a coordinator: any node at random, or the key's first replica (token-aware, as
 * Cassandra drivers do).
 *
 * @example
 * ```ts
 * import type { ClientRouting } from "@distkit/quorum";
 * const routing: ClientRouting = "token-aware";
 * ```
 */
export type ClientRouting = "random" | "token-aware";

/**
 * Configuration of a {@link QuorumClient}.
 *
 * @example
 * ```ts
 * import type { QuorumClientConfig, PlacementStrategy } from "@distkit/quorum";
 * declare const placement: PlacementStrategy;
 * const config: QuorumClientConfig = { placement, routing: "token-aware" };
 * ```
 */
export interface QuorumClientConfig {
  /** The store's placement (membership and preference lists). */
  readonly placement: PlacementStrategy;
  /** Nodes that may coordinate (default: the placement's members). */
  readonly coordinators?: readonly NodeId[];
  /** Coordinator choice (default `random`). */
  readonly routing?: ClientRouting;
  /** The store's default N (default 3), to validate requests. */
  readonly n?: number;
  /** Time the coordinator is given (default 1000 ms); the client gives up after twice that. */
  readonly timeoutMs?: number;
  /** Record a history of operations (default true). */
  readonly recordHistory?: boolean;
}

/**
 * A write request: value and options, plus the causal context of the read it follows.
 *
 * @example
 * ```ts
 * import type { PutOptions } from "@distkit/quorum";
 * const opts: PutOptions = { w: "QUORUM", context: "" };
 * ```
 */
export interface PutOptions extends RequestOptions {
  /** The context a previous read returned ("" or omitted: a blind write). */
  readonly context?: CausalContext;
}

interface Pending {
  readonly opId: number;
  readonly f: "read" | "write";
  readonly key: string;
  /** Local time at which the client gives up. */
  readonly deadlineMs: number;
  readonly onWrite: ((r: WriteResult) => void) | undefined;
  readonly onRead: ((r: ReadResult) => void) | undefined;
}

/** Upper bound on operations a client keeps in flight. */
const MAX_IN_FLIGHT = 100_000;

/**
 * A simulated client of the quorum store (a sim-net node). Tests and examples drive it from
 * `sim.schedule(...)`; it sends each request to a coordinator, waits for the answer or gives up, and
 * records a Jepsen-style history for `@distkit/check`. Bad requests throw {@link QuorumError} at once.
 *
 * @example
 * ```ts
 * import { Simulation } from "@distkit/sim-net";
 * import { QuorumClient, type PlacementStrategy } from "@distkit/quorum";
 * declare const sim: Simulation;
 * declare const placement: PlacementStrategy;
 * const client = sim.addNode("c1", (ctx) => new QuorumClient(ctx, { placement }));
 * sim.schedule(10, () => client.instance.put("x", 1, { w: "QUORUM" }, (r) => console.log(r.ok)));
 * ```
 */
export class QuorumClient implements SimNode<QuorumMessage> {
  private readonly ctx: NodeContext<QuorumMessage>;
  private readonly placement: PlacementStrategy;
  private readonly coordinators: readonly NodeId[];
  private readonly routing: ClientRouting;
  private readonly n: number;
  private readonly timeoutMs: number;
  private readonly record: boolean;
  private readonly pending = new Map<number, Pending>();
  private readonly events: ClientHistoryEvent[] = [];
  /** Operation ids, unique across restarts of the client. */
  private nextOp: number;
  private deadlineTimer: TimerId | null = null;
  private deadlineAtMs: number | null = null;

  /**
   * @param ctx - the client's node context
   * @param config - client configuration (validated; throws {@link QuorumError})
   */
  constructor(ctx: NodeContext<QuorumMessage>, config: QuorumClientConfig) {
    this.ctx = ctx;
    this.placement = config.placement;
    this.coordinators = config.coordinators ?? config.placement.members;
    if (this.coordinators.length === 0) {
      throw new QuorumError("invalid-config", "a client needs at least one coordinator node");
    }
    this.routing = config.routing ?? "random";
    if (this.routing !== "random" && this.routing !== "token-aware") {
      throw new QuorumError(
        "invalid-config",
        `routing ${String(this.routing)} is unknown; accepted: random, token-aware`,
      );
    }
    this.n = config.n ?? 3;
    resolveQuorum({ n: this.n, r: 1, w: 1 }, this.placement.members.length);
    this.timeoutMs = config.timeoutMs ?? 1000;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new QuorumError("invalid-config", `timeoutMs = ${this.timeoutMs}; accepted: a finite number > 0`);
    }
    this.record = config.recordHistory ?? true;
    this.nextOp = nextIncarnation(ctx) * 2 ** 32 + 1;
  }

  /** The recorded history, in the order events happened. */
  get history(): readonly ClientHistoryEvent[] {
    return this.events;
  }

  /** Operations sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Writes `value` under `key`. Calls `onDone` with the result (or a timeout). Throws {@link QuorumError}
   * for a bad request (quorum sizes, unknown level, malformed context, non-JSON value). Returns the op id.
   */
  put(key: string, value: Json, options: PutOptions = {}, onDone?: (result: WriteResult) => void): number {
    if (!isJson(value))
      throw new QuorumError("invalid-request", "the value must be JSON data (finite numbers, plain objects)");
    return this.write(key, value, false, options, onDone);
  }

  /** Deletes `key` (writes a tombstone). Same contract as {@link QuorumClient.put}. */
  delete(key: string, options: PutOptions = {}, onDone?: (result: WriteResult) => void): number {
    return this.write(key, null, true, options, onDone);
  }

  /** Reads `key`. Calls `onDone` with the values and causal context. Throws {@link QuorumError} for a bad request. */
  get(key: string, options: RequestOptions = {}, onDone?: (result: ReadResult) => void): number {
    this.validate(key, options);
    const opId = this.start("read", key, null, options, undefined, onDone);
    this.ctx.send(this.coordinatorFor(key), { type: "q.get", reqId: opId, key, options });
    return opId;
  }

  /** Handles answers from coordinators. */
  onMessage(_from: NodeId, msg: QuorumMessage): void {
    if (msg.type === "q.putResult") {
      const p = this.pending.get(msg.reqId);
      if (p === undefined || p.f !== "write") return;
      this.finish(p, msg.result.ok ? "ok" : msg.result.reason === "rejected" ? "fail" : "info", null);
      p.onWrite?.(msg.result);
    } else if (msg.type === "q.getResult") {
      const p = this.pending.get(msg.reqId);
      if (p === undefined || p.f !== "read") return;
      const r = msg.result;
      const read: Json =
        !r.ok || r.values.length === 0 ? null : r.values.length === 1 ? (r.values[0] as Json) : r.values;
      this.finish(p, r.ok ? "ok" : "fail", read);
      p.onRead?.(r);
    }
  }

  private validate(key: string, options: RequestOptions): void {
    if (typeof key !== "string" || key.length === 0) {
      throw new QuorumError("invalid-request", "a key must be a non-empty string");
    }
    resolveQuorum(
      { n: options.n ?? this.n, r: options.r ?? "ONE", w: options.w ?? "ONE" },
      this.placement.members.length,
    );
    if (options.writeMode !== undefined) validateWriteMode(options.writeMode, "invalid-request");
    if (options.timeoutMs !== undefined && (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)) {
      throw new QuorumError(
        "invalid-request",
        `timeoutMs = ${options.timeoutMs}; accepted: a finite number > 0`,
      );
    }
  }

  private write(
    key: string,
    value: Json,
    deleted: boolean,
    options: PutOptions,
    onDone: ((result: WriteResult) => void) | undefined,
  ): number {
    this.validate(key, options);
    const context = options.context ?? "";
    if (typeof context !== "string") {
      throw new QuorumError(
        "malformed-context",
        'a causal context must be the string a read returned, or ""',
      );
    }
    if (context !== "") {
      // A context is JSON (DVV: a version vector object) or a number (LWW: a timestamp).
      let parsed: unknown;
      try {
        parsed = JSON.parse(context);
      } catch {
        throw new QuorumError(
          "malformed-context",
          'causal context is not one a read returned; accepted: "" or the context string of a read result',
        );
      }
      if (
        typeof parsed !== "number" &&
        (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      ) {
        throw new QuorumError(
          "malformed-context",
          'causal context is not one a read returned; accepted: "" or the context string of a read result',
        );
      }
    }
    const { context: _omit, ...requestOptions } = options;
    const opId = this.start("write", key, deleted ? null : value, requestOptions, onDone, undefined);
    this.ctx.send(this.coordinatorFor(key), {
      type: "q.put",
      reqId: opId,
      key,
      value,
      deleted,
      context,
      options: requestOptions,
    });
    return opId;
  }

  private coordinatorFor(key: string): NodeId {
    if (this.routing === "token-aware") {
      const owner = this.placement.preferenceList(key, 1)[0];
      if (owner !== undefined && this.coordinators.includes(owner)) return owner;
    }
    return this.coordinators.length === 1
      ? (this.coordinators[0] as NodeId)
      : this.ctx.random.pick(this.coordinators);
  }

  private start(
    f: "read" | "write",
    key: string,
    value: Json,
    options: RequestOptions,
    onWrite: ((r: WriteResult) => void) | undefined,
    onRead: ((r: ReadResult) => void) | undefined,
  ): number {
    if (this.pending.size >= MAX_IN_FLIGHT) {
      throw new QuorumError("invalid-request", `too many operations in flight (limit ${MAX_IN_FLIGHT})`);
    }
    const opId = this.nextOp++;
    const giveUpMs = 2 * (options.timeoutMs ?? this.timeoutMs);
    const deadlineMs = this.ctx.now() + giveUpMs;
    this.pending.set(opId, { opId, f, key, deadlineMs, onWrite, onRead });
    this.armDeadline(deadlineMs);
    if (this.record) {
      this.events.push({ opId, process: this.ctx.id, type: "invoke", f, key, value, timeMs: this.ctx.now() });
    }
    return opId;
  }

  private finish(p: Pending, type: "ok" | "fail" | "info", value: Json): void {
    this.pending.delete(p.opId);
    if (this.record) {
      this.events.push({
        opId: p.opId,
        process: this.ctx.id,
        type,
        f: p.f,
        key: p.key,
        value,
        timeMs: this.ctx.now(),
      });
    }
  }

  /** One timer for all give-up deadlines, at the earliest one (re-armed as it fires). */
  private armDeadline(deadlineMs: number): void {
    if (this.deadlineAtMs !== null && this.deadlineAtMs <= deadlineMs) return;
    if (this.deadlineTimer !== null) this.ctx.cancelTimer(this.deadlineTimer);
    this.deadlineAtMs = deadlineMs;
    this.deadlineTimer = this.ctx.setTimer(
      Math.max(0, deadlineMs - this.ctx.now()),
      () => {
        this.deadlineTimer = null;
        this.deadlineAtMs = null;
        const now = this.ctx.now();
        let next = Number.POSITIVE_INFINITY;
        for (const p of [...this.pending.values()]) {
          if (p.deadlineMs <= now) this.giveUp(p.opId);
          else next = Math.min(next, p.deadlineMs);
        }
        if (next !== Number.POSITIVE_INFINITY) this.armDeadline(next);
      },
      "client-timeouts",
    );
  }

  private giveUp(opId: number): void {
    const p = this.pending.get(opId);
    if (p === undefined) return;
    const message = "no answer from the coordinator";
    if (p.f === "write") {
      this.finish(p, "info", null);
      p.onWrite?.({ ok: false, reason: "timeout", acks: 0, message });
    } else {
      this.finish(p, "fail", null);
      p.onRead?.({ ok: false, reason: "timeout", replies: 0, message });
    }
  }
}

/**
 * One event in the shape `@distkit/check`'s `historyFromEvents` and `kvModel` read (writes as `put`,
 * reads as `get`, keyed).
 *
 * @example
 * ```ts
 * import type { KvCheckEvent } from "@distkit/quorum";
 * const e: KvCheckEvent = { process: "c1", type: "invoke", f: "put", key: "x", value: 1, timeMs: 0 };
 * ```
 */
export interface KvCheckEvent {
  readonly process: NodeId;
  readonly type: "invoke" | "ok" | "fail" | "info";
  readonly f: "put" | "get";
  readonly key: string;
  readonly value: Json;
  readonly timeMs: number;
}

/**
 * Merges clients' histories into one time-ordered list for `@distkit/check`: pass the result to
 * `historyFromEvents` and check it against `kvModel({ initial: null })`. Writes are `put`, reads `get`
 * (an absent key reads as null).
 *
 * @example
 * ```ts
 * import { checkLinearizable, historyFromEvents, kvModel } from "@distkit/check";
 * import { kvCheckEvents, type QuorumClient } from "@distkit/quorum";
 * declare const clients: QuorumClient[];
 * const events = kvCheckEvents(clients.map((c) => c.history));
 * checkLinearizable(historyFromEvents(events), kvModel({ initial: null })).verdict;
 * ```
 */
export function kvCheckEvents(histories: readonly (readonly ClientHistoryEvent[])[]): KvCheckEvent[] {
  const all: { e: ClientHistoryEvent; seq: number }[] = [];
  let seq = 0;
  for (const h of histories) for (const e of h) all.push({ e, seq: seq++ });
  all.sort((a, b) => a.e.timeMs - b.e.timeMs || a.seq - b.seq);
  return all.map(({ e }) => ({
    process: e.process,
    type: e.type,
    f: e.f === "write" ? "put" : "get",
    key: e.key,
    value: e.type === "invoke" || e.f === "read" ? e.value : null,
    timeMs: e.timeMs,
  }));
}
