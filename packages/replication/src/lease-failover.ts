/**
 * Automatic failover of a single-leader store: the leader renews a lease in a lease store; followers
 * watch the leader, and one that suspects it takes the lease for the next epoch, then *fences*: it
 * makes the replicas adopt the new epoch (so they refuse the old leader) and report where their
 * logs end, and leads only if that proves it holds every acknowledged write ({@link judgeCandidacy}).
 * Internal: {@link ReplicaNode} drives it through {@link FailoverHost}.
 * @module
 */
import type { Message, NodeContext, NodeId } from "@distkit/sim-net";
import type { CommitMode } from "./commit-mode.js";
import { failoverQuorum, judgeCandidacy } from "./failover-rule.js";
import type { LeaseOutcome, LeaseStore } from "./lease-store.js";
import type { FailoverStatus } from "./replica-config.js";
import type { ReplicaMessage } from "./replica-message.js";
import type { LogPosition } from "./wal.js";

/** A commit point: a log position some replica knows was acknowledged, and the epoch of its record. */
export interface CommitPoint {
  readonly lsn: number;
  readonly epoch: number;
}

/** What a fenced candidacy knew when it promoted (for the promotion report). Internal. */
export interface PromotionEvidence {
  readonly heard: readonly NodeId[];
  readonly needed: number;
  readonly lossless: boolean;
  /** Commit points the fenced replicas reported (the candidate's own included). */
  readonly commitPoints: readonly CommitPoint[];
}

/** What the failover logic needs from its replica. Internal. */
export interface FailoverHost {
  readonly ctx: NodeContext<Message>;
  readonly replicas: readonly NodeId[];
  role(): "leader" | "follower";
  epoch(): number;
  leaderId(): NodeId | undefined;
  position(): LogPosition;
  /** The highest position this replica knows was acknowledged, within its log. */
  commitPoint(): CommitPoint;
  /** Local clock time of the last message from a leader (or of the last reason to wait). */
  lastLeaderContactMs(): number;
  touchLeaderContact(atMs: number): void;
  /** Adopts a newer (or the same) epoch with `leader` (steps down when leading), durably. */
  adoptEpoch(epoch: number, leader: NodeId | undefined): void;
  /** Becomes leader of `epoch`, which this replica holds the lease of and has fenced. */
  promote(epoch: number, evidence: PromotionEvidence): void;
  /** A lease store refused this leader's renewal: another node leads `epoch`. */
  stepDown(epoch: number, holder: NodeId): void;
  setLeaseValidUntil(atMs: number): void;
  send(to: NodeId, message: ReplicaMessage): void;
}

/** Timing of the lease and the failure detector (validated by `validateReplicaConfig`). Internal. */
export interface FailoverTiming {
  readonly leaseTtlMs: number;
  readonly renewIntervalMs: number;
  readonly safetyMarginMs: number;
  readonly failureTimeoutMs: number;
  readonly candidateWaitMs: number;
}

type FenceReply = Extract<ReplicaMessage, { type: "fence-reply" }>;

/**
 * The lease and candidacy state machine of one replica. Internal.
 *
 * @example
 * ```ts
 * const failover = new LeaseFailover(host, leaseStore, timing, { kind: "any", k: 1 });
 * failover.onStart({ fresh: true, initialLeader: true });
 * ```
 */
export class LeaseFailover {
  private readonly host: FailoverHost;
  private readonly lease: LeaseStore;
  private readonly timing: FailoverTiming;
  private readonly quorum: ReturnType<typeof failoverQuorum>;
  private phase: FailoverStatus["phase"] = "watching";
  private round = 0;
  private positions: Map<NodeId, LogPosition> | undefined;
  private fencing:
    | {
        readonly round: number;
        readonly epoch: number;
        readonly leaseSentAtMs: number;
        readonly replies: Map<NodeId, FenceReply>;
      }
    | undefined;
  private blockedAttempts = 0;
  private lastBlocked: FailoverStatus["lastBlocked"];

  constructor(host: FailoverHost, lease: LeaseStore, timing: FailoverTiming, mode: CommitMode) {
    this.host = host;
    this.lease = lease;
    this.timing = timing;
    this.quorum = failoverQuorum(mode, host.replicas.length);
  }

  /** Offers a message to the lease store client; true when it was the store's. */
  handleStoreMessage(from: NodeId, message: Message): boolean {
    return this.lease.handle(from, message);
  }

  status(): FailoverStatus {
    return { phase: this.phase, blockedAttempts: this.blockedAttempts, lastBlocked: this.lastBlocked };
  }

  onStart(options: { readonly fresh: boolean; readonly initialLeader: boolean }): void {
    if (this.host.role() === "leader") this.renewLease();
    this.scheduleFailureCheck();
    if (options.fresh && options.initialLeader) this.acquire();
  }

