/**
 * A single-leader replica: the leader appends writes to its write-ahead log and ships it; followers
 * apply it in order, acknowledge flushed and applied positions, serve (possibly stale) reads, and can
 * be promoted by an operator or, with a lease store, automatically (see `lease-failover.ts`).
 * @module
 */
import type { Message, NodeContext, NodeId, SimNode, TimerId } from "@distkit/sim-net";
import { type CommitMode, commitSatisfied, validateCommitMode } from "./commit-mode.js";
import { invariant, ReplicationError } from "./errors.js";
import type { JsonValue } from "./json-value.js";
import {
  type CommitPoint,
  type FailoverHost,
  LeaseFailover,
  type PromotionEvidence,
} from "./lease-failover.js";
import {
  type FollowerLag,
  type ReplicaConfig,
  type ReplicaStatus,
  validateReplicaConfig,
} from "./replica-config.js";
import type { ReadResult, ReplicaMessage, WriteResult } from "./replica-message.js";
import { WriteAheadLog } from "./wal.js";
import type { LostWritesReport, PromotionReport, WalRecord } from "./wal-record.js";

interface FollowerProgress {
  /** Counted by commit modes: false for a deposed leader until it has rejoined and caught up. */
  counted: boolean;
  flushedLsn: number;
  appliedLsn: number;
  nextLsn: number;
  lastHeardMs: number;
  lastProgressLsn: number;
  barrierSeq: number;
}

interface PendingWrite {
  readonly lsn: number;
  readonly from: NodeId;
  readonly requestId: number;
  readonly mode: CommitMode;
  readonly startMs: number;
}

interface PendingRead {
  readonly from: NodeId;
  readonly requestId: number;
  readonly key: string;
  readonly minLsn: number;
  readonly barrierSeq: number;
  /** Leader barrier reads: answer `timeout` after this (local clock). */
  readonly deadlineMs: number;
  timer: TimerId | undefined;
}

interface Meta {
  readonly epoch: number;
  readonly role: "leader" | "follower";
  readonly leader: NodeId | undefined;
  readonly ackedLsn: number;
  readonly knownCommitLsn: number;
}

/**
 * One replica of a single-leader store, as a sim-net node. Create every replica with the same
 * {@link ReplicaConfig}; `initialLeader` starts as leader of epoch 1.
 *
 * @example
 * ```ts
 * import { Simulation } from "@distkit/sim-net";
 * import { ReplicaNode } from "@distkit/replication";
 * const sim = new Simulation({ seed: 1 });
 * const config = { replicas: ["n1", "n2", "n3"], initialLeader: "n1" };
 * for (const id of config.replicas) sim.addNode(id, (ctx) => new ReplicaNode(ctx, config));
 * ```
 */
export class ReplicaNode implements SimNode<Message> {
  /** Every rewind this node made, with the acknowledged writes it lost. */
  readonly lostWrites: LostWritesReport[] = [];
  /** Every promotion of this node. */
  readonly promotions: PromotionReport[] = [];

  private readonly ctx: NodeContext<Message>;
  private readonly replicas: readonly NodeId[];
  private readonly mode: CommitMode;
  private readonly fallbackTimeoutMs: number | undefined;
  private readonly ackOnApply: boolean;
  private readonly heartbeatIntervalMs: number;
  private readonly standbyTimeoutMs: number;
  private readonly maxBatchRecords: number;
  private readonly applyDelayMs: number;
  private readonly maxPending: number;
  private readonly maxLogRecords: number;
  private readonly failover: LeaseFailover | undefined;

  private role: "leader" | "follower";
  private epoch: number;
  private leaderId: NodeId | undefined;
  /** The last leader this node knew (kept while the epoch's leader is not known yet). */
  private lastKnownLeader: NodeId | undefined;
  private readonly log: WriteAheadLog;
  private state = new Map<string, JsonValue>();
  private flushedLsn = 0;
  private appliedLsn = 0;
  /** Follower: highest commit position known to cover this node's log. Leader: its commit position. */
  private commitLsn = 0;
  /** Highest position this node acknowledged to a client while leader. */
  private ackedLsn = 0;
  /** Follower: its log is known to match the current leader's up to here (what acks may count). */
  private matchedLsn = 0;
  private previousCommitSeen = 0;
  private previousLastSeen = 0;
  private lastLeaderContactMs: number;

  // Leader state.
  private readonly followers = new Map<NodeId, FollowerProgress>();
  private pendingWrites: PendingWrite[] = [];
  private pendingWritesHead = 0;
  private readonly pendingReads: PendingRead[] = [];
  private barrierSeq = 0;
  private degraded = false;
  private fallbackCount = 0;
  private fallbackTimer: TimerId | undefined;
  private flushScheduled = false;
  private leaseValidUntilMs = Number.NEGATIVE_INFINITY;
  private heartbeatTimer: TimerId | undefined;
  /** A new leader serves reads once the log it inherited is committed in its own epoch. */
  private readableFromLsn = 0;

