import type { NodeId, TimerId } from "@distkit/sim-net";
import { isJson } from "./canonical-json.js";
import type { ResolvedQuorum } from "./consistency.js";
import type { Coordination, Target } from "./coordination.js";
import { QuorumError, invariant } from "./errors.js";
import type { HintedHandoff } from "./hinted-handoff.js";
import type { Json } from "./json.js";
import type { QuorumMessage, WriteMode, WriteResult } from "./messages.js";
import type { NodeCore } from "./node-core.js";
import type { ReplicaStore } from "./replica-store.js";

type PutRequest = QuorumMessage & { type: "q.put" };

interface WriteOp<S> {
  readonly rid: number;
  readonly client: NodeId;
  readonly reqId: number;
  readonly key: string;
  readonly state: S;
  readonly w: number;
  readonly n: number;
  readonly sloppy: boolean;
  readonly acked: Set<NodeId>;
  readonly sent: Map<NodeId, Target>;
  hinted: number;
  /** Local time at which the write times out (a completed sloppy write lingers until then for late acks). */
  readonly deadlineMs: number;
  fallbackTimer: TimerId | null;
  /** The client has its answer; the op only collects late acknowledgements (sloppy writes). */
  done: boolean;
}

/** The first round trip of a two-phase write: the key's timestamps from R replicas. */
interface TimestampRead {
  readonly rid: number;
  readonly from: NodeId;
  readonly msg: PutRequest;
  readonly q: ResolvedQuorum;
  readonly sloppy: boolean;
  readonly targets: readonly NodeId[];
  readonly replied: Set<NodeId>;
  maxTimestampMs: number;
  readonly deadlineMs: number;
}

/**
 * Two-phase writes take a timestamp at least this much above the greatest one read, so it is strictly
 * greater (1 microsecond: small against clock readings, far above the spacing of doubles near them).
 */
export const TWO_PHASE_STEP_MS = 0.001;

/**
 * The coordinator's write path (internal). One-phase: turn the client write into a replica state (the
 * coordinator's clock as LWW timestamp), send it to the targets and answer after W acks. Two-phase (ABD):
 * first read the key's timestamps from R replicas, then write with a timestamp above the greatest one seen.
 * Sloppy quorums: fallbacks for owners that stay silent past `sloppyFallbackAfterMs`, and a durable hint at
 * the coordinator for every owner until that owner (or a fallback holding a hint for it) acknowledges.
 */
export class WritePath<S extends Json> {
  private readonly writes = new Map<number, WriteOp<S>>();
  private readonly timestampReads = new Map<number, TimestampRead>();

  constructor(
    private readonly core: NodeCore<S>,
    private readonly coord: Coordination<S>,
    private readonly store: ReplicaStore<S>,
    private readonly hints: HintedHandoff<S>,
    /** Applies a replica write locally (as a hint when `hintFor` names another owner); false if dropped. */
    private readonly applyLocal: (key: string, state: S, hintFor: NodeId | null) => boolean,
    /** The local replica state of a key merged with the hints held for it. */
    private readonly readLocal: (key: string) => S | null,
  ) {
    coord.register(
      (now) => this.expire(now),
      () => this.writes.size + this.timestampReads.size,
    );
  }

