/**
 * A generic client node for a Raft cluster running any {@link StateMachine}: proposes commands and
 * runs queries, follows leader redirects, retries with jittered exponential backoff, and keeps the
 * same (clientId, seq) across retries so that a command applies exactly once.
 * @module
 */
import type { NodeContext, NodeId, SimNode, TimerId } from "@distkit/sim-net";
import type { RaftNodeMessage, SmRequest, SmResponse } from "./client-protocol.js";
import { RaftError } from "./errors.js";
import { assertJsonValue, type JsonValue } from "./json.js";

/**
 * Options of a {@link RaftClient}.
 *
 * @example
 * ```ts
 * const options: RaftClientOptions = { servers: ["n1", "n2", "n3"], requestTimeoutMs: 200 };
 * ```
 */
export interface RaftClientOptions {
  /** The Raft servers (non-empty). */
  readonly servers: readonly NodeId[];
  /** Time to wait for an answer before retrying elsewhere. Default 300. */
  readonly requestTimeoutMs?: number;
  /** First retry backoff. Default 10. */
  readonly backoffInitialMs?: number;
  /** Largest retry backoff. Default 400. */
  readonly backoffMaxMs?: number;
  /** Give up on an operation after this long (a proposal's effect is then unknown). Default 5000. */
  readonly operationTimeoutMs?: number;
  /** Bound on queued operations; submitting more throws. Default 1000. */
  readonly maxQueuedOperations?: number;
}

/**
 * How a proposal or query ended: `ok` with the log index (where the command took effect, or the
 * read index the query reflects) and the result; `rejected` (the state machine refused it: not
 * retried); `timeout` (gave up: a proposal may or may not have taken effect).
 *
 * @example
 * ```ts
 * const r: RaftClientResult<number> = { kind: "ok", index: 12, result: 3 };
 * ```
 */
export type RaftClientResult<T = JsonValue> =
  | { readonly kind: "ok"; readonly index: number; readonly result: T }
  | { readonly kind: "rejected"; readonly reason: string }
  | { readonly kind: "timeout"; readonly attempts: number };

type Request = SmRequest["request"];

interface QueuedOperation {
  readonly request: Request;
  readonly onDone: (result: RaftClientResult<JsonValue>) => void;
}

interface InFlight extends QueuedOperation {
  readonly seq: number;
  readonly startedMs: number;
  attempts: number;
  backoffMs: number;
}

const CLIENT_OPTION_KEYS = [
  "servers",
  "requestTimeoutMs",
  "backoffInitialMs",
  "backoffMaxMs",
  "operationTimeoutMs",
  "maxQueuedOperations",
];

/**
 * A simulated client (a sim-net node) of a Raft cluster with any state machine. One operation is in
 * flight at a time; further submissions queue. Completion callbacks run inside the simulation.
 *
 * @typeParam Command - what `propose` sends; Result - what comes back; Query / QueryResult - likewise for `query`.
 *
 * @example
 * ```ts
 * import { Simulation } from "@distkit/sim-net";
 * declare const sim: Simulation;
 * const client = sim.addNode("c1", (ctx) => new RaftClient<{ add: number }, number, null, number>(ctx, { servers: ["n1", "n2", "n3"] }));
 * sim.schedule(500, () => client.instance.propose({ add: 2 }, (r) => { if (r.kind === "ok") console.log(r.index, r.result); }));
 * ```
 */
