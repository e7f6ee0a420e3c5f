/**
 * A key-value client node: sends each operation to the server it believes leads, follows
 * redirects, retries with exponential backoff and jitter, and keeps the same (clientId, seq) across
 * retries so that a write applies exactly once.
 * @module
 */
import type { NodeContext, NodeId, SimNode, TimerId } from "@distkit/sim-net";
import type { KvResponse, RaftNodeMessage } from "./client-protocol.js";
import { RaftError } from "./errors.js";
import { type KvOperation, type KvOutcome, validateKvOperation } from "./kv-state-machine.js";

/**
 * Options of a {@link KvClient}.
 *
 * @example
 * ```ts
 * const options: KvClientOptions = { servers: ["n1", "n2", "n3"], requestTimeoutMs: 200 };
 * ```
 */
export interface KvClientOptions {
  /** The Raft servers (non-empty). */
  readonly servers: readonly NodeId[];
  /** Time to wait for an answer before retrying elsewhere. Default 300. */
  readonly requestTimeoutMs?: number;
  /** First retry backoff. Default 10. */
  readonly backoffInitialMs?: number;
  /** Largest retry backoff. Default 400. */
  readonly backoffMaxMs?: number;
  /** Give up on an operation after this long (its outcome is then unknown). Default 5000. */
  readonly operationTimeoutMs?: number;
  /** Bound on queued operations; submitting more throws. Default 1000. */
  readonly maxQueuedOperations?: number;
}

/**
 * How an operation ended: with an outcome, or `timeout` (gave up: a write may or may not have
 * taken effect; a get did not return anything).
 *
 * @example
 * ```ts
 * const r: KvClientResult = { kind: "ok", outcome: { ok: true, value: "1" } };
 * ```
 */
export type KvClientResult =
  | { readonly kind: "ok"; readonly outcome: KvOutcome }
  | { readonly kind: "timeout"; readonly attempts: number };

interface QueuedOperation {
  readonly op: KvOperation;
  readonly onDone: (result: KvClientResult) => void;
}

interface InFlight extends QueuedOperation {
  readonly seq: number;
  readonly startedMs: number;
  attempts: number;
  backoffMs: number;
}

/**
 * A simulated key-value client (a sim-net node). One operation is in flight at a time; further
 * submissions queue. Completion callbacks run inside the simulation.
 *
 * @example
 * ```ts
 * import { Simulation } from "@distkit/sim-net";
 * declare const sim: Simulation;
 * const client = sim.addNode("c1", (ctx) => new KvClient(ctx, { servers: ["n1", "n2", "n3"] }));
 * sim.schedule(500, () => client.instance.submit({ kind: "put", key: "x", value: "1" }, (r) => console.log(r)));
 * ```
 */
export class KvClient implements SimNode<RaftNodeMessage> {
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

  /** Creates the client; validates options. */
  constructor(ctx: NodeContext<RaftNodeMessage>, options: KvClientOptions) {
    this.ctx = ctx;
    if (!Array.isArray(options.servers) || options.servers.length === 0) {
      throw new RaftError("invalid-config", "KvClient needs a non-empty `servers` list");
    }
    this.servers = [...options.servers];
    this.requestTimeoutMs = positive("requestTimeoutMs", options.requestTimeoutMs ?? 300);
    this.backoffInitialMs = positive("backoffInitialMs", options.backoffInitialMs ?? 10);
    this.backoffMaxMs = positive("backoffMaxMs", options.backoffMaxMs ?? 400);
    this.operationTimeoutMs = positive("operationTimeoutMs", options.operationTimeoutMs ?? 5000);
    this.maxQueued = positive("maxQueuedOperations", options.maxQueuedOperations ?? 1000);
    const incarnation = (ctx.storage.get<number>("kvclient/incarnation") ?? 0) + 1;
    ctx.storage.set("kvclient/incarnation", incarnation);
    ctx.storage.sync();
    this.clientId = `${ctx.id}/${incarnation}`;
    this.leaderGuess = ctx.random.pick(this.servers);
  }

  /** Operations queued or in flight. */
  get pending(): number {
    return this.queue.length + (this.current === undefined ? 0 : 1);
  }

  /**
   * Queues an operation; `onDone` is called once with its result.
   *
   * @throws {@link RaftError} `invalid-argument` for a malformed operation or a full queue.
   */
  submit(op: KvOperation, onDone: (result: KvClientResult) => void): void {
    validateKvOperation(op);
    if (this.queue.length >= this.maxQueued) {
      throw new RaftError("invalid-argument", `KvClient queue is full (${this.maxQueued} operations)`);
    }
    this.queue.push({ op, onDone });
    if (this.current === undefined) this.startNext();
  }

  /** Handles server responses. */
  onMessage(_from: NodeId, message: RaftNodeMessage): void {
    if (message.type !== "kv.response") return;
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
      type: "kv.request",
      clientId: this.clientId,
      seq: cur.seq,
      op: cur.op,
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

  private handleResponse(m: KvResponse): void {
    const cur = this.current;
    if (cur === undefined || m.clientId !== this.clientId || m.seq !== cur.seq) return;
    const reply = m.reply;
    if (reply.kind === "ok") {
      this.finish({ kind: "ok", outcome: reply.outcome });
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
      "kv-client",
    );
  }

  private finish(result: KvClientResult): void {
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