  // Follower state.
  private readonly waitingReads: PendingRead[] = [];
  private readonly fresh: boolean;
  private readonly initialLeader: NodeId;

  /** Builds the replica from its context (call again on restart: it recovers from storage). */
  constructor(ctx: NodeContext<Message>, config: ReplicaConfig) {
    validateReplicaConfig(config);
    if (!config.replicas.includes(ctx.id)) {
      throw new ReplicationError(
        "invalid-config",
        `node "${ctx.id}" is not one of the replicas [${config.replicas.join(", ")}]`,
      );
    }
    this.ctx = ctx;
    this.replicas = config.replicas;
    this.mode = config.commit ?? { kind: "async" };
    this.fallbackTimeoutMs = config.fallbackTimeoutMs;
    this.ackOnApply = config.ackOn === "apply";
    this.heartbeatIntervalMs = config.heartbeatIntervalMs ?? 50;
    this.standbyTimeoutMs = config.standbyTimeoutMs ?? 5 * this.heartbeatIntervalMs;
    this.maxBatchRecords = config.maxBatchRecords ?? 4096;
    this.applyDelayMs = config.applyDelayMs ?? 0;
    this.maxPending = config.maxPendingRequests ?? 100_000;
    this.maxLogRecords = config.maxLogRecords ?? 10_000_000;
    this.lastLeaderContactMs = ctx.now();
    this.initialLeader = config.initialLeader;
    this.log = new WriteAheadLog(ctx.storage, this.maxLogRecords);

    const f = config.failover;
    const meta = ctx.storage.get<Meta>("meta");
    if (meta === undefined) {
      this.epoch = f === undefined ? 1 : 0;
      this.role = ctx.id === config.initialLeader && f === undefined ? "leader" : "follower";
      this.leaderId = f === undefined ? config.initialLeader : undefined;
    } else {
      this.epoch = meta.epoch;
      this.role = meta.role;
      this.leaderId = meta.leader;
      this.ackedLsn = meta.ackedLsn;
      this.commitLsn = meta.knownCommitLsn;
      this.flushedLsn = this.log.length;
      this.applyUpTo(this.role === "leader" ? Math.min(this.commitLsn, this.log.length) : this.log.length);
    }
    this.lastKnownLeader = this.leaderId;
    this.fresh = meta === undefined;
    if (f !== undefined) {
      const ttl = f.leaseTtlMs ?? 3000;
      this.failover = new LeaseFailover(
        this.host(),
        f.leaseStore(ctx),
        {
          leaseTtlMs: ttl,
          renewIntervalMs: f.renewIntervalMs ?? ttl / 3,
          safetyMarginMs: f.safetyMarginMs ?? ttl / 10,
          failureTimeoutMs: f.failureTimeoutMs ?? ttl,
          candidateWaitMs: f.candidateWaitMs ?? 100,
        },
        this.mode,
      );
    }
    if (this.role === "leader") this.initLeaderState(undefined);
  }

  // ---------------------------------------------------------------- public API

  /** Current state, for reports and tests. */
  status(): ReplicaStatus {
    return {
      id: this.ctx.id,
      role: this.role,
      epoch: this.epoch,
      leader: this.leaderId,
      lastLsn: this.log.length,
      commitLsn: this.commitLsn,
      appliedLsn: this.appliedLsn,
      writable: this.role === "leader" && this.leaseOk(),
      degraded: this.degraded,
      fallbacks: this.fallbackCount,
      ...(this.failover === undefined ? {} : { failover: this.failover.status() }),
    };
  }

  /** Leader only: the replication lag of each follower (empty on a follower). */
  lag(): FollowerLag[] {
    if (this.role !== "leader") return [];
    const now = this.ctx.now();
    const out: FollowerLag[] = [];
    for (const [id, p] of [...this.followers].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const next = this.log.at(p.appliedLsn + 1);
      out.push({
        follower: id,
        flushedLsn: p.flushedLsn,
        appliedLsn: p.appliedLsn,
        lagEntries: this.log.length - p.appliedLsn,
        lagMs: next === undefined ? 0 : Math.max(0, now - next.leaderTimeMs),
        connected: now - p.lastHeardMs <= this.standbyTimeoutMs,
      });
    }
    return out;
  }

  /** The replica's current value of `key` (for tests and reports; clients use read requests). */
  peek(key: string): JsonValue | undefined {
    return this.state.get(key);
  }

  /** The records of this node's log (a copy). */
  records(): WalRecord[] {
    return this.log.slice(0);
  }

  /**
   * Manual failover: the operator promotes this follower to leader of `epoch` (which must exceed
   * every epoch used so far; default: this node's epoch + 1). Returns what the promotion knows about
   * writes it lacks, or `undefined` when refused (already leader, or epoch not newer). The operator
   * is responsible for choosing a replica that holds every acknowledged write (automatic failover
   * proves it before promoting).
   */
  promote(epoch?: number): PromotionReport | undefined {
    const newEpoch = epoch ?? this.epoch + 1;
    if (this.role === "leader" || newEpoch <= this.epoch) return undefined;
    return this.becomeLeader(newEpoch, undefined);
  }

