/**
 * A client of a multi-leader store, as a sim-net node.
 * @module
 */
import type { Message, NodeContext, NodeId, SimNode, TimerId } from "@distkit/sim-net";
import { ReplicationError } from "./errors.js";
import type { JsonValue } from "./json-value.js";
import type {
  MultiLeaderMessage,
  MultiLeaderReadResult,
  MultiLeaderWriteResult,
  WriteOp,
} from "./multi-leader-message.js";

/**
 * A client that sends writes and reads to chosen nodes of a multi-leader store and times them.
 *
 * @example
 * ```ts
 * import { MultiLeaderClient } from "@distkit/replication";
 * // sim.addNode("client-eu", (ctx) => new MultiLeaderClient(ctx));
 * // sim.node<MultiLeaderClient>("client-eu").instance.write("dc1", "x", "put", 1, (r, ms) => console.log(r.outcome, ms));
 * ```
 */
export class MultiLeaderClient implements SimNode<Message> {
  private readonly ctx: NodeContext<Message>;
  private readonly requestTimeoutMs: number;
  private readonly pending = new Map<
    number,
    {
      readonly startMs: number;
      readonly timer: TimerId;
      readonly onWrite?: (r: MultiLeaderWriteResult, latencyMs: number) => void;
      readonly onRead?: (r: MultiLeaderReadResult | undefined, latencyMs: number) => void;
    }
  >();
  private nextId = 1;

  /** Builds the client; requests unanswered after `requestTimeoutMs` (default 5000) time out. */
  constructor(ctx: NodeContext<Message>, options: { readonly requestTimeoutMs?: number } = {}) {
    this.ctx = ctx;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    if (!(this.requestTimeoutMs > 0)) {
      throw new ReplicationError(
        "invalid-config",
        `requestTimeoutMs must be > 0, got ${this.requestTimeoutMs}`,
      );
    }
  }

  /** Sends a write to `node`; `onResult` gets the result and the latency in ms of this client's clock. */
  write(
    node: NodeId,
    key: string,
    op: WriteOp,
    value: JsonValue,
    onResult?: (result: MultiLeaderWriteResult, latencyMs: number) => void,
  ): void {
    const requestId = this.start(
      (latencyMs) => onResult?.({ outcome: "timeout" }, latencyMs),
      onResult,
      undefined,
    );
    this.send(node, { type: "ml-write", requestId, key, op, value });
  }

  /** Sends a read to `node` (`undefined` result on timeout). */
  read(
    node: NodeId,
    key: string,
    onResult?: (result: MultiLeaderReadResult | undefined, latencyMs: number) => void,
  ): void {
    const requestId = this.start((latencyMs) => onResult?.(undefined, latencyMs), undefined, onResult);
    this.send(node, { type: "ml-read", requestId, key });
  }

  /** Handles results. */
  onMessage(_from: NodeId, message: Message): void {
    const m = message as MultiLeaderMessage;
    if (m.type !== "ml-write-result" && m.type !== "ml-read-result") return;
    const p = this.pending.get(m.requestId);
    if (p === undefined) return;
    this.pending.delete(m.requestId);
    this.ctx.cancelTimer(p.timer);
    const latencyMs = this.ctx.now() - p.startMs;
    if (m.type === "ml-write-result") p.onWrite?.(m.result, latencyMs);
    else p.onRead?.(m.result, latencyMs);
  }

  private send(to: NodeId, message: MultiLeaderMessage): void {
    this.ctx.send(to, message);
  }

  private start(
    onTimeout: (latencyMs: number) => void,
    onWrite: ((r: MultiLeaderWriteResult, latencyMs: number) => void) | undefined,
    onRead: ((r: MultiLeaderReadResult | undefined, latencyMs: number) => void) | undefined,
  ): number {
    const requestId = this.nextId++;
    const startMs = this.ctx.now();
    const timer = this.ctx.setTimer(
      this.requestTimeoutMs,
      () => {
        if (this.pending.delete(requestId)) onTimeout(this.ctx.now() - startMs);
      },
      "request-timeout",
    );
    this.pending.set(requestId, {
      startMs,
      timer,
      ...(onWrite === undefined ? {} : { onWrite }),
      ...(onRead === undefined ? {} : { onRead }),
    });
    return requestId;
  }
}
