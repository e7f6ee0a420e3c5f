import type { NodeId } from "@distkit/sim-net";
import type { ResolvedQuorum } from "./consistency.js";
import type { Coordination } from "./coordination.js";
import { QuorumError } from "./errors.js";
import type { Json } from "./json.js";
import type { QuorumMessage, ReadRepairMode, ReadResult } from "./messages.js";
import type { NodeCore } from "./node-core.js";
import { ReadRepair } from "./read-repair.js";
import type { ReplicaStore } from "./replica-store.js";

/** A read this node coordinates (internal). */
export interface ReadOp<S> {
  readonly rid: number;
  readonly client: NodeId;
  readonly reqId: number;
  readonly key: string;
  readonly r: number;
  readonly repair: ReadRepairMode;
  readonly targets: readonly NodeId[];
  readonly replies: Map<NodeId, S | null>;
  answered: boolean;
  /** Blocking repair: nodes whose repair ack is awaited before answering. */
  awaitingRepair: Set<NodeId> | null;
  merged: S | null;
  /** Local time at which the read times out. */
  readonly deadlineMs: number;
}

const REPAIR_MODES: readonly ReadRepairMode[] = ["off", "async", "blocking"];

/** Throws `QuorumError` (with `code`) unless `mode` is a known read repair mode. */
export function validateReadRepair(mode: unknown, code: "invalid-config" | "invalid-request"): void {
  if (!REPAIR_MODES.includes(mode as ReadRepairMode)) {
    throw new QuorumError(code, `readRepair ${String(mode)} is unknown; accepted: off, async, blocking`);
  }
}

/**
 * The coordinator's read path (internal): ask the targets, merge the first R replies, repair stale
 * responders (blocking: before answering), and repair the rest in the background once every reply is in.
 */
export class ReadPath<S extends Json> {
  private readonly reads = new Map<number, ReadOp<S>>();
  readonly repair: ReadRepair<S>;

  constructor(
    private readonly core: NodeCore<S>,
    private readonly coord: Coordination<S>,
    private readonly store: ReplicaStore<S>,
    /** The local replica state of a key merged with the hints held for it. */
    private readonly readLocal: (key: string) => S | null,
  ) {
    this.repair = new ReadRepair(
      core,
      store,
      (rid) => this.reads.get(rid),
      (op, repaired) => this.answer(op, repaired),
    );
    coord.register(
      (now) => this.expire(now),
      () => this.reads.size,
    );
  }

  /** A client's read arrives at this coordinator. */
  coordinate(from: NodeId, msg: QuorumMessage & { type: "q.get" }): void {
    const { ctx, settings, stats } = this.core;
    let q: ResolvedQuorum;
    let repair: ReadRepairMode;
    try {
      q = this.coord.resolve(msg.options);
      repair = msg.options.readRepair ?? settings.readRepair;
      validateReadRepair(repair, "invalid-request");
    } catch (e) {
      if (e instanceof QuorumError) {
        this.coord.reject(from, msg, e.message);
        return;
      }
      throw e;
    }
    if (this.coord.overloaded()) {
      this.coord.reject(from, msg, "coordinator overloaded: too many operations pending");
      return;
    }
    stats.coordinatedReads++;
    const timeoutMs = msg.options.timeoutMs ?? settings.timeoutMs;
    const sloppy = msg.options.sloppy ?? settings.sloppyDefault;
    const targets = this.coord.targetsFor(msg.key, q.n, sloppy).map((t) => t.node);
    const rid = this.core.nextRid();
    const op: ReadOp<S> = {
      rid,
      client: from,
      reqId: msg.reqId,
      key: msg.key,
      r: q.r,
      repair,
      targets,
      replies: new Map(),
      answered: false,
      awaitingRepair: null,
      merged: null,
      deadlineMs: ctx.now() + timeoutMs,
    };
    this.reads.set(rid, op);
    this.coord.armDeadline(op.deadlineMs);
    for (const node of targets) {
      if (node === ctx.id) continue;
      ctx.send(node, { type: "q.rread", rid, key: msg.key });
    }
    if (targets.includes(ctx.id)) this.onReply(ctx.id, rid, this.readLocal(msg.key));
  }

  private mergeReplies(op: ReadOp<S>): S | null {
    let merged: S | null = null;
    for (const s of op.replies.values()) {
      if (s === null) continue;
      merged =
        merged === null
          ? s
          : this.core.policy.merge(merged, s, (lost) => this.store.recordLost(op.key, lost));
    }
    return merged;
  }

  onReply(from: NodeId, rid: number, state: S | null): void {
    const op = this.reads.get(rid);
    if (op === undefined || !op.targets.includes(from) || op.replies.has(from)) return;
    op.replies.set(from, state);
    if (!op.answered && op.awaitingRepair === null && op.replies.size >= op.r) {
      op.merged = this.mergeReplies(op);
      if (op.repair === "blocking") {
        const stale = this.repair.staleReplicas(op);
        if (stale.length > 0) {
          this.repair.startBlocking(op, stale);
          return;
        }
      }
      this.answer(op, 0);
    }
    if (op.answered && op.replies.size === op.targets.length) this.finish(op);
  }

  private answer(op: ReadOp<S>, repaired: number): void {
    if (op.answered) return;
    op.answered = true;
    if (op.awaitingRepair !== null) {
      // Repaired replicas now hold the merged state.
      for (const node of op.replies.keys()) op.replies.set(node, op.merged);
      op.awaitingRepair = null;
    }
    const view =
      op.merged === null ? { values: [] as Json[], context: "" } : this.core.policy.read(op.merged);
    const result: ReadResult = {
      ok: true,
      values: view.values,
      context: view.context,
      replies: op.replies.size,
      repaired,
      coordinator: this.core.id,
    };
    this.core.ctx.send(op.client, { type: "q.getResult", reqId: op.reqId, result });
    if (op.replies.size === op.targets.length) this.finish(op);
  }

  /** All replies in (or timeout after answering): async read repair of every stale replica. */
  private finish(op: ReadOp<S>): void {
    this.reads.delete(op.rid);
    if (op.repair === "off") return;
    op.merged = this.mergeReplies(op);
    this.repair.repairAsync(op);
  }

  /** Expires what is due; returns the next deadline (or +Infinity). */
  private expire(now: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const op of [...this.reads.values()]) {
      if (op.deadlineMs <= now) this.timedOut(op);
      else next = Math.min(next, op.deadlineMs);
    }
    return next;
  }

  private timedOut(op: ReadOp<S>): void {
    for (const node of op.targets) if (!op.replies.has(node)) this.coord.suspect(node);
    if (op.answered) {
      this.finish(op);
      return;
    }
    this.reads.delete(op.rid);
    this.core.stats.readTimeouts++;
    const result: ReadResult = {
      ok: false,
      reason: "timeout",
      replies: op.replies.size,
      message:
        op.awaitingRepair !== null
          ? `blocking read repair of ${op.awaitingRepair.size} replica(s) not acknowledged before the timeout`
          : `${op.replies.size} of R = ${op.r} replies before the timeout`,
    };
    this.core.ctx.send(op.client, { type: "q.getResult", reqId: op.reqId, result });
  }
}