  // ---------------------------------------------------------------- node contract

  /** Starts timers (heartbeats, failure detector, lease renewal). */
  onStart(): void {
    if (this.role === "leader") this.startHeartbeats();
    this.failover?.onStart({ fresh: this.fresh, initialLeader: this.ctx.id === this.initialLeader });
  }

  /** Handles one message. */
  onMessage(from: NodeId, message: Message): void {
    if (this.failover?.handleStoreMessage(from, message)) return;
    const m = message as ReplicaMessage;
    switch (m.type) {
      case "client-write":
        this.onClientWrite(from, m);
        return;
      case "client-read":
        this.onClientRead(from, m);
        return;
      case "wal-append":
        this.onAppend(from, m);
        return;
      case "wal-ack":
        this.onAck(from, m);
        return;
      case "wal-mismatch":
        this.onMismatch(from, m);
        return;
      case "epoch-reject":
        if (m.epoch > this.epoch) this.becomeFollower(m.epoch, m.leader);
        return;
      case "position-query": {
        const position = this.log.position();
        this.send(from, { type: "position-reply", epoch: this.epoch, ...position, leader: this.leaderId });
        return;
      }
      case "position-reply":
        this.failover?.onPositionReply(from, m);
        return;
      case "fence-request":
        this.failover?.onFenceRequest(from, m);
        return;
      case "fence-reply":
        this.failover?.onFenceReply(from, m);
        return;
      case "client-write-result":
      case "client-read-result":
        return;
      default:
        return;
    }
  }

  private send(to: NodeId, message: ReplicaMessage): void {
    this.ctx.send(to, message);
  }

  /** The narrow interface the failover logic drives this node through. */
  private host(): FailoverHost {
    return {
      ctx: this.ctx,
      replicas: this.replicas,
      role: () => this.role,
      epoch: () => this.epoch,
      leaderId: () => this.leaderId,
      position: () => this.log.position(),
      commitPoint: (): CommitPoint => {
        const lsn = Math.min(Math.max(this.commitLsn, this.ackedLsn), this.log.length);
        return { lsn, epoch: this.log.epochAt(lsn) };
      },
      lastLeaderContactMs: () => this.lastLeaderContactMs,
      touchLeaderContact: (atMs) => {
        this.lastLeaderContactMs = atMs;
      },
      adoptEpoch: (epoch, leader) => {
        invariant(epoch >= this.epoch, "epochs never go back");
        if (this.role === "leader") this.becomeFollower(epoch, leader);
        else {
          if (epoch > this.epoch || leader !== this.leaderId) this.matchedLsn = 0;
          this.epoch = epoch;
          this.setLeader(leader);
          this.persistMeta();
        }
      },
      promote: (epoch, evidence) => {
        this.becomeLeader(epoch, evidence);
      },
      stepDown: (epoch, holder) => this.becomeFollower(epoch, holder),
      setLeaseValidUntil: (atMs) => {
        this.leaseValidUntilMs = atMs;
      },
      send: (to, message) => this.send(to, message),
    };
  }

  private setLeader(leader: NodeId | undefined): void {
    this.leaderId = leader;
    if (leader !== undefined) this.lastKnownLeader = leader;
  }

  // ---------------------------------------------------------------- log helpers

  private applyUpTo(lsn: number): void {
    while (this.appliedLsn < lsn) {
      const r = this.log.at(this.appliedLsn + 1);
      invariant(r !== undefined, "apply within the log");
      if (r.value === null) this.state.delete(r.key);
      else this.state.set(r.key, r.value);
      this.appliedLsn++;
    }
  }

  private truncateAfter(lsn: number, winningEpoch: number): void {
    if (lsn >= this.log.length) return;
    const ackedBound = Math.max(this.ackedLsn, this.commitLsn);
    const reapply = Math.min(this.appliedLsn, lsn);
    const discarded = this.log.truncateAfter(lsn);
    const acknowledged = discarded.filter((r) => r.lsn <= ackedBound);
    const indeterminate = discarded.filter((r) => r.lsn > ackedBound);
    if (this.appliedLsn > lsn) {
      // Rewinds are rare: rebuild the state by replaying the kept prefix of the log.
      this.state = new Map();
      this.appliedLsn = 0;
      this.applyUpTo(reapply);
    }
    this.flushedLsn = Math.min(this.flushedLsn, lsn);
    this.commitLsn = Math.min(this.commitLsn, lsn);
    this.ackedLsn = Math.min(this.ackedLsn, lsn);
    this.matchedLsn = Math.min(this.matchedLsn, lsn);
    const report: LostWritesReport = {
      node: this.ctx.id,
      epoch: winningEpoch,
      truncatedAfterLsn: lsn,
      discarded,
      acknowledged,
      indeterminate,
      atMs: this.ctx.now(),
    };
    this.lostWrites.push(report);
    this.ctx.log(
      `rewound to lsn ${lsn}: discarded ${discarded.length} record(s): ${acknowledged.length} acknowledged write(s) lost, ` +
        `${indeterminate.length} never acknowledged (their clients saw a timeout or "unknown")`,
      {
        acknowledged: acknowledged.map((r) => r.writeId),
        indeterminate: indeterminate.map((r) => r.writeId),
      },
    );
    this.persistMeta();
  }

