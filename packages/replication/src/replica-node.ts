/**
 * A single-leader replica: the leader appends writes to its write-ahead log and ships it; followers
 * apply it in order, acknowledge flushed and applied positions, serve (possibly stale) reads, and can
 * be promoted by an operator or, with a lease store, automatically.
 * @module
 */
import type { Message, NodeContext, NodeId, SimNode, TimerId } from "@distkit/sim-net";
import { type CommitMode, commitSatisfied, validateCommitMode } from "./commit-mode.js";
import { invariant, ReplicationError } from "./errors.js";
import type { JsonValue } from "./json-value.js";
import type { LeaseOutcome, LeaseStore, LeaseStoreFactory } from "./lease-store.js";
import type { ReadResult, ReplicaMessage, WriteResult } from "./replica-message.js";
import type { LostWritesReport, PromotionReport, WalRecord } from "./wal-record.js";

/**
 * Automatic failover: a failure detector on followers plus a leader lease in a store.
 *
 * @example
 * ```ts
 * import { leaseServerStore, type AutomaticFailoverConfig } from "@distkit/replication";
 * const failover: AutomaticFailoverConfig = { leaseStore: leaseServerStore("lease"), leaseTtlMs: 3000 };
 * ```
 */
export interface AutomaticFailoverConfig {
  /** Builds the lease store client of each replica. */
  readonly leaseStore: LeaseStoreFactory;
  /** Lease time to live on the store's clock. Default 3000. */
  readonly leaseTtlMs?: number;
  /** How often the leader renews. Default a third of the TTL. */
  readonly renewIntervalMs?: number;
  /** The leader stops serving this long before its lease would end on its own clock. Default 10% of the TTL. */
  readonly safetyMarginMs?: number;
  /** A follower suspects the leader after this long without hearing from it. Default the TTL. */
  readonly failureTimeoutMs?: number;
  /** How long a suspecting follower collects peers' log positions before trying to take the lease. Default 100. */
  readonly candidateWaitMs?: number;
}

/**
 * Configuration shared by every replica of one single-leader store.
 *
 * @example
 * ```ts
 * import type { ReplicaConfig } from "@distkit/replication";
 * const config: ReplicaConfig = { replicas: ["n1", "n2", "n3"], initialLeader: "n1", commit: { kind: "any", k: 1 } };
 * ```
 */
export interface ReplicaConfig {
  /** Every replica (leader and followers). */
  readonly replicas: readonly NodeId[];
  /** The leader of epoch 1. */
  readonly initialLeader: NodeId;
  /** Default commit mode of writes. Default async. */
  readonly commit?: CommitMode;
  /** After this long without enough acknowledgements, commit asynchronously and report it (MySQL semi-sync). */
  readonly fallbackTimeoutMs?: number;
  /** Which follower position counts for commit: flushed to disk or applied to the state. Default "flush". */
  readonly ackOn?: "flush" | "apply";
  /** Leader heartbeat (and retransmission) interval. Default 50. */
  readonly heartbeatIntervalMs?: number;
  /** A follower not heard from for this long is disconnected (FIRST k skips it). Default 5 heartbeats. */
  readonly standbyTimeoutMs?: number;
  /** Most records per append message. Default 4096. */
  readonly maxBatchRecords?: number;
  /** Followers apply a record this long after flushing it (a delayed replica). Default 0. */
  readonly applyDelayMs?: number;
  /** Bound on writes waiting for commit and reads waiting for a position. Default 100000. */
  readonly maxPendingRequests?: number;
  /** Bound on the log length. Default 10 million records. */
  readonly maxLogRecords?: number;
  /** Automatic failover; absent means failover is manual ({@link ReplicaNode.promote}). */
  readonly failover?: AutomaticFailoverConfig;
}

/**
 * Replication progress of one follower as its leader sees it.
 *
 * @example
 * ```ts
 * import type { FollowerLag } from "@distkit/replication";
 * const line = (l: FollowerLag) => `${l.follower}: ${l.lagEntries} entries, ${l.lagMs} ms behind`;
 * ```
 */
