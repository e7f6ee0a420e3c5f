/**
 * The simulated client: one operation at a time, Jepsen style. It asks the workload for the next
 * operation, sends the request with a fresh `msg_id` to a node, and records `ok` (a matching
 * `<type>_ok` reply), `fail` (a definite error) or `info` (an indefinite error, a timeout, or a
 * reply that breaks the protocol).
 *
 * @module
 */
import type { Message, NodeContext, NodeId, SimNode, TimerId } from "@distkit/sim-net";
import type { NodeLedger } from "./guard.js";
import { type Json, isDefiniteError } from "./protocol.js";
import { type PlannedOperation, type WorkbenchOperation, type WorkloadRun, short } from "./workload.js";

/** @internal What the clients of one run share. */
export interface ClientShared {
  readonly run: WorkloadRun;
  readonly nodeIds: readonly NodeId[];
  readonly ledgers: ReadonlyMap<NodeId, NodeLedger>;
  readonly ops: WorkbenchOperation[];
  readonly nowMs: () => number;
  /** Clients start no main-phase operation at or after this time. */
  readonly mainEndMs: number;
  readonly timeoutMs: number;
  /** Mean pause between a client's operations (ms). */
  readonly thinkMs: number;
  /** Final operations waiting for a client. */
  readonly finalQueue: PlannedOperation[];
  /** Final operations not yet ok (retried until `finalDeadlineMs`). */
  finalPending: number;
  finalDeadlineMs: number;
  /** Bound on operations per run (all clients). */
  readonly maxOperations: number;
  lateReplies: number;
}

interface Pending {
  readonly op: PlannedOperation;
  readonly msgId: number;
  readonly node: NodeId;
  readonly callMs: number;
  readonly phase: "main" | "final";
  readonly timer: TimerId;
}

/** @internal */
export class WorkbenchClient implements SimNode<Message> {
  private msgId = 0;
  private processEpoch = 0;
  private pending: Pending | undefined;
  private finalRetry: PlannedOperation | undefined;
  private readonly issued = new Set<number>();

  constructor(
    private readonly ctx: NodeContext<Message>,
    private readonly index: number,
    private readonly shared: ClientShared,
  ) {}

  onStart(): void {
    this.ctx.setTimer(this.think(), () => this.tick(), "client");
  }

  /** Starts the final phase for this client. */
  startFinal(): void {
    if (this.pending === undefined) this.tick();
  }

  private think(): number {
    const mean = this.shared.thinkMs;
    return mean <= 0 ? 0 : this.ctx.random.next() * 2 * mean;
  }

  private process(): string {
    return this.processEpoch === 0 ? this.ctx.id : `${this.ctx.id}.${this.processEpoch}`;
  }

  private tick(): void {
    if (this.pending !== undefined) return;
    const s = this.shared;
    const now = s.nowMs();
    if (s.ops.length >= s.maxOperations) return;
    if (now < s.mainEndMs) {
      const op = s.run.next({
        client: this.ctx.id,
        clientIndex: this.index,
        random: this.ctx.random,
        nowMs: now,
        nodeIds: s.nodeIds,
      });
      if (op === undefined) this.ctx.setTimer(Math.max(1, this.think()), () => this.tick(), "client idle");
      else this.invoke(op, "main");
      return;
    }
    if (now >= s.finalDeadlineMs) return;
    const op = this.finalRetry ?? s.finalQueue.shift();
    this.finalRetry = undefined;
    if (op !== undefined) this.invoke(op, "final");
  }

  private invoke(op: PlannedOperation, phase: "main" | "final"): void {
    const s = this.shared;
    const node = op.node ?? this.ctx.random.pick(s.nodeIds);
    const msgId = ++this.msgId;
    this.issued.add(msgId);
    const timer = this.ctx.setTimer(s.timeoutMs, () => this.onTimeout(msgId), "client timeout");
    this.pending = { op, msgId, node, callMs: s.nowMs(), phase, timer };
    const ledger = s.ledgers.get(node);
    if (ledger !== undefined) ledger.requests++;
    this.ctx.send(node, { ...op.request, msg_id: msgId } as Message);
  }

  private onTimeout(msgId: number): void {
    const p = this.pending;
    if (p === undefined || p.msgId !== msgId) return;
    const ledger = this.shared.ledgers.get(p.node);
    if (ledger !== undefined) ledger.timeouts++;
    this.complete(p, "info", null, undefined);
  }

  onMessage(from: NodeId, message: Message): void {
    const m = message as {
      readonly type: string;
      readonly in_reply_to?: unknown;
      readonly [k: string]: unknown;
    };
    const ledger = this.shared.ledgers.get(from);
    const p = this.pending;
    if (typeof m.in_reply_to !== "number") {
      ledger?.problem(
        "malformed-reply",
        this.shared.nowMs(),
        `sent ${short(m, 80)} to client ${this.ctx.id}: a reply needs a numeric in_reply_to`,
      );
      return;
    }
    if (p === undefined || p.msgId !== m.in_reply_to || p.node !== from) {
      if (this.issued.has(m.in_reply_to)) this.shared.lateReplies++;
      else
        ledger?.problem(
          "malformed-reply",
          this.shared.nowMs(),
          `in_reply_to ${m.in_reply_to} matches no request of client ${this.ctx.id}: ${short(m, 80)}`,
        );
      return;
    }
    this.ctx.cancelTimer(p.timer);
    if (m.type === "error") {
      const code = typeof m.code === "number" ? m.code : -1;
      if (code < 0)
        ledger?.problem(
          "malformed-reply",
          this.shared.nowMs(),
          `error reply without a numeric code: ${short(m, 80)}`,
        );
      const special = isDefiniteError(code) ? this.shared.run.decodeError?.(p.op, code) : undefined;
      if (special?.ok === true) this.complete(p, "ok", special.output, code);
      else this.complete(p, isDefiniteError(code) ? "fail" : "info", code, code);
      return;
    }
    const expected = `${p.op.request.type}_ok`;
    if (m.type !== expected) {
      ledger?.problem(
        "malformed-reply",
        this.shared.nowMs(),
        `answered ${p.op.request.type} with type ${short(m.type, 30)}; expected ${expected} or error`,
      );
      this.complete(p, "info", null, undefined);
      return;
    }
    const decoded = this.shared.run.decode(p.op, m as { readonly [k: string]: Json });
    if (!decoded.ok) {
      ledger?.problem("malformed-reply", this.shared.nowMs(), `${expected}: ${decoded.reason}`);
      this.complete(p, "info", null, undefined);
      return;
    }
    this.complete(p, "ok", decoded.output, undefined);
  }

  private complete(
    p: Pending,
    status: "ok" | "fail" | "info",
    output: Json,
    errorCode: number | undefined,
  ): void {
    const s = this.shared;
    this.pending = undefined;
    s.ops.push({
      id: s.ops.length,
      process: this.process(),
      client: this.ctx.id,
      node: p.node,
      f: p.op.f,
      input: p.op.input,
      output: status === "info" ? null : output,
      status,
      callMs: p.callMs,
      returnMs: s.nowMs(),
      phase: p.phase,
      ...(errorCode !== undefined ? { errorCode } : {}),
    });
    if (status === "info") this.processEpoch++;
    if (p.phase === "final") {
      if (status === "ok") s.finalPending--;
      else this.finalRetry = p.op;
      // Retry failed final operations after a pause; go on at once otherwise.
      this.ctx.setTimer(status === "ok" ? 0 : 50, () => this.tick(), "client final");
      return;
    }
    this.ctx.setTimer(this.think(), () => this.tick(), "client");
  }
}