  private persistMeta(): void {
    this.log.persist();
    const meta: Meta = {
      epoch: this.epoch,
      role: this.role,
      leader: this.leaderId,
      ackedLsn: this.ackedLsn,
      knownCommitLsn: this.commitLsn,
    };
    this.ctx.storage.set("meta", meta);
    this.ctx.storage.sync();
  }

  // ---------------------------------------------------------------- roles

  private initLeaderState(excluded: NodeId | undefined): void {
    this.followers.clear();
    const now = this.ctx.now();
    for (const id of this.replicas) {
      if (id === this.ctx.id) continue;
      this.followers.set(id, {
        counted: id !== excluded,
        flushedLsn: 0,
        appliedLsn: 0,
        nextLsn: this.log.length + 1,
        lastHeardMs: now,
        lastProgressLsn: -1,
        barrierSeq: 0,
      });
    }
  }

  /** Where this node's log may lack positions that `points` say were acknowledged. */
  private missingRange(points: readonly CommitPoint[]): { fromLsn: number; toLsn: number } | undefined {
    let fromLsn = Number.POSITIVE_INFINITY;
    let toLsn = 0;
    for (const p of points) {
      if (p.lsn === 0) continue;
      const have = p.lsn <= this.log.length && (p.epoch < 0 || this.log.epochAt(p.lsn) === p.epoch);
      if (have) continue;
      const agreed =
        p.epoch < 0 ? this.log.length : Math.min(this.log.length, this.log.endOfEpoch(p.epoch), p.lsn - 1);
      fromLsn = Math.min(fromLsn, agreed + 1);
      toLsn = Math.max(toLsn, p.lsn);
    }
    return toLsn === 0 ? undefined : { fromLsn, toLsn };
  }

  private becomeLeader(epoch: number, evidence: PromotionEvidence | undefined): PromotionReport {
    const previousLeader = this.lastKnownLeader;
    this.failWaitingReads();
    this.role = "leader";
    this.epoch = epoch;
    this.setLeader(this.ctx.id);
    this.degraded = false;
    this.applyUpTo(this.log.length);
    this.readableFromLsn = this.log.length;
    this.initLeaderState(previousLeader === this.ctx.id ? undefined : previousLeader);
    // What the previous leader announced to this node (lsn only: the announcing log matched this
    // one up to what was shipped), and the commit points the fenced replicas reported.
    const points: CommitPoint[] = [
      { lsn: this.previousCommitSeen, epoch: -1 },
      ...(evidence?.commitPoints ?? []),
    ];
    const knownCommitLsn = points.reduce((n, p) => Math.max(n, p.lsn), 0);
    const report: PromotionReport = {
      node: this.ctx.id,
      epoch,
      previousLeader,
      lastLsn: this.log.length,
      previousCommitLsnSeen: this.previousCommitSeen,
      previousLastLsnSeen: this.previousLastSeen,
      missingAcknowledged: this.missingRange(points),
      knownCommitLsn,
      fencing:
        evidence === undefined
          ? undefined
          : { heard: evidence.heard, needed: evidence.needed, lossless: evidence.lossless },
      atMs: this.ctx.now(),
    };
    this.promotions.push(report);
    const missing = report.missingAcknowledged;
    this.ctx.log(
      `promoted to leader of epoch ${epoch} at lsn ${this.log.length}` +
        (missing === undefined
          ? ""
          : `; acknowledged positions ${missing.fromLsn}..${missing.toLsn} may be missing (lost)`),
      report,
    );
    this.persistMeta();
    this.startHeartbeats();
    this.advanceCommit();
    return report;
  }

  private becomeFollower(epoch: number, leader: NodeId | undefined): void {
    invariant(epoch >= this.epoch, "epochs never go back");
    const wasLeader = this.role === "leader";
    if (epoch > this.epoch || leader !== this.leaderId || wasLeader) this.matchedLsn = 0;
    this.epoch = epoch;
    this.setLeader(leader);
    this.role = "follower";
    this.lastLeaderContactMs = this.ctx.now();
    if (wasLeader) {
      this.ctx.log(`deposed: epoch ${epoch} leader is ${leader ?? "unknown"}`);
      for (let i = this.pendingWritesHead; i < this.pendingWrites.length; i++) {
        const w = this.pendingWrites[i]!;
        this.reply(w.from, w.requestId, { outcome: "unknown", reason: `leader deposed by epoch ${epoch}` });
      }
      this.pendingWrites = [];
      this.pendingWritesHead = 0;
      for (const r of this.pendingReads)
        this.replyRead(r.from, r.requestId, { outcome: "not-leader", leader });
      this.pendingReads.length = 0;
      if (this.heartbeatTimer !== undefined) this.ctx.cancelTimer(this.heartbeatTimer);
      this.heartbeatTimer = undefined;
      if (this.fallbackTimer !== undefined) this.ctx.cancelTimer(this.fallbackTimer);
      this.fallbackTimer = undefined;
      this.followers.clear();
      this.leaseValidUntilMs = Number.NEGATIVE_INFINITY;
      // Ask the new leader where our logs diverge; it catches this node up or makes it rewind.
      if (leader !== undefined) {
        this.send(leader, {
          type: "wal-mismatch",
          epoch,
          hintLsn: this.log.length,
          hintEpoch: this.log.epochAt(this.log.length),
        });
      }
    }
    this.persistMeta();
  }