export interface FollowerLag {
  readonly follower: NodeId;
  readonly flushedLsn: number;
  readonly appliedLsn: number;
  /** Records the follower has not applied yet. */
  readonly lagEntries: number;
  /** Age (leader clock) of the oldest record the follower has not applied; 0 when caught up. */
  readonly lagMs: number;
  /** Whether the leader heard from it within the standby timeout. */
  readonly connected: boolean;
}

/**
 * A snapshot of a replica's state for reports and tests.
 *
 * @example
 * ```ts
 * import type { ReplicaStatus } from "@distkit/replication";
 * const leads = (s: ReplicaStatus) => s.role === "leader" && s.writable;
 * ```
 */
export interface ReplicaStatus {
  readonly id: NodeId;
  readonly role: "leader" | "follower";
  readonly epoch: number;
  readonly leader: NodeId | undefined;
  readonly lastLsn: number;
  readonly commitLsn: number;
  readonly appliedLsn: number;
  /** Leader only: whether it currently accepts writes (false without a valid lease). */
  readonly writable: boolean;
  /** Leader only: the commit mode fell back to async (fallback timeout) and has not recovered. */
  readonly degraded: boolean;
  /** Times the commit mode fell back to async. */
  readonly fallbacks: number;
}

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

/** The WAL is stored in segments (one per group commit or append message): `wal/<first lsn>`. */
const WAL_PREFIX = "wal/";
const walKey = (lsn: number): string => WAL_PREFIX + String(lsn).padStart(12, "0");

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new ReplicationError(
      "invalid-config",
      `${name} must be a finite number ${allowZero ? ">=" : ">"} 0, got ${value}`,
    );
  }
  return value;
}

/**
 * Checks a {@link ReplicaConfig}; throws {@link ReplicationError} when it is malformed (empty or
 * duplicate replicas, unknown leader, k larger than the followers, fallback with async, ...).
 *
 * @example
 * ```ts
 * import { validateReplicaConfig } from "@distkit/replication";
 * validateReplicaConfig({ replicas: ["a", "b"], initialLeader: "a", commit: { kind: "sync" } });
 * ```
 */
