/**
 * Calls a Raft group from any node: sends to the replica believed to lead, follows `notLeader` hints,
 * rotates replicas on timeouts, and gives up after a time budget (the caller then reports the group as
 * unavailable). Every call has its own request id; late replies are ignored.
 * @module
 */
import type { Message, NodeContext, NodeId, TimerId } from "@distkit/sim-net";
import type { GroupReply, RouteHint } from "./protocol.js";

/**
 * Options of a {@link GroupCaller}.
 *
 * @example
 * ```ts
 * import type { GroupCallerOptions } from "@distkit/sharding";
 * const o: GroupCallerOptions = { attemptTimeoutMs: 40, callBudgetMs: 600 };
 * ```
 */
export interface GroupCallerOptions {
  /** How long to wait for one replica before trying the next. Default 40 ms. */
  readonly attemptTimeoutMs?: number;
  /** Total time before the call reports the group unavailable. Default 600 ms (rides out a failover). */
  readonly callBudgetMs?: number;
  /** Pause before retrying when a replica knows no leader. Default 10 ms. */
  readonly noLeaderBackoffMs?: number;
}

/**
 * How a group call ended: a reply from the leader, or no leader reachable within the budget.
 *
 * @example
 * ```ts
 * import type { CallOutcome } from "@distkit/sharding";
 * const o: CallOutcome<number> = { kind: "unavailable", attempts: 6 };
 * ```
 */
export type CallOutcome<T> =
  | { readonly kind: "reply"; readonly result: T; readonly hint: RouteHint | null; readonly from: NodeId }
  | { readonly kind: "unavailable"; readonly attempts: number };

interface Call {
  readonly group: string;
  readonly replicas: readonly NodeId[];
  readonly build: (reqId: number) => Message;
  readonly done: (o: CallOutcome<unknown>) => void;
  readonly deadlineMs: number;
  target: NodeId;
  attempts: number;
  timer: TimerId | null;
}

const MAX_CALLS = 50_000;

/**
 * The group-calling helper (one per node).
 *
 * @example
 * ```ts
 * import { GroupCaller } from "@distkit/sharding";
 * // inside a node factory: const caller = new GroupCaller(ctx);
 * // caller.call("cfg", ["c1", "c2", "c3"], (reqId) => ({ type: "cfg.req", reqId, command: { type: "get" } }), (o) => {});
 * // and in onMessage: if (caller.handle(from, message)) return;
 * ```
 */
export class GroupCaller {
  private readonly ctx: NodeContext<Message>;
  private readonly attemptTimeoutMs: number;
  private readonly budgetMs: number;
  private readonly backoffMs: number;
  private readonly calls = new Map<number, Call>();
  private readonly leaders = new Map<string, NodeId>();
  private nextReqId = 1;
  /** Requests sent (first tries and retries). */
  sent = 0;

  /** @param ctx - the calling node's context */
  constructor(ctx: NodeContext<Message>, options: GroupCallerOptions = {}) {
    this.ctx = ctx;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 40;
    this.budgetMs = options.callBudgetMs ?? 600;
    this.backoffMs = options.noLeaderBackoffMs ?? 10;
  }

  /** Calls in flight. @example `caller.inFlight` */
  get inFlight(): number {
    return this.calls.size;
  }

  /**
   * Calls the group `group` (any stable name) made of `replicas`.
   * @example `caller.call("s1", ["s1a", "s1b"], (reqId) => msg(reqId), (o) => console.log(o.kind))`
   */
  call<T>(
    group: string,
    replicas: readonly NodeId[],
    build: (reqId: number) => Message,
    done: (o: CallOutcome<T>) => void,
  ): void {
    if (replicas.length === 0 || this.calls.size >= MAX_CALLS) {
      done({ kind: "unavailable", attempts: 0 });
      return;
    }
    const known = this.leaders.get(group);
    const target = known !== undefined && replicas.includes(known) ? known : replicas[0]!;
    const reqId = this.nextReqId++;
    const call: Call = {
      group,
      replicas,
      build,
      done: done as (o: CallOutcome<unknown>) => void,
      deadlineMs: this.ctx.now() + this.budgetMs,
      target,
      attempts: 0,
      timer: null,
    };
    this.calls.set(reqId, call);
    this.attempt(reqId, call);
  }

  private attempt(reqId: number, call: Call): void {
    if (this.ctx.now() >= call.deadlineMs) {
      this.calls.delete(reqId);
      call.done({ kind: "unavailable", attempts: call.attempts });
      return;
    }
    call.attempts++;
    this.sent++;
    this.ctx.send(call.target, call.build(reqId));
    call.timer = this.ctx.setTimer(
      this.attemptTimeoutMs,
      () => {
        call.timer = null;
        this.rotate(call);
        this.attempt(reqId, call);
      },
      "call-timeout",
    );
  }

  private rotate(call: Call): void {
    const i = call.replicas.indexOf(call.target);
    call.target = call.replicas[(i + 1) % call.replicas.length]!;
    if (this.leaders.get(call.group) !== undefined) this.leaders.delete(call.group);
  }

  /**
   * Handles a reply (`sh.res` / `cfg.res`); returns false for any other message.
   * @example `if (caller.handle(from, m)) return;`
   */
  handle(from: NodeId, m: Message): boolean {
    if (m.type !== "sh.res" && m.type !== "cfg.res") return false;
    const r = m as unknown as { reqId: number; reply: GroupReply<unknown>; hint?: RouteHint | null };
    const call = this.calls.get(r.reqId);
    if (call === undefined || from !== call.target) return true;
    if (call.timer !== null) this.ctx.cancelTimer(call.timer);
    call.timer = null;
    const reply = r.reply;
    if (reply.kind === "result") {
      this.calls.delete(r.reqId);
      this.leaders.set(call.group, from);
      call.done({ kind: "reply", result: reply.result, hint: r.hint ?? null, from });
      return true;
    }
    if (
      reply.kind === "notLeader" &&
      reply.leaderHint !== null &&
      reply.leaderHint !== from &&
      call.replicas.includes(reply.leaderHint)
    ) {
      call.target = reply.leaderHint;
      this.leaders.set(call.group, reply.leaderHint);
      this.attempt(r.reqId, call);
      return true;
    }
    this.rotate(call);
    call.timer = this.ctx.setTimer(
      this.backoffMs,
      () => {
        call.timer = null;
        this.attempt(r.reqId, call);
      },
      "call-backoff",
    );
    return true;
  }
}