  /** A leader's message arrived: stop collecting positions (a fencing in a newer epoch stops itself). */
  onLeaderContact(): void {
    this.positions = undefined;
    if (this.phase === "collecting-positions" || this.phase === "acquiring-lease") this.phase = "watching";
    if (this.fencing !== undefined && this.fencing.epoch !== this.host.epoch()) {
      this.fencing = undefined;
      this.phase = "watching";
    }
  }

  // ------------------------------------------------------------------ leader: renewals

  private renewLease(): void {
    if (this.host.role() !== "leader") return;
    const sentAtMs = this.host.ctx.now();
    const epochAtSend = this.host.epoch();
    this.lease.acquire(this.host.ctx.id, this.timing.leaseTtlMs, (outcome) =>
      this.onRenewed(outcome, sentAtMs, epochAtSend),
    );
  }

  private onRenewed(outcome: LeaseOutcome, sentAtMs: number, epochAtSend: number): void {
    const host = this.host;
    if (host.role() === "leader" && host.epoch() === epochAtSend) {
      if (outcome.outcome === "granted" && outcome.holder === host.ctx.id) {
        if (outcome.epoch === epochAtSend) {
          host.setLeaseValidUntil(sentAtMs + this.timing.leaseTtlMs - this.timing.safetyMarginMs);
        } else if (outcome.epoch > epochAtSend) {
          // The lease lapsed and this node took it again: a new epoch, which must be fenced like any
          // other takeover (another leader may have come and gone in between).
          this.startFencing(outcome.epoch, sentAtMs);
          return;
        }
      } else if (outcome.outcome === "refused" && outcome.epoch >= epochAtSend) {
        host.stepDown(Math.max(outcome.epoch, epochAtSend), outcome.holder);
        return;
      }
    }
    if (host.role() === "leader") this.scheduleRenewal();
  }

  private scheduleRenewal(): void {
    this.host.ctx.setTimer(this.timing.renewIntervalMs, () => this.renewLease(), "lease-renew");
  }

  // ------------------------------------------------------------------ follower: detection

  private scheduleFailureCheck(): void {
    this.host.ctx.setTimer(
      this.timing.failureTimeoutMs / 4,
      () => {
        this.checkLeaderAlive();
        this.scheduleFailureCheck();
      },
      "failure-detector",
    );
  }

  private checkLeaderAlive(): void {
    const host = this.host;
    if (host.role() !== "follower" || this.phase !== "watching") return;
    this.lease.watch?.();
    if (host.ctx.now() - host.lastLeaderContactMs() < this.timing.failureTimeoutMs) return;
    host.ctx.log(`leader ${host.leaderId() ?? "(none)"} suspected: collecting positions`);
    const round = ++this.round;
    const positions = new Map<NodeId, LogPosition>();
    this.positions = positions;
    this.phase = "collecting-positions";
    for (const id of host.replicas) {
      if (id !== host.ctx.id) host.send(id, { type: "position-query", epoch: host.epoch() });
    }
    host.ctx.setTimer(this.timing.candidateWaitMs, () => this.afterPositions(round, positions), "candidacy");
  }

  /** Phase 1 reply (unfenced): only for choosing who runs; safety comes from fencing. */
  onPositionReply(from: NodeId, m: Extract<ReplicaMessage, { type: "position-reply" }>): void {
    this.positions?.set(from, { lastLsn: m.lastLsn, lastEpoch: m.lastEpoch });
  }

  private afterPositions(round: number, positions: Map<NodeId, LogPosition>): void {
    const host = this.host;
    if (this.round !== round || this.positions !== positions || this.phase !== "collecting-positions") return;
    this.positions = undefined;
    if (host.role() !== "follower") {
      this.phase = "watching";
      return;
    }
    const mine = host.position();
    // Patroni's rule: only the most up-to-date reachable replica runs (ties: the smallest id). The old
    // leader is left out so that a leader cut off from the lease store only can be replaced.
    for (const [id, p] of positions) {
      const better =
        p.lastEpoch > mine.lastEpoch ||
        (p.lastEpoch === mine.lastEpoch &&
          (p.lastLsn > mine.lastLsn || (p.lastLsn === mine.lastLsn && id < host.ctx.id)));
      if (better && id !== host.leaderId()) {
        this.phase = "watching";
        host.touchLeaderContact(host.ctx.now());
        return;
      }
    }
    this.acquire();
  }

  private acquire(): void {
    const host = this.host;
    const round = ++this.round;
    this.phase = "acquiring-lease";
    const sentAtMs = host.ctx.now();
    this.lease.acquire(host.ctx.id, this.timing.leaseTtlMs, (outcome) => {
      if (this.round !== round || this.phase !== "acquiring-lease") return;
      this.phase = "watching";
      host.touchLeaderContact(host.ctx.now());
      if (host.role() !== "follower") return;
      if (outcome.outcome === "granted" && outcome.holder === host.ctx.id) {
        // The same epoch again: this node took it before and its fencing did not finish.
        const again = outcome.epoch === host.epoch() && host.leaderId() === undefined;
        if (outcome.epoch > host.epoch() || again) this.startFencing(outcome.epoch, sentAtMs);
      } else if (outcome.outcome === "refused" && outcome.holder !== host.ctx.id) {
        if (outcome.epoch > host.epoch()) host.adoptEpoch(outcome.epoch, outcome.holder);
        // The lease has not lapsed yet: look again in a quarter TTL, unless the leader shows up.
        host.touchLeaderContact(host.ctx.now() - this.timing.failureTimeoutMs + this.timing.leaseTtlMs / 4);
      }
    });
  }