  // ---------------------------------------------------------------- leader

  private leaseOk(): boolean {
    return this.failover === undefined || this.ctx.now() < this.leaseValidUntilMs;
  }

  private followerIds(): NodeId[] {
    const ids: NodeId[] = [];
    for (const [id, p] of this.followers) if (p.counted) ids.push(id);
    return ids;
  }

  private connected = (id: NodeId): boolean => {
    const p = this.followers.get(id);
    return p !== undefined && this.ctx.now() - p.lastHeardMs <= this.standbyTimeoutMs;
  };

  private onClientWrite(from: NodeId, m: Extract<ReplicaMessage, { type: "client-write" }>): void {
    if (this.role !== "leader" || !this.leaseOk()) {
      this.reply(from, m.requestId, {
        outcome: "not-leader",
        leader: this.role === "leader" ? undefined : this.leaderId,
      });
      return;
    }
    if (this.pendingWrites.length - this.pendingWritesHead >= this.maxPending) {
      this.reply(from, m.requestId, {
        outcome: "rejected",
        reason: `overloaded: ${this.maxPending} writes already wait for commit`,
      });
      return;
    }
    if (this.log.full) {
      this.reply(from, m.requestId, {
        outcome: "rejected",
        reason: `the log is full (maxLogRecords ${this.maxLogRecords}); the log is not compacted`,
      });
      return;
    }
    const mode = m.commit ?? this.mode;
    if (m.commit !== undefined) {
      try {
        validateCommitMode(m.commit, this.followerIds());
      } catch (error) {
        if (!(error instanceof ReplicationError)) throw error;
        this.reply(from, m.requestId, { outcome: "rejected", reason: error.message });
        return;
      }
    }
    const record: WalRecord = {
      lsn: this.log.length + 1,
      epoch: this.epoch,
      key: m.key,
      value: m.value,
      writeId: m.writeId,
      leaderTimeMs: this.ctx.now(),
    };
    this.log.append(record);
    this.flushedLsn = record.lsn;
    this.pendingWrites.push({ lsn: record.lsn, from, requestId: m.requestId, mode, startMs: this.ctx.now() });
    this.scheduleFlush();
  }

  /** Group commit: every write of this instant is synced and shipped together. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.ctx.setTimer(
      0,
      () => {
        this.flushScheduled = false;
        if (this.role !== "leader") return;
        this.persistMeta();
        for (const id of this.followers.keys()) this.sendAppend(id, false);
        this.advanceCommit();
      },
      "group-commit",
    );
  }

  private sendAppend(id: NodeId, heartbeat: boolean): void {
    const p = this.followers.get(id);
    invariant(p !== undefined, "append to a known follower");
    const prevLsn = p.nextLsn - 1;
    const end = Math.min(this.log.length, prevLsn + this.maxBatchRecords);
    if (!heartbeat && end <= prevLsn) return;
    const records = end > prevLsn ? this.log.slice(prevLsn, end) : [];
    this.send(id, {
      type: "wal-append",
      epoch: this.epoch,
      prevLsn,
      prevEpoch: this.log.epochAt(prevLsn),
      records,
      commitLsn: this.commitLsn,
      leaderLastLsn: this.log.length,
      barrierSeq: this.barrierSeq,
    });
    p.nextLsn = end + 1;
  }

  private startHeartbeats(): void {
    if (this.heartbeatTimer !== undefined) this.ctx.cancelTimer(this.heartbeatTimer);
    const beat = (): void => {
      this.heartbeatTimer = undefined;
      if (this.role !== "leader") return;
      if (!this.leaseOk()) {
        // Without a lease this node must not look alive to followers: their failure detectors
        // have to fire so one of them can take the lease (Patroni demotes such a leader).
        this.heartbeatTimer = this.ctx.setTimer(this.heartbeatIntervalMs, beat, "heartbeat");
        return;
      }
      for (const [id, p] of this.followers) {
        const acked = p.flushedLsn;
        // No progress since the last beat: resend from what the follower acknowledged.
        if (p.nextLsn - 1 > acked && p.lastProgressLsn === acked) p.nextLsn = acked + 1;
        p.lastProgressLsn = acked;
        this.sendAppend(id, true);
      }
      this.checkFallback();
      this.expireBarrierReads();
      this.heartbeatTimer = this.ctx.setTimer(this.heartbeatIntervalMs, beat, "heartbeat");
    };
    this.heartbeatTimer = this.ctx.setTimer(0, beat, "heartbeat");
  }

  /**
   * The leader's progress record for `from`, after the epoch rules every follower reply obeys: a
   * newer epoch deposes this node, a stale one (or a non-leader) ignores the reply. A replica heard
   * from for the first time gets a record starting at `initialNextLsn`. Returns `undefined` when the
   * reply is to be ignored; otherwise marks the follower as heard from now.
   */
  private progressOnReply(from: NodeId, epoch: number, initialNextLsn: number): FollowerProgress | undefined {
    if (epoch > this.epoch) {
      this.becomeFollower(epoch, undefined);
      return undefined;
    }
    if (this.role !== "leader" || epoch < this.epoch) return undefined;
    let p = this.followers.get(from);
    if (p === undefined) {
      if (!this.replicas.includes(from)) return undefined;
      p = {
        counted: false,
        flushedLsn: 0,
        appliedLsn: 0,
        nextLsn: initialNextLsn,
        lastHeardMs: 0,
        lastProgressLsn: -1,
        barrierSeq: 0,
      };
      this.followers.set(from, p);
    }
    p.lastHeardMs = this.ctx.now();
    return p;
  }

