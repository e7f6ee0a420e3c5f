import type { NodeId, TimerId } from "@distkit/sim-net";
import { type ResolvedQuorum, resolveQuorum } from "./consistency.js";
import type { Json } from "./json.js";
import type { QuorumMessage, RequestOptions } from "./messages.js";
import { MAX_PENDING_OPS, type NodeCore } from "./node-core.js";

/** A replica a coordinator sends to: an owner, or a fallback holding a hint for `hintFor`. */
export interface Target {
  readonly node: NodeId;
  readonly hintFor: NodeId | null;
}

interface Proxy {
  readonly client: NodeId;
  readonly reqId: number;
  readonly kind: "put" | "get";
  readonly timer: TimerId;
}

/** A client request message. */
export type ClientRequest = QuorumMessage & { type: "q.put" | "q.get" };

/**
 * What the read and write paths of a coordinator share (internal): resolving a request's N, R, W;
 * failure suspicion (a node that missed a deadline is presumed down for a while); choosing targets (the
 * strict preference list, or a sloppy quorum's first N presumed-healthy nodes with hints); rejecting and
 * forwarding requests; and one timer per node for every request deadline.
 */
export class Coordination<S extends Json> {
  private readonly suspectedUntil = new Map<NodeId, number>();
  private readonly proxies = new Map<number, Proxy>();
  private deadlineTimer: TimerId | null = null;
  private deadlineAtMs: number | null = null;
  private readonly expirers: ((nowMs: number) => number)[] = [];
  private readonly pendingCounters: (() => number)[] = [];

  constructor(private readonly core: NodeCore<S>) {}

  /**
   * Registers a path's deadline handler (it expires what is due at `nowMs` and returns its next deadline,
   * or +Infinity) and its count of pending operations (bounded by MAX_PENDING_OPS together).
   */
  register(expire: (nowMs: number) => number, pending: () => number): void {
    this.expirers.push(expire);
    this.pendingCounters.push(pending);
  }

  /** Whether the coordinator is at its bound of pending operations. */
  overloaded(): boolean {
    let total = this.proxies.size;
    for (const count of this.pendingCounters) total += count();
    return total >= MAX_PENDING_OPS;
  }

  /** Any message from `from` shows it is up. */
  heardFrom(from: NodeId): void {
    if (this.suspectedUntil.size > 0) this.suspectedUntil.delete(from);
  }

  resolve(options: RequestOptions): ResolvedQuorum {
    const { defaults, rDefault, wDefault } = this.core.settings;
    return resolveQuorum(
      { n: options.n ?? defaults.n, r: options.r ?? rDefault, w: options.w ?? wDefault },
      this.core.placement.members.length,
    );
  }

  isSuspected(node: NodeId): boolean {
    const until = this.suspectedUntil.get(node);
    if (until === undefined) return false;
    if (this.core.ctx.now() >= until) {
      this.suspectedUntil.delete(node);
      return false;
    }
    return true;
  }

  suspect(node: NodeId): void {
    if (node !== this.core.id)
      this.suspectedUntil.set(node, this.core.ctx.now() + 4 * this.core.settings.timeoutMs);
  }

  /** Strict: the first N of the preference list. Sloppy: the first N presumed-healthy nodes, with hints. */
  targetsFor(key: string, n: number, sloppy: boolean): Target[] {
    const placement = this.core.placement;
    if (!sloppy) return placement.preferenceList(key, n).map((node) => ({ node, hintFor: null }));
    const all = placement.preferenceList(key, placement.members.length);
    const owners = all.slice(0, n);
    const down = owners.filter((o) => this.isSuspected(o));
    const out: Target[] = owners.filter((o) => !down.includes(o)).map((node) => ({ node, hintFor: null }));
    let next = n;
    for (const owner of down) {
      while (next < all.length && this.isSuspected(all[next] as NodeId)) next++;
      if (next >= all.length) break;
      out.push({ node: all[next] as NodeId, hintFor: owner });
      next++;
    }
    return out;
  }

  reject(from: NodeId, msg: ClientRequest, message: string): void {
    if (msg.type === "q.put") {
      this.core.ctx.send(from, {
        type: "q.putResult",
        reqId: msg.reqId,
        result: { ok: false, reason: "rejected", acks: 0, message },
      });
    } else {
      this.core.ctx.send(from, {
        type: "q.getResult",
        reqId: msg.reqId,
        result: { ok: false, reason: "rejected", replies: 0, message },
      });
    }
  }

  /** Forwards a client request to another coordinator and relays its answer (or a timeout). */
  forward(from: NodeId, msg: ClientRequest, to: NodeId, timeoutMs: number): void {
    const { ctx } = this.core;
    const rid = this.core.nextRid();
    const timer = ctx.setTimer(
      timeoutMs * 2,
      () => {
        const p = this.proxies.get(rid);
        if (p === undefined) return;
        this.proxies.delete(rid);
        this.suspect(to);
        const message = `forwarded to replica ${to}; no answer within ${timeoutMs * 2} ms`;
        if (p.kind === "put") {
          ctx.send(p.client, {
            type: "q.putResult",
            reqId: p.reqId,
            result: { ok: false, reason: "timeout", acks: 0, message },
          });
        } else {
          ctx.send(p.client, {
            type: "q.getResult",
            reqId: p.reqId,
            result: { ok: false, reason: "timeout", replies: 0, message },
          });
        }
      },
      "proxy-timeout",
    );
    this.proxies.set(rid, {
      client: from,
      reqId: msg.reqId,
      kind: msg.type === "q.put" ? "put" : "get",
      timer,
    });
    ctx.send(to, { ...msg, reqId: rid });
  }

  relay(msg: QuorumMessage & { type: "q.putResult" | "q.getResult" }): void {
    const p = this.proxies.get(msg.reqId);
    if (p === undefined) return;
    this.proxies.delete(msg.reqId);
    this.core.ctx.cancelTimer(p.timer);
    this.core.ctx.send(p.client, { ...msg, reqId: p.reqId });
  }

  /**
   * One timer per node for all request timeouts: it fires at the earliest pending deadline, expires what is
   * due, and re-arms for the next one (cheaper than a timer per request, and exact).
   */
  armDeadline(deadlineMs: number): void {
    if (this.deadlineAtMs !== null && this.deadlineAtMs <= deadlineMs) return;
    const { ctx } = this.core;
    if (this.deadlineTimer !== null) ctx.cancelTimer(this.deadlineTimer);
    this.deadlineAtMs = deadlineMs;
    this.deadlineTimer = ctx.setTimer(
      Math.max(0, deadlineMs - ctx.now()),
      () => this.expireDue(),
      "request-timeouts",
    );
  }

  private expireDue(): void {
    this.deadlineTimer = null;
    this.deadlineAtMs = null;
    const now = this.core.ctx.now();
    let next = Number.POSITIVE_INFINITY;
    for (const expire of this.expirers) next = Math.min(next, expire(now));
    if (next !== Number.POSITIVE_INFINITY) this.armDeadline(next);
  }
}