  // ------------------------------------------------------------------ fencing

  private startFencing(epoch: number, leaseSentAtMs: number): void {
    const host = this.host;
    host.adoptEpoch(epoch, undefined);
    const round = ++this.round;
    this.phase = "fencing";
    this.fencing = { round, epoch, leaseSentAtMs, replies: new Map() };
    host.ctx.log(`holds the lease of epoch ${epoch}: fencing the replicas`, { needed: this.quorum.needed });
    for (const id of host.replicas) {
      if (id !== host.ctx.id) host.send(id, { type: "fence-request", epoch, round });
    }
    host.ctx.setTimer(this.timing.candidateWaitMs, () => this.judge(round), "fencing");
  }

  /** Another replica holds the lease of `m.epoch` and asks this one to adopt it and report its log. */
  onFenceRequest(from: NodeId, m: Extract<ReplicaMessage, { type: "fence-request" }>): void {
    const host = this.host;
    const mine = host.epoch();
    const ownFencing = this.fencing !== undefined && this.fencing.epoch >= m.epoch;
    const accepted =
      !ownFencing &&
      (m.epoch > mine ||
        (m.epoch === mine &&
          host.role() === "follower" &&
          (host.leaderId() === undefined || host.leaderId() === from)));
    if (accepted) {
      this.fencing = undefined;
      this.positions = undefined;
      this.phase = "watching";
      if (m.epoch > mine || host.role() === "leader") host.adoptEpoch(m.epoch, undefined);
      host.touchLeaderContact(host.ctx.now());
    }
    const position = host.position();
    const commit = host.commitPoint();
    host.send(from, {
      type: "fence-reply",
      epoch: host.epoch(),
      round: m.round,
      accepted,
      lastLsn: position.lastLsn,
      lastEpoch: position.lastEpoch,
      commitLsn: commit.lsn,
      commitEpoch: commit.epoch,
      leader: host.leaderId(),
    });
  }

  onFenceReply(from: NodeId, m: FenceReply): void {
    const host = this.host;
    const f = this.fencing;
    if (f === undefined || m.round !== f.round) return;
    if (m.epoch > f.epoch) {
      // Someone took a later lease: this candidacy is over.
      this.fencing = undefined;
      this.phase = "watching";
      host.adoptEpoch(m.epoch, m.leader);
      return;
    }
    if (!m.accepted || m.epoch !== f.epoch) return;
    f.replies.set(from, m);
    if (f.replies.size === host.replicas.length - 1) this.judge(f.round);
  }

  private judge(round: number): void {
    const host = this.host;
    const f = this.fencing;
    if (f === undefined || f.round !== round) return;
    this.fencing = undefined;
    this.phase = "watching";
    if (host.role() !== "follower" || host.epoch() !== f.epoch) return;
    const now = host.ctx.now();
    const validUntilMs = f.leaseSentAtMs + this.timing.leaseTtlMs - this.timing.safetyMarginMs;
    const verdict = judgeCandidacy(host.ctx.id, host.position(), f.replies, this.quorum.needed);
    if (verdict.promote && now < validUntilMs) {
      const commitPoints = [
        host.commitPoint(),
        ...[...f.replies.values()].map((r) => ({ lsn: r.commitLsn, epoch: r.commitEpoch })),
      ];
      host.promote(f.epoch, {
        heard: verdict.heard,
        needed: this.quorum.needed,
        lossless: this.quorum.lossless,
        commitPoints,
      });
      host.setLeaseValidUntil(validUntilMs);
      this.scheduleRenewal();
      return;
    }
    const reason = !verdict.promote
      ? verdict.coveredBy.length < verdict.heard.length
        ? `${verdict.ahead.join(", ")} ha${verdict.ahead.length === 1 ? "s" : "ve"} a more up-to-date log; ` +
          `${verdict.coveredBy.length} of the ${this.quorum.needed} replicas needed are not ahead of it`
        : `heard ${verdict.heard.length} of the ${this.quorum.needed} replicas needed to be sure it holds every acknowledged write`
      : "the lease ran out while fencing";
    this.blockedAttempts++;
    this.lastBlocked = {
      epoch: f.epoch,
      heard: verdict.heard,
      needed: this.quorum.needed,
      ahead: verdict.ahead,
      reason,
      atMs: now,
    };
    host.ctx.log(
      `failover blocked in epoch ${f.epoch}: ${reason}; no leader until a safe candidate exists`,
      this.lastBlocked,
    );
    host.touchLeaderContact(now);
  }
}