  private onAck(from: NodeId, m: Extract<ReplicaMessage, { type: "wal-ack" }>): void {
    const p = this.progressOnReply(from, m.epoch, m.flushedLsn + 1);
    if (p === undefined) return;
    p.flushedLsn = Math.max(p.flushedLsn, m.flushedLsn);
    p.appliedLsn = Math.max(p.appliedLsn, m.appliedLsn);
    if (!p.counted && p.flushedLsn >= this.commitLsn) {
      // A deposed leader (or a node that was away) rejoined this epoch and caught up: it counts again.
      p.counted = true;
      this.ctx.log(`${from} rejoined as follower at lsn ${p.flushedLsn}`);
    }
    p.barrierSeq = Math.max(p.barrierSeq, m.barrierSeq);
    if (p.nextLsn <= p.flushedLsn) p.nextLsn = p.flushedLsn + 1;
    if (p.nextLsn <= this.log.length) this.sendAppend(from, false);
    this.advanceCommit();
    this.serveBarrierReads();
  }

  private onMismatch(from: NodeId, m: Extract<ReplicaMessage, { type: "wal-mismatch" }>): void {
    const p = this.progressOnReply(from, m.epoch, 1);
    if (p === undefined) return;
    const match = Math.min(m.hintLsn, this.log.endOfEpoch(m.hintEpoch), this.log.length);
    p.nextLsn = match + 1;
    p.flushedLsn = Math.min(p.flushedLsn, match);
    p.appliedLsn = Math.min(p.appliedLsn, match);
    this.sendAppend(from, true);
  }

  private positionOf(p: FollowerProgress): number {
    return this.ackOnApply ? p.appliedLsn : p.flushedLsn;
  }

  private satisfied(mode: CommitMode, lsn: number): boolean {
    return commitSatisfied(mode, this.followerIds(), this.connected, (id) => {
      const p = this.followers.get(id);
      return p !== undefined && this.positionOf(p) >= lsn;
    });
  }

  private advanceCommit(): void {
    if (this.role !== "leader") return;
    const last = this.log.length;
    if (this.degraded && this.satisfied(this.mode, last)) {
      this.degraded = false;
      this.ctx.log(`commit mode ${this.mode.kind} restored: followers caught up`);
    }
    const before = this.commitLsn;
    const firstAck = this.pendingWritesHead;
    while (this.commitLsn < last) {
      const next = this.commitLsn + 1;
      const head = this.pendingWrites[this.pendingWritesHead];
      const mode = head !== undefined && head.lsn === next ? head.mode : this.mode;
      if (!this.degraded && !this.satisfied(mode, next)) break;
      this.commitLsn = next;
      if (head !== undefined && head.lsn === next) this.pendingWritesHead++;
    }
    if (this.commitLsn > before) {
      this.applyUpTo(this.commitLsn);
      // The acknowledgement position is durable before any client hears "ok", so a later rewind
      // can always say exactly which acknowledged writes it discards.
      this.ackedLsn = Math.max(this.ackedLsn, this.commitLsn);
      this.persistMeta();
      for (let i = firstAck; i < this.pendingWritesHead; i++) {
        const w = this.pendingWrites[i]!;
        this.reply(w.from, w.requestId, {
          outcome: "ok",
          lsn: w.lsn,
          epoch: this.epoch,
          degraded: this.degraded,
        });
      }
    }
    if (this.pendingWritesHead > 1024 && this.pendingWritesHead * 2 > this.pendingWrites.length) {
      this.pendingWrites = this.pendingWrites.slice(this.pendingWritesHead);
      this.pendingWritesHead = 0;
    }
    this.armFallback();
  }

