/**
 * A lease store on one server node: the simplest {@link LeaseStore} (a single point of failure;
 * the raft-backed store removes it).
 * @module
 */
import type { Message, NodeContext, NodeId, SimNode, TimerId } from "@distkit/sim-net";
import { ReplicationError } from "./errors.js";
import { type LeaseOutcome, type LeaseStore, type LeaseStoreFactory, LeaseTable } from "./lease-store.js";

/**
 * Messages between lease store clients and a lease store server.
 *
 * @example
 * ```ts
 * import type { LeaseMessage } from "@distkit/replication";
 * const m: LeaseMessage = { type: "lease-acquire", requestId: 1, holder: "n1", ttlMs: 3000 };
 * ```
 */
export type LeaseMessage =
  | {
      readonly type: "lease-acquire";
      readonly requestId: number;
      readonly holder: NodeId;
      readonly ttlMs: number;
    }
  | { readonly type: "lease-result"; readonly requestId: number; readonly outcome: LeaseOutcome };

/**
 * A lease store server: applies acquire requests to a {@link LeaseTable} with its own clock. Its
 * state lives in memory (a crash forgets the lease, which is why the raft-backed store exists).
 *
 * @example
 * ```ts
 * import { Simulation } from "@distkit/sim-net";
 * import { LeaseServerNode } from "@distkit/replication";
 * const sim = new Simulation({ seed: 1 });
 * sim.addNode("lease", (ctx) => new LeaseServerNode(ctx));
 * ```
 */
export class LeaseServerNode implements SimNode<Message> {
  private readonly ctx: NodeContext<Message>;
  private readonly table = new LeaseTable();

  /** Builds the server from its context. */
  constructor(ctx: NodeContext<Message>) {
    this.ctx = ctx;
  }

  /** Answers acquire requests. */
  onMessage(from: NodeId, message: Message): void {
    const m = message as LeaseMessage;
    if (m.type !== "lease-acquire") return;
    const outcome = this.table.apply({ holder: m.holder, ttlMs: m.ttlMs, nowMs: this.ctx.now() });
    const reply: LeaseMessage = { type: "lease-result", requestId: m.requestId, outcome };
    this.ctx.send(from, reply);
  }
}

/**
 * A {@link LeaseStoreFactory} for replicas using a {@link LeaseServerNode} named `serverId`.
 * A request not answered within `requestTimeoutMs` (default 500) yields `unavailable`.
 *
 * @example
 * ```ts
 * import { leaseServerStore } from "@distkit/replication";
 * const leaseStore = leaseServerStore("lease", { requestTimeoutMs: 300 });
 * ```
 */
export function leaseServerStore(
  serverId: NodeId,
  options: { readonly requestTimeoutMs?: number } = {},
): LeaseStoreFactory {
  const timeoutMs = options.requestTimeoutMs ?? 500;
  if (!(timeoutMs > 0)) {
    throw new ReplicationError("invalid-config", `requestTimeoutMs must be > 0, got ${timeoutMs}`);
  }
  return (ctx: NodeContext<Message>): LeaseStore => {
    const pending = new Map<
      number,
      { readonly onResult: (o: LeaseOutcome) => void; readonly timer: TimerId }
    >();
    let nextId = 1;
    return {
      acquire(holder, ttlMs, onResult) {
        const requestId = nextId++;
        const timer = ctx.setTimer(
          timeoutMs,
          () => {
            if (pending.delete(requestId)) onResult({ outcome: "unavailable" });
          },
          "lease-timeout",
        );
        pending.set(requestId, { onResult, timer });
        const request: LeaseMessage = { type: "lease-acquire", requestId, holder, ttlMs };
        ctx.send(serverId, request);
      },
      handle(from, message) {
        if (message.type !== "lease-result" || from !== serverId) return false;
        const m = message as Extract<LeaseMessage, { type: "lease-result" }>;
        const p = pending.get(m.requestId);
        if (p === undefined) return true;
        pending.delete(m.requestId);
        ctx.cancelTimer(p.timer);
        p.onResult(m.outcome);
        return true;
      },
    };
  };
}