export function validateReplicaConfig(config: ReplicaConfig): void {
  const { replicas, initialLeader } = config;
  if (replicas.length === 0)
    throw new ReplicationError("invalid-config", "replicas must name at least one node");
  if (new Set(replicas).size !== replicas.length) {
    throw new ReplicationError("invalid-config", `replicas has duplicates: [${replicas.join(", ")}]`);
  }
  if (!replicas.includes(initialLeader)) {
    throw new ReplicationError(
      "invalid-config",
      `initialLeader "${initialLeader}" is not one of the replicas [${replicas.join(", ")}]`,
    );
  }
  const followers = replicas.filter((r) => r !== initialLeader);
  const mode = config.commit ?? { kind: "async" };
  validateCommitMode(mode, followers);
  if (config.fallbackTimeoutMs !== undefined && mode.kind === "async") {
    throw new ReplicationError(
      "conflicting-options",
      "fallbackTimeoutMs only applies to sync, first and any commit modes; the commit mode is async",
    );
  }
  positive("fallbackTimeoutMs", config.fallbackTimeoutMs, 1);
  positive("heartbeatIntervalMs", config.heartbeatIntervalMs, 1);
  positive("standbyTimeoutMs", config.standbyTimeoutMs, 1);
  positive("maxBatchRecords", config.maxBatchRecords, 1);
  positive("applyDelayMs", config.applyDelayMs, 0, true);
  positive("maxPendingRequests", config.maxPendingRequests, 1);
  positive("maxLogRecords", config.maxLogRecords, 1);
  if (config.ackOn !== undefined && config.ackOn !== "flush" && config.ackOn !== "apply") {
    throw new ReplicationError(
      "invalid-config",
      `ackOn must be "flush" or "apply", got ${String(config.ackOn)}`,
    );
  }
  const f = config.failover;
  if (f !== undefined) {
    const ttl = positive("leaseTtlMs", f.leaseTtlMs, 3000);
    const renew = positive("renewIntervalMs", f.renewIntervalMs, ttl / 3);
    const margin = positive("safetyMarginMs", f.safetyMarginMs, ttl / 10, true);
    positive("failureTimeoutMs", f.failureTimeoutMs, ttl);
    positive("candidateWaitMs", f.candidateWaitMs, 100);
    if (renew + margin >= ttl) {
      throw new ReplicationError(
        "conflicting-options",
        `renewIntervalMs (${renew}) + safetyMarginMs (${margin}) must be below leaseTtlMs (${ttl}), or the leader loses its lease between renewals`,
      );
    }
  }
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
  private readonly lease: LeaseStore | undefined;
  private readonly leaseTtlMs: number;
  private readonly renewIntervalMs: number;
  private readonly safetyMarginMs: number;
  private readonly failureTimeoutMs: number;
  private readonly candidateWaitMs: number;

  private role: "leader" | "follower";
  private epoch: number;
  private leaderId: NodeId | undefined;
  private readonly log: WalRecord[] = [];
  /** Stored WAL segments in log order, and records appended but not yet in a segment. */
  private readonly segments: { firstLsn: number; count: number }[] = [];
  private unpersisted: WalRecord[] = [];
  private state = new Map<string, JsonValue>();
  private flushedLsn = 0;
  private appliedLsn = 0;
  /** Follower: highest commit position known to cover this node's log. Leader: its commit position. */
  private commitLsn = 0;
  /** Highest position this node acknowledged to a client while leader. */
  private ackedLsn = 0;
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

  // Follower state.
  private readonly waitingReads: PendingRead[] = [];
  private readonly fresh: boolean;
  private readonly initialLeader: NodeId;
  private candidacy: { readonly positions: Map<NodeId, { lastLsn: number; lastEpoch: number }> } | undefined;

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
    const f = config.failover;
    this.leaseTtlMs = f?.leaseTtlMs ?? 3000;
    this.renewIntervalMs = f?.renewIntervalMs ?? this.leaseTtlMs / 3;
    this.safetyMarginMs = f?.safetyMarginMs ?? this.leaseTtlMs / 10;
    this.failureTimeoutMs = f?.failureTimeoutMs ?? this.leaseTtlMs;
    this.candidateWaitMs = f?.candidateWaitMs ?? 100;
    this.lease = f === undefined ? undefined : f.leaseStore(ctx);
    this.lastLeaderContactMs = ctx.now();
    this.initialLeader = config.initialLeader;

    const meta = ctx.storage.get<Meta>("meta");
    if (meta === undefined) {
      this.epoch = 1;
      this.role = ctx.id === config.initialLeader && f === undefined ? "leader" : "follower";
      this.leaderId = f === undefined ? config.initialLeader : undefined;
      if (f !== undefined) this.epoch = 0;
    } else {
      this.epoch = meta.epoch;
      this.role = meta.role;
      this.leaderId = meta.leader;
      this.ackedLsn = meta.ackedLsn;
      this.commitLsn = meta.knownCommitLsn;
      for (const key of ctx.storage.keys(WAL_PREFIX)) {
        const segment = ctx.storage.get<readonly WalRecord[]>(key);
        invariant(segment !== undefined && segment.length > 0, "stored WAL segments are not empty");
        this.segments.push({ firstLsn: this.log.length + 1, count: segment.length });
        for (const record of segment) {
          invariant(record.lsn === this.log.length + 1, "stored WAL has no gaps");
          this.log.push(record);
        }
      }
      this.flushedLsn = this.log.length;
      this.applyUpTo(this.role === "leader" ? Math.min(this.commitLsn, this.log.length) : this.log.length);
    }
    this.fresh = meta === undefined;
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
    };
  }

  /** Leader only: the replication lag of each follower (empty on a follower). */
  lag(): FollowerLag[] {
    if (this.role !== "leader") return [];
    const now = this.ctx.now();
    const out: FollowerLag[] = [];
    for (const [id, p] of [...this.followers].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const next = this.log[p.appliedLsn];
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
    return this.log.slice();
  }

  /**
   * Manual failover: the operator promotes this follower to leader of `epoch` (which must exceed
   * every epoch used so far; default: this node's epoch + 1). Returns what the promotion knows about
   * writes it lacks, or `undefined` when refused (already leader, or epoch not newer).
   */
  promote(epoch?: number): PromotionReport | undefined {
    const newEpoch = epoch ?? this.epoch + 1;
    if (this.role === "leader" || newEpoch <= this.epoch) return undefined;
    return this.becomeLeader(newEpoch);
  }

  // ---------------------------------------------------------------- node contract

  /** Starts timers (heartbeats, failure detector, lease renewal). */
  onStart(): void {
    if (this.role === "leader") {
      this.startHeartbeats();
      if (this.lease !== undefined) this.renewLease();
    }
    if (this.lease !== undefined) {
      this.scheduleFailureCheck();
      if (this.fresh && this.ctx.id === this.initialLeader) {
        const positions = new Map<NodeId, { lastLsn: number; lastEpoch: number }>();
        this.candidacy = { positions };
        this.tryTakeLease(positions);
      }
    }
  }

  /** Handles one message. */
  onMessage(from: NodeId, message: Message): void {
    if (this.lease?.handle(from, message)) return;
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
      case "position-query":
        this.send(from, {
          type: "position-reply",
          epoch: this.epoch,
          lastLsn: this.log.length,
          lastEpoch: this.epochAt(this.log.length),
          leader: this.leaderId,
        });
        return;
      case "position-reply":
        this.candidacy?.positions.set(from, { lastLsn: m.lastLsn, lastEpoch: m.lastEpoch });
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

  // ---------------------------------------------------------------- log helpers

  private epochAt(lsn: number): number {
    if (lsn === 0) return 0;
    const r = this.log[lsn - 1];
    invariant(r !== undefined, `epochAt(${lsn}) within the log of length ${this.log.length}`);
    return r.epoch;
  }

  /** Last position of this node's log written in an epoch <= `epoch` (Kafka's OffsetForLeaderEpoch). */
  private endOfEpoch(epoch: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.epochAt(mid) <= epoch) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private appendLocal(record: WalRecord): void {
    invariant(record.lsn === this.log.length + 1, "records are appended in order");
    invariant(
      this.log.length < this.maxLogRecords,
      `the log stays within maxLogRecords (${this.maxLogRecords})`,
    );
    this.log.push(record);
    this.unpersisted.push(record);
  }

  /** Writes the records appended since the last call as one segment (made durable by the next sync). */
  private persistLog(): void {
    const records = this.unpersisted;
    if (records.length === 0) return;
    const firstLsn = records[0]!.lsn;
    this.ctx.storage.set(walKey(firstLsn), records);
    this.segments.push({ firstLsn, count: records.length });
    this.unpersisted = [];
  }

  private applyUpTo(lsn: number): void {
    while (this.appliedLsn < lsn) {
      const r = this.log[this.appliedLsn];
      invariant(r !== undefined, "apply within the log");
      if (r.value === null) this.state.delete(r.key);
      else this.state.set(r.key, r.value);
      this.appliedLsn++;
    }
  }

  private truncateAfter(lsn: number, winningEpoch: number): void {
    if (lsn >= this.log.length) return;
    const discarded = this.log.slice(lsn);
    const ackedBound = Math.max(this.ackedLsn, this.commitLsn);
    const acknowledged = discarded.filter((r) => r.lsn <= ackedBound);
    const reapply = Math.min(this.appliedLsn, lsn);
    if (this.appliedLsn > lsn) {
      // Rewinds are rare: rebuild the state by replaying the kept prefix of the log.
      this.state = new Map();
      this.appliedLsn = 0;
    }
    this.unpersisted = this.unpersisted.filter((r) => r.lsn <= lsn);
    while (this.segments.length > 0) {
      const last = this.segments[this.segments.length - 1]!;
      if (last.firstLsn + last.count - 1 <= lsn) break;
      if (last.firstLsn > lsn) {
        this.ctx.storage.delete(walKey(last.firstLsn));
        this.segments.pop();
      } else {
        last.count = lsn - last.firstLsn + 1;
        this.ctx.storage.set(walKey(last.firstLsn), this.log.slice(last.firstLsn - 1, lsn));
        break;
      }
    }
    this.log.length = lsn;
    if (this.appliedLsn === 0 && reapply > 0) this.applyUpTo(reapply);
    this.flushedLsn = Math.min(this.flushedLsn, lsn);
    this.commitLsn = Math.min(this.commitLsn, lsn);
    this.ackedLsn = Math.min(this.ackedLsn, lsn);
    const report: LostWritesReport = {
      node: this.ctx.id,
      epoch: winningEpoch,
      truncatedAfterLsn: lsn,
      discarded,
      acknowledged,
      atMs: this.ctx.now(),
    };
    this.lostWrites.push(report);
    this.ctx.log(
      `rewound to lsn ${lsn}: discarded ${discarded.length} record(s), ${acknowledged.length} acknowledged write(s) lost`,
      { acknowledged: acknowledged.map((r) => r.writeId) },
    );
    this.persistMeta();
  }

  private persistMeta(): void {
    this.persistLog();
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

  private becomeLeader(epoch: number): PromotionReport {
    const previousLeader = this.leaderId;
    this.cancelCandidacy();
    this.failWaitingReads();
    this.role = "leader";
    this.epoch = epoch;
    this.leaderId = this.ctx.id;
    this.degraded = false;
    this.applyUpTo(this.log.length);
    this.initLeaderState(previousLeader === this.ctx.id ? undefined : previousLeader);
    const report: PromotionReport = {
      node: this.ctx.id,
      epoch,
      previousLeader,
      lastLsn: this.log.length,
      previousCommitLsnSeen: this.previousCommitSeen,
      previousLastLsnSeen: this.previousLastSeen,
      missingAcknowledged:
        this.previousCommitSeen > this.log.length
          ? { fromLsn: this.log.length + 1, toLsn: this.previousCommitSeen }
          : undefined,
      atMs: this.ctx.now(),
    };
    this.promotions.push(report);
    this.ctx.log(`promoted to leader of epoch ${epoch} at lsn ${this.log.length}`, report);
    this.persistMeta();
    this.startHeartbeats();
    this.advanceCommit();
    return report;
  }

  private becomeFollower(epoch: number, leader: NodeId | undefined): void {
    invariant(epoch >= this.epoch, "epochs never go back");
    const wasLeader = this.role === "leader";
    this.epoch = epoch;
    this.leaderId = leader;
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
          hintEpoch: this.epochAt(this.log.length),
        });
      }
    }
    this.persistMeta();
  }

  // ---------------------------------------------------------------- leader

  private leaseOk(): boolean {
    return this.lease === undefined || this.ctx.now() < this.leaseValidUntilMs;
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
    if (this.log.length >= this.maxLogRecords) {
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
    this.appendLocal(record);
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
      prevEpoch: this.epochAt(prevLsn),
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
    const match = Math.min(m.hintLsn, this.endOfEpoch(m.hintEpoch), this.log.length);
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
      if (this.lease !== undefined || this.mode.kind === "async") {
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
        minLsn: this.commitLsn,
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
      this.cancelCandidacy();
    }
    this.lastLeaderContactMs = this.ctx.now();
    this.previousCommitSeen = Math.max(this.previousCommitSeen, m.commitLsn);
    this.previousLastSeen = Math.max(this.previousLastSeen, m.leaderLastLsn);
    if (m.prevLsn > this.log.length || (m.prevLsn > 0 && this.epochAt(m.prevLsn) !== m.prevEpoch)) {
      const hintLsn = Math.min(this.log.length, m.prevLsn - 1);
      this.send(from, {
        type: "wal-mismatch",
        epoch: this.epoch,
        hintLsn,
        hintEpoch: this.epochAt(hintLsn),
      });
      return;
    }
    let changed = false;
    for (const r of m.records) {
      if (r.lsn <= this.log.length) {
        if (this.epochAt(r.lsn) === r.epoch) continue;
        this.truncateAfter(r.lsn - 1, m.epoch);
      }
      this.appendLocal(r);
      changed = true;
    }
    // Records beyond the leader's log from older epochs can never be in it: rewind them.
    const end = Math.max(m.prevLsn + m.records.length, m.leaderLastLsn);
    if (this.log.length > end && this.epochAt(end + 1) < m.epoch) this.truncateAfter(end, m.epoch);
    const matched = m.prevLsn + m.records.length;
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
      flushedLsn: this.flushedLsn,
      appliedLsn: this.appliedLsn,
      barrierSeq,
    });
  }

  // ---------------------------------------------------------------- automatic failover

  private renewLease(): void {
    const lease = this.lease;
    if (lease === undefined || this.role !== "leader") return;
    const sentAtMs = this.ctx.now();
    const epochAtSend = this.epoch;
    lease.acquire(this.ctx.id, this.leaseTtlMs, (outcome) => this.onRenewed(outcome, sentAtMs, epochAtSend));
  }

  private onRenewed(outcome: LeaseOutcome, sentAtMs: number, epochAtSend: number): void {
    if (this.role === "leader" && this.epoch === epochAtSend) {
      if (outcome.outcome === "granted" && outcome.holder === this.ctx.id) {
        if (outcome.epoch === this.epoch) {
          this.leaseValidUntilMs = sentAtMs + this.leaseTtlMs - this.safetyMarginMs;
        } else if (outcome.epoch > this.epoch) {
          // We lost the lease and took it back: a new epoch, as after any promotion.
          this.role = "follower";
          this.becomeLeader(outcome.epoch);
          this.leaseValidUntilMs = sentAtMs + this.leaseTtlMs - this.safetyMarginMs;
        }
      } else if (outcome.outcome === "refused" && outcome.epoch >= this.epoch) {
        this.becomeFollower(Math.max(outcome.epoch, this.epoch), outcome.holder);
        return;
      }
    }
    if (this.role === "leader") {
      this.ctx.setTimer(this.renewIntervalMs, () => this.renewLease(), "lease-renew");
    }
  }

  private scheduleFailureCheck(): void {
    this.ctx.setTimer(
      this.failureTimeoutMs / 4,
      () => {
        this.checkLeaderAlive();
        this.scheduleFailureCheck();
      },
      "failure-detector",
    );
  }

  private checkLeaderAlive(): void {
    if (this.role !== "follower" || this.candidacy !== undefined) return;
    this.lease?.watch?.();
    if (this.ctx.now() - this.lastLeaderContactMs < this.failureTimeoutMs) return;
    this.ctx.log(`leader ${this.leaderId ?? "(none)"} suspected: collecting positions`);
    const positions = new Map<NodeId, { lastLsn: number; lastEpoch: number }>();
    this.candidacy = { positions };
    for (const id of this.replicas) {
      if (id !== this.ctx.id) this.send(id, { type: "position-query", epoch: this.epoch });
    }
    this.ctx.setTimer(this.candidateWaitMs, () => this.tryTakeLease(positions), "candidacy");
  }

  private cancelCandidacy(): void {
    this.candidacy = undefined;
  }

  private tryTakeLease(positions: Map<NodeId, { lastLsn: number; lastEpoch: number }>): void {
    if (this.candidacy?.positions !== positions || this.role !== "follower" || this.lease === undefined) {
      return;
    }
    const mine = { lastLsn: this.log.length, lastEpoch: this.epochAt(this.log.length) };
    // Patroni's rule: only the most up-to-date reachable replica runs for leader.
    for (const [id, p] of positions) {
      const better =
        p.lastEpoch > mine.lastEpoch ||
        (p.lastEpoch === mine.lastEpoch &&
          (p.lastLsn > mine.lastLsn || (p.lastLsn === mine.lastLsn && id < this.ctx.id)));
      if (better && id !== this.leaderId) {
        this.candidacy = undefined;
        this.lastLeaderContactMs = this.ctx.now();
        return;
      }
    }
    const sentAtMs = this.ctx.now();
    this.lease.acquire(this.ctx.id, this.leaseTtlMs, (outcome) => {
      this.candidacy = undefined;
      this.lastLeaderContactMs = this.ctx.now();
      if (this.role !== "follower") return;
      if (outcome.outcome === "granted" && outcome.holder === this.ctx.id && outcome.epoch > this.epoch) {
        this.becomeLeader(outcome.epoch);
        this.leaseValidUntilMs = sentAtMs + this.leaseTtlMs - this.safetyMarginMs;
        this.ctx.setTimer(this.renewIntervalMs, () => this.renewLease(), "lease-renew");
      } else if (outcome.outcome === "refused" && outcome.holder !== this.ctx.id) {
        if (outcome.epoch > this.epoch) {
          this.epoch = outcome.epoch;
          this.leaderId = outcome.holder;
          this.persistMeta();
        }
        // The lease has not lapsed yet: look again in a quarter TTL, unless the leader shows up.
        this.lastLeaderContactMs = this.ctx.now() - this.failureTimeoutMs + this.leaseTtlMs / 4;
      }
    });
  }
}