  private armFallback(): void {
    if (this.fallbackTimeoutMs === undefined || this.degraded || this.fallbackTimer !== undefined) return;
    const head = this.pendingWrites[this.pendingWritesHead];
    if (head === undefined) return;
    const waitMs = Math.max(0, head.startMs + this.fallbackTimeoutMs - this.ctx.now());
    this.fallbackTimer = this.ctx.setTimer(
      waitMs,
      () => {
        this.fallbackTimer = undefined;
        this.checkFallback();
        this.armFallback();
      },
      "semi-sync-timeout",
    );
  }

  private checkFallback(): void {
    if (this.role !== "leader" || this.fallbackTimeoutMs === undefined || this.degraded) return;
    const head = this.pendingWrites[this.pendingWritesHead];
    if (head === undefined || this.ctx.now() - head.startMs < this.fallbackTimeoutMs) return;
    this.degraded = true;
    this.fallbackCount++;
    this.ctx.log(
      `commit mode ${this.mode.kind} fell back to async after ${this.fallbackTimeoutMs} ms without enough acknowledgements`,
      { lsn: head.lsn },
    );
    this.advanceCommit();
  }

  private reply(to: NodeId, requestId: number, result: WriteResult): void {
    this.send(to, { type: "client-write-result", requestId, result });
  }

  private replyRead(to: NodeId, requestId: number, result: ReadResult): void {
    this.send(to, { type: "client-read-result", requestId, result });
  }

  private readNow(key: string): ReadResult {
    return {
      outcome: "ok",
      value: this.state.get(key) ?? null,
      appliedLsn: this.appliedLsn,
      epoch: this.epoch,
      servedBy: this.ctx.id,
      role: this.role,
    };
  }

  // ---------------------------------------------------------------- reads

  private onClientRead(from: NodeId, m: Extract<ReplicaMessage, { type: "client-read" }>): void {
    if (this.role === "leader") {
      if (!this.leaseOk()) {
        this.replyRead(from, m.requestId, { outcome: "not-leader", leader: undefined });
        return;
      }
      // With a lease, or under async commit, the leader answers from its state at once. Otherwise
      // it first confirms it still leads: followers counted by the commit mode echo a new barrier
      // (Raft's ReadIndex); a deposed leader cannot collect them, so it never answers stale.
      // A new leader's state includes the log it inherited; it answers only once that log is
      // committed in its own epoch (Raft's no-op rule), or a read could see a write that is lost.
      if (
        this.commitLsn < this.readableFromLsn &&
        (this.failover !== undefined || this.mode.kind === "async")
      ) {
        this.replyRead(from, m.requestId, { outcome: "timeout", appliedLsn: this.appliedLsn });
        return;
      }
      if (this.failover !== undefined || this.mode.kind === "async") {
        this.replyRead(from, m.requestId, this.readNow(m.key));
        return;
      }
      if (this.pendingReads.length >= this.maxPending) {
        this.replyRead(from, m.requestId, { outcome: "timeout", appliedLsn: this.appliedLsn });
        return;
      }
      this.barrierSeq++;
      this.pendingReads.push({
        from,
        requestId: m.requestId,
        key: m.key,
        minLsn: Math.max(this.commitLsn, this.readableFromLsn),
        barrierSeq: this.barrierSeq,
        deadlineMs: this.ctx.now() + Math.max(m.waitTimeoutMs, this.heartbeatIntervalMs),
        timer: undefined,
      });
      for (const id of this.followers.keys()) this.sendAppend(id, true);
      return;
    }
    if (m.leaderOnly) {
      this.replyRead(from, m.requestId, { outcome: "not-leader", leader: this.leaderId });
      return;
    }
    if (this.appliedLsn >= m.minLsn) {
      this.replyRead(from, m.requestId, this.readNow(m.key));
      return;
    }
    if (m.waitTimeoutMs <= 0 || this.waitingReads.length >= this.maxPending) {
      this.replyRead(from, m.requestId, { outcome: "timeout", appliedLsn: this.appliedLsn });
      return;
    }
    const pending: PendingRead = {
      from,
      requestId: m.requestId,
      key: m.key,
      minLsn: m.minLsn,
      barrierSeq: 0,
      deadlineMs: this.ctx.now() + m.waitTimeoutMs,
      timer: undefined,
    };
    pending.timer = this.ctx.setTimer(
      m.waitTimeoutMs,
      () => {
        const i = this.waitingReads.indexOf(pending);
        if (i < 0) return;
        this.waitingReads.splice(i, 1);
        this.replyRead(from, m.requestId, { outcome: "timeout", appliedLsn: this.appliedLsn });
      },
      "read-wait",
    );
    this.waitingReads.push(pending);
  }

  private serveBarrierReads(): void {
    if (this.pendingReads.length === 0) return;
    let served = 0;
    for (const r of this.pendingReads) {
      const ok = commitSatisfied(this.mode, this.followerIds(), this.connected, (id) => {
        const p = this.followers.get(id);
        return p !== undefined && p.barrierSeq >= r.barrierSeq;
      });
      if (!ok || this.commitLsn < r.minLsn) break;
      this.replyRead(r.from, r.requestId, this.readNow(r.key));
      served++;
    }
    this.pendingReads.splice(0, served);
  }