export class RaftClient<Command = JsonValue, Result = JsonValue, Query = JsonValue, QueryResult = JsonValue>
  implements SimNode<RaftNodeMessage>
{
  /** Session id (node id plus incarnation, so a restarted client starts a fresh session). */
  readonly clientId: string;
  private readonly ctx: NodeContext<RaftNodeMessage>;
  private readonly servers: NodeId[];
  private readonly requestTimeoutMs: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly operationTimeoutMs: number;
  private readonly maxQueued: number;
  private readonly queue: QueuedOperation[] = [];
  private current: InFlight | undefined;
  private leaderGuess: NodeId;
  private nextSeq = 1;
  private timer: TimerId | undefined;
  /** Requests sent (including retries). */
  requestsSent = 0;
  /** Redirects followed. */
  redirects = 0;

  /**
   * Creates the client.
   *
   * @throws {@link RaftError} `invalid-config` for bad or unknown options.
   */
  constructor(ctx: NodeContext<RaftNodeMessage>, options: RaftClientOptions) {
    this.ctx = ctx;
    if (typeof options !== "object" || options === null) {
      throw new RaftError("invalid-config", "RaftClient options must be an object");
    }
    for (const key of Object.keys(options)) {
      if (!CLIENT_OPTION_KEYS.includes(key)) {
        throw new RaftError(
          "invalid-config",
          `unknown RaftClient option ${JSON.stringify(key)}; accepted keys: ${CLIENT_OPTION_KEYS.join(", ")}`,
        );
      }
    }
    if (!Array.isArray(options.servers) || options.servers.length === 0) {
      throw new RaftError("invalid-config", "RaftClient needs a non-empty `servers` list");
    }
    this.servers = [...options.servers];
    this.requestTimeoutMs = positive("requestTimeoutMs", options.requestTimeoutMs ?? 300);
    this.backoffInitialMs = positive("backoffInitialMs", options.backoffInitialMs ?? 10);
    this.backoffMaxMs = positive("backoffMaxMs", options.backoffMaxMs ?? 400);
    this.operationTimeoutMs = positive("operationTimeoutMs", options.operationTimeoutMs ?? 5000);
    this.maxQueued = positive("maxQueuedOperations", options.maxQueuedOperations ?? 1000);
    const incarnation = (ctx.storage.get<number>("raftclient/incarnation") ?? 0) + 1;
    ctx.storage.set("raftclient/incarnation", incarnation);
    ctx.storage.sync();
    this.clientId = `${ctx.id}/${incarnation}`;
    this.leaderGuess = ctx.random.pick(this.servers);
  }

  /** Operations queued or in flight. */
  get pending(): number {
    return this.queue.length + (this.current === undefined ? 0 : 1);
  }

  /**
   * Queues a command; `onDone` is called once with the index where it took effect and its result.
   * Retries carry the same (clientId, seq): the command applies at most once.
   *
   * @throws {@link RaftError} `invalid-argument` when the command is not JSON or the queue is full.
   */
  propose(command: Command, onDone: (result: RaftClientResult<Result>) => void): void {
    assertJsonValue(command, "command");
    this.enqueue({ kind: "propose", command }, onDone as (r: RaftClientResult<JsonValue>) => void);
  }

  /**
   * Queues a linearizable read-only query; `onDone` is called once with the result and the read
   * index it reflects.
   *
   * @throws {@link RaftError} `invalid-argument` when the query is not JSON or the queue is full.
   */
  query(query: Query, onDone: (result: RaftClientResult<QueryResult>) => void): void {
    assertJsonValue(query, "query");
    this.enqueue({ kind: "query", query }, onDone as (r: RaftClientResult<JsonValue>) => void);
  }

  private enqueue(request: Request, onDone: (r: RaftClientResult<JsonValue>) => void): void {
    if (typeof onDone !== "function") throw new RaftError("invalid-argument", "onDone must be a function");
    if (this.queue.length >= this.maxQueued) {
      throw new RaftError("invalid-argument", `RaftClient queue is full (${this.maxQueued} operations)`);
    }
    this.queue.push({ request, onDone });
    if (this.current === undefined) this.startNext();
  }

  /** Handles server responses. */
  onMessage(_from: NodeId, message: RaftNodeMessage): void {
    if (message.type !== "sm.response") return;
    this.handleResponse(message);
  }

  private startNext(): void {
    const next = this.queue.shift();
    if (next === undefined) return;
    this.current = {
      ...next,
      seq: this.nextSeq++,
      startedMs: this.ctx.now(),
      attempts: 0,
      backoffMs: this.backoffInitialMs,
    };
    this.sendAttempt();
  }

  private sendAttempt(): void {
    const cur = this.current;
    if (cur === undefined) return;
    if (this.ctx.now() - cur.startedMs >= this.operationTimeoutMs) {
      this.finish({ kind: "timeout", attempts: cur.attempts });
      return;
    }
    cur.attempts++;
    this.requestsSent++;
    this.ctx.send(this.leaderGuess, {
      type: "sm.request",
      clientId: this.clientId,
      seq: cur.seq,
      request: cur.request,
    });
    this.setTimer(this.requestTimeoutMs, () => {
      this.leaderGuess = this.otherServer();
      this.retryAfterBackoff();
    });
  }

  private retryAfterBackoff(): void {
    const cur = this.current;
    if (cur === undefined) return;
    const jitter = this.ctx.random.next() * cur.backoffMs;
    const delay = cur.backoffMs / 2 + jitter / 2;
    cur.backoffMs = Math.min(this.backoffMaxMs, cur.backoffMs * 2);
    this.setTimer(delay, () => this.sendAttempt());
  }

  private handleResponse(m: SmResponse): void {
    const cur = this.current;
    if (cur === undefined || m.clientId !== this.clientId || m.seq !== cur.seq) return;
    const reply = m.reply;
    if (reply.kind === "ok") {
      this.finish({ kind: "ok", index: reply.index, result: reply.result });
      return;
    }
    if (reply.kind === "rejected") {
      this.finish({ kind: "rejected", reason: reply.reason });
      return;
    }
    if (reply.kind === "notLeader") {
      this.redirects++;
      const hint = reply.leaderHint;
      if (hint !== null && hint !== this.leaderGuess) {
        // Follow the redirect, learning servers added by membership changes (bounded list).
        if (!this.servers.includes(hint) && this.servers.length < 64) this.servers.push(hint);
        this.leaderGuess = hint;
      } else this.leaderGuess = this.otherServer();
    }
    this.retryAfterBackoff();
  }

  private otherServer(): NodeId {
    if (this.servers.length === 1) return this.servers[0]!;
    const others = this.servers.filter((s) => s !== this.leaderGuess);
    return this.ctx.random.pick(others);
  }

  private setTimer(delayMs: number, fn: () => void): void {
    if (this.timer !== undefined) this.ctx.cancelTimer(this.timer);
    this.timer = this.ctx.setTimer(
      delayMs,
      () => {
        this.timer = undefined;
        fn();
      },
      "raft-client",
    );
  }

  private finish(result: RaftClientResult<JsonValue>): void {
    const cur = this.current;
    if (cur === undefined) return;
    if (this.timer !== undefined) this.ctx.cancelTimer(this.timer);
    this.timer = undefined;
    this.current = undefined;
    cur.onDone(result);
    this.startNext();
  }
}

function positive(name: string, v: number): number {
  if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
    throw new RaftError("invalid-config", `${name} must be a positive number of ms, got ${String(v)}`);
  }
  return v;
}