  /** A client's write arrives at this coordinator. */
  coordinate(from: NodeId, msg: PutRequest): void {
    const { policy, settings, ctx } = this.core;
    let q: ResolvedQuorum;
    let mode: WriteMode;
    try {
      q = this.coord.resolve(msg.options);
      policy.validateContext(msg.context);
      if (!isJson(msg.value)) throw new QuorumError("invalid-request", "the value must be JSON data");
      mode = msg.options.writeMode ?? settings.writeMode;
      validateWriteMode(mode, "invalid-request");
      if (mode === "two-phase") {
        if (policy.timestampOf === undefined) {
          throw new QuorumError(
            "invalid-request",
            `writeMode two-phase needs a policy with timestamps (lwwPolicy); this store uses ${policy.kind}, which orders writes causally`,
          );
        }
        if (msg.options.timestampMs !== undefined) {
          throw new QuorumError(
            "invalid-request",
            "timestampMs cannot be combined with writeMode two-phase (the coordinator chooses the timestamp); accepted: one of them",
          );
        }
      }
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
    const timeoutMs = msg.options.timeoutMs ?? settings.timeoutMs;
    const sloppy = msg.options.sloppy ?? settings.sloppyDefault;
    if (mode === "two-phase") {
      this.startTimestampRead(from, msg, q, sloppy, ctx.now() + timeoutMs);
      return;
    }
    this.startWrite(
      from,
      msg,
      q,
      sloppy,
      timeoutMs,
      ctx.now() + timeoutMs,
      msg.options.timestampMs ?? ctx.now(),
    );
  }

  /** A `q.rreadReply`: returns true when it belongs to a two-phase write's timestamp read. */
  onReadReply(from: NodeId, rid: number, state: S | null): boolean {
    const op = this.timestampReads.get(rid);
    if (op === undefined) return false;
    if (!op.targets.includes(from) || op.replied.has(from)) return true;
    op.replied.add(from);
    const policy = this.core.policy;
    invariant(policy.timestampOf !== undefined, "two-phase writes only run on policies with timestamps");
    if (state !== null) op.maxTimestampMs = Math.max(op.maxTimestampMs, policy.timestampOf(state));
    if (op.replied.size < op.q.r) return true;
    this.timestampReads.delete(rid);
    // Above every timestamp the read quorum holds, and no lower than this coordinator's clock.
    const timestampMs = Math.max(this.core.ctx.now(), op.maxTimestampMs + TWO_PHASE_STEP_MS);
    invariant(timestampMs > op.maxTimestampMs, "a two-phase write's timestamp exceeds every one it read");
    const remainingMs = Math.max(0, op.deadlineMs - this.core.ctx.now());
    this.startWrite(op.from, op.msg, op.q, op.sloppy, remainingMs, op.deadlineMs, timestampMs);
    return true;
  }

  /** A replica acknowledged a replica write. */
  onAck(from: NodeId, rid: number): void {
    const op = this.writes.get(rid);
    if (op === undefined || op.acked.has(from)) return;
    const target = op.sent.get(from);
    if (target === undefined) return;
    op.acked.add(from);
    if (target.hintFor !== null) op.hinted++;
    // The owner holds the write now, or another node (a fallback) durably holds a hint for it: release
    // this coordinator's own hint. (When this coordinator is the fallback, that hint is the one it holds.)
    if (op.sloppy && from !== this.core.id) this.hints.release(op.key, target.hintFor ?? from, op.state);
    if (!op.done && op.acked.size >= op.w) {
      op.done = true;
      if (op.fallbackTimer !== null) this.core.ctx.cancelTimer(op.fallbackTimer);
      op.fallbackTimer = null;
      const result: WriteResult = {
        ok: true,
        acks: op.acked.size,
        hinted: op.hinted,
        coordinator: this.core.id,
      };
      this.core.ctx.send(op.client, { type: "q.putResult", reqId: op.reqId, result });
    }
    if (op.done && (!op.sloppy || op.acked.size >= op.sent.size)) this.writes.delete(rid);
  }

  private startTimestampRead(
    from: NodeId,
    msg: PutRequest,
    q: ResolvedQuorum,
    sloppy: boolean,
    deadlineMs: number,
  ): void {
    const { ctx, stats } = this.core;
    stats.timestampReads++;
    const rid = this.core.nextRid();
    const targets = this.coord.targetsFor(msg.key, q.n, sloppy).map((t) => t.node);
    const op: TimestampRead = {
      rid,
      from,
      msg,
      q,
      sloppy,
      targets,
      replied: new Set(),
      maxTimestampMs: Number.NEGATIVE_INFINITY,
      deadlineMs,
    };
    this.timestampReads.set(rid, op);
    this.coord.armDeadline(deadlineMs);
    for (const node of targets) if (node !== ctx.id) ctx.send(node, { type: "q.rread", rid, key: msg.key });
    if (targets.includes(ctx.id)) this.onReadReply(ctx.id, rid, this.readLocal(msg.key));
  }

  private startWrite(
    from: NodeId,
    msg: PutRequest,
    q: ResolvedQuorum,
    sloppy: boolean,
    timeoutMs: number,
    deadlineMs: number,
    timestampMs: number,
  ): void {
    const { ctx, policy, settings, stats } = this.core;
    const targets = this.coord.targetsFor(msg.key, q.n, sloppy);
    if (policy.coordinatorMustBeReplica && !targets.some((t) => t.node === ctx.id)) {
      // Forward to the first replica not presumed down (Riak forwards to a vnode of the preference list).
      const first = targets.find((t) => !this.coord.isSuspected(t.node)) ?? targets[0];
      invariant(first !== undefined, "a preference list is never empty");
      this.coord.forward(from, msg, first.node, timeoutMs);
      return;
    }
    stats.coordinatedWrites++;
    const selfTarget = targets.find((t) => t.node === ctx.id);
    const local =
      selfTarget !== undefined && selfTarget.hintFor === null ? this.store.state(msg.key) : undefined;
    let state: S;
    try {
      state = policy.write(local, {
        value: msg.value,
        deleted: msg.deleted,
        context: msg.context,
        coordinator: ctx.id,
        timestampMs,
      });
    } catch (e) {
      if (e instanceof QuorumError) {
        this.coord.reject(from, msg, e.message);
        return;
      }
      throw e;
    }
    const rid = this.core.nextRid();
    const op: WriteOp<S> = {
      rid,
      client: from,
      reqId: msg.reqId,
      key: msg.key,
      state,
      w: q.w,
      n: q.n,
      sloppy,
      acked: new Set(),
      sent: new Map(),
      hinted: 0,
      deadlineMs,
      fallbackTimer: null,
      done: false,
    };
    this.writes.set(rid, op);
    this.coord.armDeadline(deadlineMs);
    if (sloppy) {
      // Hinted handoff for every owner, durable before anything is sent: an owner that misses this write
      // (down, cut off, or just slower than the W acks) gets it from this coordinator's hint, even if this
      // coordinator crashes and restarts in between. Each hint is released when its owner acknowledges.
      let stored = false;
      for (const owner of this.core.placement.preferenceList(msg.key, q.n)) {
        if (owner !== ctx.id) stored = this.hints.store(msg.key, owner, state, false) || stored;
      }
      if (stored) this.hints.sync();
      op.fallbackTimer = ctx.setTimer(
        Math.min(settings.sloppyFallbackAfterMs, timeoutMs / 2),
        () => this.sloppyFallback(rid),
        "sloppy-fallback",
      );
    }
    for (const t of targets) this.sendReplicaWrite(op, t);
  }

  private sendReplicaWrite(op: WriteOp<S>, t: Target): void {
    op.sent.set(t.node, t);
    if (t.node === this.core.id) {
      if (this.applyLocal(op.key, op.state, t.hintFor)) this.onAck(this.core.id, op.rid);
    } else {
      this.core.ctx.send(t.node, {
        type: "q.rwrite",
        rid: op.rid,
        key: op.key,
        state: op.state,
        hintFor: t.hintFor,
      });
    }
  }

  /** Expires what is due; returns the next deadline (or +Infinity). */
  private expire(now: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const op of [...this.timestampReads.values()]) {
      if (op.deadlineMs <= now) this.timestampReadTimedOut(op);
      else next = Math.min(next, op.deadlineMs);
    }
    for (const op of [...this.writes.values()]) {
      if (op.deadlineMs <= now) this.writeTimedOut(op);
      else next = Math.min(next, op.deadlineMs);
    }
    return next;
  }