  /** A leader that cannot confirm its leadership answers `timeout` rather than hold reads forever. */
  private expireBarrierReads(): void {
    const now = this.ctx.now();
    let expired = 0;
    while (expired < this.pendingReads.length && this.pendingReads[expired]!.deadlineMs <= now) {
      const r = this.pendingReads[expired]!;
      this.replyRead(r.from, r.requestId, { outcome: "timeout", appliedLsn: this.appliedLsn });
      expired++;
    }
    if (expired > 0) this.pendingReads.splice(0, expired);
  }

  private serveWaitingReads(): void {
    if (this.waitingReads.length === 0) return;
    for (let i = 0; i < this.waitingReads.length; ) {
      const r = this.waitingReads[i]!;
      if (this.appliedLsn >= r.minLsn) {
        if (r.timer !== undefined) this.ctx.cancelTimer(r.timer);
        this.waitingReads.splice(i, 1);
        this.replyRead(r.from, r.requestId, this.readNow(r.key));
      } else i++;
    }
  }

  private failWaitingReads(): void {
    for (const r of this.waitingReads) {
      if (r.timer !== undefined) this.ctx.cancelTimer(r.timer);
      this.replyRead(r.from, r.requestId, { outcome: "timeout", appliedLsn: this.appliedLsn });
    }
    this.waitingReads.length = 0;
  }

  // ---------------------------------------------------------------- follower

  private onAppend(from: NodeId, m: Extract<ReplicaMessage, { type: "wal-append" }>): void {
    if (m.epoch < this.epoch) {
      this.send(from, { type: "epoch-reject", epoch: this.epoch, leader: this.leaderId });
      return;
    }
    if (m.epoch === this.epoch && this.role === "leader") {
      // Only an operator promoting two nodes into the same epoch can cause this.
      this.ctx.log(`epoch collision: ${from} also claims epoch ${m.epoch}; promote with a fresh epoch`);
      return;
    }
    if (m.epoch > this.epoch || this.role === "leader" || this.leaderId !== from) {
      if (this.leaderId !== from) {
        this.previousCommitSeen = 0;
        this.previousLastSeen = 0;
      }
      this.becomeFollower(m.epoch, from);
    }
    this.failover?.onLeaderContact();
    this.lastLeaderContactMs = this.ctx.now();
    this.previousCommitSeen = Math.max(this.previousCommitSeen, m.commitLsn);
    this.previousLastSeen = Math.max(this.previousLastSeen, m.leaderLastLsn);
    if (m.prevLsn > this.log.length || (m.prevLsn > 0 && this.log.epochAt(m.prevLsn) !== m.prevEpoch)) {
      const hintLsn = Math.min(this.log.length, m.prevLsn - 1);
      this.send(from, {
        type: "wal-mismatch",
        epoch: this.epoch,
        hintLsn,
        hintEpoch: this.log.epochAt(hintLsn),
      });
      return;
    }
    let changed = false;
    for (const r of m.records) {
      if (r.lsn <= this.log.length) {
        if (this.log.epochAt(r.lsn) === r.epoch) continue;
        this.truncateAfter(r.lsn - 1, m.epoch);
      }
      this.log.append(r);
      changed = true;
    }
    // Records beyond the leader's log from older epochs can never be in it: rewind them.
    const end = Math.max(m.prevLsn + m.records.length, m.leaderLastLsn);
    if (this.log.length > end && this.log.epochAt(end + 1) < m.epoch) this.truncateAfter(end, m.epoch);
    const matched = m.prevLsn + m.records.length;
    this.matchedLsn = Math.max(this.matchedLsn, matched);
    this.commitLsn = Math.max(this.commitLsn, Math.min(m.commitLsn, matched));
    if (changed) {
      this.flushedLsn = this.log.length;
      this.persistMeta();
    } else if (this.flushedLsn > this.log.length) this.flushedLsn = this.log.length;
    if (this.applyDelayMs === 0) {
      this.applyUpTo(this.flushedLsn);
      this.serveWaitingReads();
    } else if (changed) {
      const target = this.flushedLsn;
      this.ctx.setTimer(
        this.applyDelayMs,
        () => {
          if (this.role !== "follower") return;
          this.applyUpTo(Math.min(target, this.log.length));
          this.serveWaitingReads();
          this.sendAck(m.barrierSeq);
        },
        "apply",
      );
    }
    this.sendAck(m.barrierSeq);
  }

  private sendAck(barrierSeq: number): void {
    if (this.leaderId === undefined || this.role !== "follower") return;
    this.send(this.leaderId, {
      type: "wal-ack",
      epoch: this.epoch,
      // Only positions known to match the leader's log count: records beyond them may be of an
      // older epoch, not yet compared with the leader's.
      flushedLsn: Math.min(this.flushedLsn, this.matchedLsn),
      appliedLsn: Math.min(this.appliedLsn, this.matchedLsn),
      barrierSeq,
    });
  }
}