  private timestampReadTimedOut(op: TimestampRead): void {
    this.timestampReads.delete(op.rid);
    this.core.stats.writeTimeouts++;
    for (const node of op.targets) if (!op.replied.has(node)) this.coord.suspect(node);
    const result: WriteResult = {
      ok: false,
      reason: "timeout",
      acks: 0,
      message: `two-phase write: ${op.replied.size} of R = ${op.q.r} timestamp replies before the timeout; nothing was written`,
    };
    this.core.ctx.send(op.from, { type: "q.putResult", reqId: op.msg.reqId, result });
  }

  private writeTimedOut(op: WriteOp<S>): void {
    this.writes.delete(op.rid);
    if (op.fallbackTimer !== null) this.core.ctx.cancelTimer(op.fallbackTimer);
    for (const node of op.sent.keys()) if (!op.acked.has(node)) this.coord.suspect(node);
    // A completed sloppy write only stops waiting here; owners still silent keep their hints for handoff.
    if (op.done) return;
    this.core.stats.writeTimeouts++;
    const result: WriteResult = {
      ok: false,
      reason: "timeout",
      acks: op.acked.size,
      message: `${op.acked.size} of W = ${op.w} acknowledgements before the timeout; the write may still be applied`,
    };
    this.core.ctx.send(op.client, { type: "q.putResult", reqId: op.reqId, result });
  }

  /** Sloppy quorum: primaries that have not acked are presumed down; send hinted copies to fallbacks. */
  private sloppyFallback(rid: number): void {
    const op = this.writes.get(rid);
    if (op === undefined) return;
    op.fallbackTimer = null;
    if (op.done) return;
    const silent = [...op.sent.values()].filter((t) => !op.acked.has(t.node));
    if (silent.length === 0) return;
    const placement = this.core.placement;
    const all = placement.preferenceList(op.key, placement.members.length);
    let next = op.n;
    for (const t of silent) {
      this.coord.suspect(t.node);
      while (
        next < all.length &&
        (op.sent.has(all[next] as NodeId) || this.coord.isSuspected(all[next] as NodeId))
      )
        next++;
      if (next >= all.length) break;
      this.sendReplicaWrite(op, { node: all[next] as NodeId, hintFor: t.hintFor ?? t.node });
      next++;
    }
  }
}

/** Throws `QuorumError` (with `code`) unless `mode` is a known write mode. */
export function validateWriteMode(mode: unknown, code: "invalid-config" | "invalid-request"): void {
  if (mode !== "one-phase" && mode !== "two-phase") {
    throw new QuorumError(code, `writeMode ${String(mode)} is unknown; accepted: one-phase, two-phase`);
  }
}
