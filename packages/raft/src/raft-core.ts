/**
 * The pure Raft protocol core (after etcd-io/raft): a deterministic state machine fed with ticks,
 * messages and proposals, whose outputs (state to persist, messages to send, entries to apply,
 * read states) are collected in a {@link Ready}. It never touches a clock, timer, network or disk.
 * @module
 */
import type { NodeId, Random } from "@distkit/sim-net";
import { type RaftConfig, type ResolvedRaftConfig, resolveRaftConfig } from "./config.js";
import { invariant, RaftError } from "./errors.js";
import {
  allMembers,
  enterJoint,
  isJoint,
  isVoter,
  leaveJoint,
  type MembershipChange,
  quorumActive,
  quorumValue,
  tally,
} from "./membership.js";
import type {
  AppendRequest,
  AppendResponse,
  ConfigChangeData,
  HardState,
  LogEntry,
  Membership,
  OutboundMessage,
  RaftMessage,
  Snapshot,
  VoteRequest,
  VoteResponse,
} from "./messages.js";
import { Progress, type ProgressState } from "./progress.js";
import { RaftLog } from "./raft-log.js";

/**
 * Role of a Raft node.
 *
 * @example
 * ```ts
 * const role: RaftRole = "leader";
 * ```
 */
export type RaftRole = "follower" | "preCandidate" | "candidate" | "leader";

/**
 * A confirmed read: the state machine may answer request `requestId` once it has applied `index`.
 *
 * @example
 * ```ts
 * const state: ReadState = { requestId: 4, index: 120 };
 * ```
 */
export interface ReadState {
  /** The id passed to {@link RaftCore.readIndex}. */
  readonly requestId: number;
  /** The commit index at the time of the request, confirmed by a quorum (or a lease). */
  readonly index: number;
}

/**
 * Everything the core wants done after an input, in order: persist `snapshot`, `hardState` and
 * `entries` (then sync), send `messages`, apply `snapshot` then `committedEntries` to the state
 * machine, serve `readStates`; then call {@link RaftCore.advance}.
 *
 * @example
 * ```ts
 * declare const core: RaftCore;
 * if (core.hasReady()) { const ready = core.ready(); /* persist, sync, send, apply *\/ core.advance(ready); }
 * ```
 */
export interface Ready {
  /** New hard state to persist, or null when unchanged. */
  readonly hardState: HardState | null;
  /** Entries to persist (they overwrite any stored entry at the same index). */
  readonly entries: readonly LogEntry[];
  /** The log's last index: stored entries above it must be deleted. */
  readonly lastIndex: number;
  /** The compaction offset of the log (entries at or below it are gone). */
  readonly logOffset: { readonly index: number; readonly term: number };
  /** A snapshot received from the leader, to persist and apply; null otherwise. */
  readonly snapshot: Snapshot | null;
  /** Messages to send after persisting. */
  readonly messages: readonly OutboundMessage[];
  /** Committed entries to apply, in order. */
  readonly committedEntries: readonly LogEntry[];
  /** Reads that may be served once `index` is applied. */
  readonly readStates: readonly ReadState[];
}

/**
 * Result of a proposal: accepted at (index, term), refused because this node is not the leader
 * (with a hint), or dropped by the leader (transfer in progress, overload, pending change...).
 *
 * @example
 * ```ts
 * declare const core: RaftCore;
 * const r = core.propose({ op: "put" }, 16);
 * if (r.kind === "notLeader") console.log("try", r.leaderHint);
 * ```
 */
export type ProposeResult =
  | { readonly kind: "ok"; readonly index: number; readonly term: number }
  | { readonly kind: "notLeader"; readonly leaderHint: NodeId | null }
  | {
      readonly kind: "dropped";
      readonly reason: "transferring" | "overloaded" | "changePending" | "termNotCommitted";
    };

/**
 * Result of a read request: queued (a {@link ReadState} follows in a later Ready), or refused.
 *
 * @example
 * ```ts
 * declare const core: RaftCore;
 * const r = core.readIndex(1, false);
 * ```
 */
export type ReadIndexResult =
  | { readonly kind: "pending" }
  | { readonly kind: "notLeader"; readonly leaderHint: NodeId | null }
  | { readonly kind: "dropped"; readonly reason: "transferring" | "overloaded" };

/**
 * Result of a leadership-transfer request.
 *
 * @example
 * ```ts
 * declare const core: RaftCore;
 * const r = core.transferLeadership("n2");
 * ```
 */
export type TransferResult =
  | { readonly kind: "started" }
  | { readonly kind: "notLeader"; readonly leaderHint: NodeId | null }
  | { readonly kind: "rejected"; readonly reason: "notVoter" | "self" };

/**
 * The leader's view of one peer, as reported in {@link RaftStatus}.
 *
 * @example
 * ```ts
 * const p: PeerProgress = { match: 10, next: 11, state: "replicate", inflight: 0, recentActive: true, isLearner: false };
 * ```
 */
export interface PeerProgress {
  /** Highest index known replicated on the peer. */
  readonly match: number;
  /** Next index to send. */
  readonly next: number;
  /** Replication state. */
  readonly state: ProgressState;
  /** In-flight append messages. */
  readonly inflight: number;
  /** Heard from since the last check-quorum round. */
  readonly recentActive: boolean;
  /** Non-voting member. */
  readonly isLearner: boolean;
}

/**
 * Counters of one core since it started (reset by a restart).
 *
 * @example
 * ```ts
 * declare const core: RaftCore;
 * console.log(core.metrics.messagesSent);
 * ```
 */
export interface RaftMetrics {
  /** Pre-vote rounds started. */
  preVotesStarted: number;
  /** Real elections started. */
  electionsStarted: number;
  /** Times this node became leader. */
  leaderTerms: number;
  /** Messages emitted. */
  messagesSent: number;
  /** Append messages emitted. */
  appendsSent: number;
  /** Entries carried by append messages. */
  entriesSent: number;
  /** Heartbeats emitted. */
  heartbeatsSent: number;
  /** Snapshots sent. */
  snapshotsSent: number;
  /** Proposals accepted. */
  proposalsAccepted: number;
  /** Proposals dropped or refused. */
  proposalsRefused: number;
  /** Read requests confirmed by a heartbeat quorum. */
  readIndexConfirmed: number;
  /** Read requests confirmed by the lease. */
  leaseReads: number;
  /** Times this leader stepped down because it lost contact with a quorum. */
  checkQuorumStepDowns: number;
}

/**
 * A snapshot of a node's Raft state for monitoring and tests.
 *
 * @example
 * ```ts
 * declare const core: RaftCore;
 * const s: RaftStatus = core.status();
 * console.log(s.role, s.term, s.commitIndex);
 * ```
 */
export interface RaftStatus {
  /** Node id. */
  readonly id: NodeId;
  /** Current role. */
  readonly role: RaftRole;
  /** Current term. */
  readonly term: number;
  /** Vote cast in the current term. */
  readonly vote: NodeId | null;
  /** Known leader of the current term. */
  readonly leaderId: NodeId | null;
  /** Commit index. */
  readonly commitIndex: number;
  /** Applied index. */
  readonly appliedIndex: number;
  /** First index still in the log. */
  readonly firstIndex: number;
  /** Last log index. */
  readonly lastIndex: number;
  /** Term of the last entry. */
  readonly lastTerm: number;
  /** Index of the latest snapshot (0 when none). */
  readonly snapshotIndex: number;
  /** Membership in force. */
  readonly membership: Membership;
  /** Target of an ongoing leadership transfer. */
  readonly leadTransferee: NodeId | null;
  /** Per-peer progress (leader only; empty otherwise). */
  readonly progress: Readonly<Record<NodeId, PeerProgress>>;
  /** Counters. */
  readonly metrics: Readonly<RaftMetrics>;
}

/**
 * Durable state a core is rebuilt from after a restart.
 *
 * @example
 * ```ts
 * const state: RecoveredState = { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, logOffset: { index: 0, term: 0 }, entries: [] };
 * ```
 */
export interface RecoveredState {
  /** Persisted term, vote and commit. */
  readonly hardState: HardState;
  /** Latest persisted snapshot. */
  readonly snapshot: Snapshot | null;
  /** Compaction offset of the persisted log. */
  readonly logOffset: { readonly index: number; readonly term: number };
  /** Persisted entries after the offset, contiguous. */
  readonly entries: readonly LogEntry[];
}

/**
 * Inputs to build a {@link RaftCore}.
 *
 * @example
 * ```ts
 * declare const random: Random;
 * const init: RaftCoreInit = { id: "n1", bootstrapVoters: ["n1", "n2", "n3"], random, now: () => 0 };
 * ```
 */
export interface RaftCoreInit {
  /** This node's id. */
  readonly id: NodeId;
  /** Initial voters of a new cluster; omit for a node that joins an existing cluster. */
  readonly bootstrapVoters?: readonly NodeId[];
  /** Protocol tunables. */
  readonly config?: RaftConfig;
  /** Seeded randomness (election timeouts). */
  readonly random: Random;
  /** Local clock in ms (leases only). */
  readonly now: () => number;
  /** Durable state from storage, when restarting. */
  readonly recovered?: RecoveredState;
}

interface PendingRead {
  readonly requestId: number;
  readonly index: number;
  readonly round: number;
}

const MAX_PENDING_READS = 100_000;
/** Bound on out-of-order appends a follower holds (beyond it, they are rejected as before). */
const MAX_REORDER_BUFFER = 64;
const MAX_TRACKED_ROUNDS = 1024;
const EMPTY_MEMBERSHIP: Membership = { voters: [], outgoing: [], learners: [], learnersNext: [] };

/**
 * Estimated encoded size of a command in bytes, used by flow control when a proposal gives none.
 *
 * @example
 * ```ts
 * estimateSizeBytes("hello"); // 7
 * ```
 */
export function estimateSizeBytes(data: unknown): number {
  if (typeof data === "string") return data.length + 2;
  if (data === null || data === undefined) return 4;
  if (typeof data === "number" || typeof data === "boolean") return 8;
  return JSON.stringify(data).length;
}

/**
 * The Raft protocol core. Feed it with {@link RaftCore.tick}, {@link RaftCore.step} and the
 * request methods; after each input, drain {@link RaftCore.ready} and call {@link RaftCore.advance}.
 *
 * @example
 * ```ts
 * declare const random: Random;
 * const core = new RaftCore({ id: "n1", bootstrapVoters: ["n1"], random, now: () => 0 });
 * core.campaign();
 * const ready = core.ready();
 * core.advance(ready);
 * console.log(core.status().role); // "leader"
 * ```
 */
export class RaftCore {
  /** This node's id. */
  readonly id: NodeId;
  /** The resolved configuration. */
  readonly config: ResolvedRaftConfig;
  /** Counters. */
  readonly metrics: RaftMetrics = {
    preVotesStarted: 0,
    electionsStarted: 0,
    leaderTerms: 0,
    messagesSent: 0,
    appendsSent: 0,
    entriesSent: 0,
    heartbeatsSent: 0,
    snapshotsSent: 0,
    proposalsAccepted: 0,
    proposalsRefused: 0,
    readIndexConfirmed: 0,
    leaseReads: 0,
    checkQuorumStepDowns: 0,
  };

  private readonly random: Random;
  private readonly now: () => number;
  private term = 0;
  private vote: NodeId | null = null;
  private role: RaftRole = "follower";
  private lead: NodeId | null = null;
  private readonly log: RaftLog;
  private membership: Membership;
  private progress = new Map<NodeId, Progress>();
  private votes = new Map<NodeId, boolean>();
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTicks = 0;
  /** A restarted node may have heard from a leader just before crashing: it honours that lease. */
  private startupGrace: boolean;
  private leadTransferee: NodeId | null = null;
  private pendingConfIndex = 0;
  private snapshot: Snapshot | null;
  private receivedSnapshot: Snapshot | null = null;
  private msgs: OutboundMessage[] = [];
  private readStates: ReadState[] = [];
  private pendingReads: PendingRead[] = [];
  private readsAwaitingCommit: number[] = [];
  private round = 0;
  private ackedQuorumRound = 0;
  private roundSentAt = new Map<number, number>();
  private leaseStartMs = Number.NEGATIVE_INFINITY;
  private leaseDisabledForTerm = false;
  private needReadRound = false;
  private needBroadcast = false;
  /** Followers owed an append (new entries, a retry or a probe) at the next flush. */
  private readonly appendTo = new Set<NodeId>();
  /** Follower: pipelined appends that arrived before the entries they follow (bounded). */
  private reorderBuffer: { from: NodeId; m: AppendRequest }[] = [];
  /** Follower: ticks since the oldest buffered append arrived. */
  private reorderHeldTicks = 0;
  private persistedHardState: HardState;
  private lastLogOffset: { index: number; term: number };

  /** Builds a core from its init (recovering state when given). */
  constructor(init: RaftCoreInit) {
    if (typeof init.id !== "string" || init.id.length === 0) {
      throw new RaftError("invalid-argument", "RaftCore id must be a non-empty string");
    }
    this.id = init.id;
    this.config = resolveRaftConfig(init.config ?? {});
    this.random = init.random;
    this.now = init.now;
    const rec = init.recovered;
    const snapshot = rec?.snapshot ?? null;
    this.snapshot = snapshot;
    const applied = snapshot?.index ?? 0;
    const offset = rec?.logOffset ?? { index: 0, term: 0 };
    const hs = rec?.hardState ?? { term: 0, vote: null, commit: 0 };
    invariant(offset.index <= applied, "log offset never passes the snapshot");
    this.log = new RaftLog(
      offset.index,
      offset.term,
      [...(rec?.entries ?? [])],
      Math.max(hs.commit, applied),
      applied,
    );
    this.term = hs.term;
    this.vote = hs.vote;
    this.persistedHardState = { term: hs.term, vote: hs.vote, commit: this.log.commit };
    this.startupGrace = hs.term > 0;
    this.lastLogOffset = { index: offset.index, term: offset.term };
    if (snapshot !== null) this.membership = snapshot.membership;
    else if (init.bootstrapVoters !== undefined) {
      const voters = [...new Set(init.bootstrapVoters)].sort();
      if (voters.length !== init.bootstrapVoters.length || voters.length === 0) {
        throw new RaftError(
          "invalid-config",
          "bootstrapVoters must be a non-empty list of distinct node ids",
        );
      }
      this.membership = { voters, outgoing: [], learners: [], learnersNext: [] };
    } else this.membership = EMPTY_MEMBERSHIP;
    this.resetRandomizedElectionTimeout();
  }

  // ---------------------------------------------------------------- queries

  /** Current status and per-peer progress. */
  status(): RaftStatus {
    const progress: Record<NodeId, PeerProgress> = {};
    if (this.role === "leader") {
      for (const [id, pr] of this.progress) {
        progress[id] = {
          match: pr.match,
          next: pr.next,
          state: pr.state,
          inflight: pr.inflights.count,
          recentActive: pr.recentActive,
          isLearner: pr.isLearner,
        };
      }
    }
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      leaderId: this.lead,
      commitIndex: this.log.commit,
      appliedIndex: this.log.applied,
      firstIndex: this.log.offsetIndex + 1,
      lastIndex: this.log.lastIndex(),
      lastTerm: this.log.lastTerm(),
      snapshotIndex: this.snapshot?.index ?? 0,
      membership: this.membership,
      leadTransferee: this.leadTransferee,
      progress,
      metrics: { ...this.metrics },
    };
  }

  /** Current role. */
  get currentRole(): RaftRole {
    return this.role;
  }

  /** Current term. */
  get currentTerm(): number {
    return this.term;
  }

  /** Known leader, or null. */
  get leaderId(): NodeId | null {
    return this.lead;
  }

  /** Commit index. */
  get commitIndex(): number {
    return this.log.commit;
  }

  /** Applied index. */
  get appliedIndex(): number {
    return this.log.applied;
  }

  /** Last log index. */
  get lastIndex(): number {
    return this.log.lastIndex();
  }

  /** Compaction offset of the log (entries at or below are only in the snapshot). */
  get logOffsetIndex(): number {
    return this.log.offsetIndex;
  }

  /** Membership in force. */
  get currentMembership(): Membership {
    return this.membership;
  }

  /** Latest local snapshot, or null. */
  get latestSnapshot(): Snapshot | null {
    return this.snapshot;
  }

  /** Term of the entry at `index`, or undefined when compacted or absent. */
  termAt(index: number): number | undefined {
    return this.log.term(index);
  }

  /** The entry at `index`, or undefined when compacted or absent. */
  entryAt(index: number): LogEntry | undefined {
    return this.log.entry(index);
  }

  /** Whether the leader has committed an entry of its own term (reads and changes need it). */
  committedInTerm(): boolean {
    return this.log.term(this.log.commit) === this.term;
  }

  /** Whether a lease read would be served right now without a heartbeat round. */
  leaseValid(): boolean {
    if (this.role !== "leader" || !this.config.checkQuorum) return false;
    if (this.leadTransferee !== null || this.leaseDisabledForTerm) return false;
    const rho = this.config.maxClockDriftRatio;
    const leaseMs =
      ((this.config.electionTimeoutMs - this.config.tickMs) * (1 - rho)) / (1 + rho) - this.config.tickMs;
    return this.now() < this.leaseStartMs + leaseMs;
  }

  // ---------------------------------------------------------------- inputs

  /** Advances logical time by one tick (call every `tickMs` of local time). */
  tick(): void {
    if (this.role === "leader") this.tickHeartbeat();
    else this.tickElection();
  }

  /** Starts an election now (pre-vote first when enabled). Ignored by leaders and non-voters. */
  campaign(): void {
    if (this.role === "leader") return;
    this.startCampaign(this.config.preVote ? "pre" : "elect", false);
  }

  /** Feeds a message from `from`. Messages from an older term are answered or dropped. */
  step(from: NodeId, m: RaftMessage): void {
    if (typeof m !== "object" || m === null || typeof m.term !== "number" || typeof m.type !== "string") {
      throw new RaftError("invalid-message", "raft message must be an object with a type and a numeric term");
    }
    if (m.term > this.term) {
      if (m.type === "raft.vote" && !m.transfer && this.inLease()) return;
      if (m.type === "raft.vote" && m.pre) {
        // A pre-vote never changes our term.
      } else if (m.type === "raft.voteResp" && m.pre && m.granted) {
        // Granted pre-votes carry the term we asked for.
      } else {
        const fromLeader =
          m.type === "raft.append" || m.type === "raft.heartbeat" || m.type === "raft.snapshot";
        this.becomeFollower(m.term, fromLeader ? from : null);
      }
    } else if (m.term < this.term) {
      if (
        (this.config.checkQuorum || this.config.preVote) &&
        (m.type === "raft.append" || m.type === "raft.heartbeat" || m.type === "raft.snapshot")
      ) {
        // Tell a stale leader about the newer term so it steps down.
        this.send(from, {
          type: "raft.appendResp",
          term: this.term,
          index: 0,
          reject: true,
          hintIndex: 0,
          hintTerm: 0,
        });
      } else if (m.type === "raft.vote" && m.pre) {
        this.send(from, { type: "raft.voteResp", term: this.term, pre: true, granted: false });
      }
      return;
    }

    switch (m.type) {
      case "raft.vote":
        this.handleVote(from, m);
        return;
      case "raft.voteResp":
        this.handleVoteResponse(from, m);
        return;
      case "raft.append":
        if (!this.acceptLeader(from)) return;
        this.handleAppend(from, m);
        return;
      case "raft.heartbeat":
        if (!this.acceptLeader(from)) return;
        this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
        this.send(from, { type: "raft.heartbeatResp", term: this.term, round: m.round });
        return;
      case "raft.snapshot":
        if (!this.acceptLeader(from)) return;
        this.handleSnapshot(from, m.snapshot);
        return;
      case "raft.timeoutNow":
        if (this.role !== "leader" && isVoter(this.membership, this.id)) this.startCampaign("elect", true);
        return;
      case "raft.appendResp":
        if (this.role === "leader") this.handleAppendResponse(from, m);
        return;
      case "raft.heartbeatResp":
        if (this.role === "leader") this.handleHeartbeatResponse(from, m.round);
        return;
      default:
        throw new RaftError("invalid-message", `unknown raft message type ${(m as { type: string }).type}`);
    }
  }

  /**
   * Appends a command to the leader's log. `sizeBytes` (estimated when omitted) drives flow
   * control. Returns where it was appended; it is committed when it shows up in a Ready.
   */
  propose(data: unknown, sizeBytes: number = estimateSizeBytes(data)): ProposeResult {
    if (this.role !== "leader") {
      this.metrics.proposalsRefused++;
      return { kind: "notLeader", leaderHint: this.lead };
    }
    if (this.leadTransferee !== null) {
      this.metrics.proposalsRefused++;
      return { kind: "dropped", reason: "transferring" };
    }
    if (this.log.lastIndex() - this.log.commit >= this.config.maxUncommittedEntries) {
      this.metrics.proposalsRefused++;
      return { kind: "dropped", reason: "overloaded" };
    }
    const index = this.appendEntry("normal", data, sizeBytes);
    this.metrics.proposalsAccepted++;
    return { kind: "ok", index, term: this.term };
  }

  /**
   * Proposes a membership change by joint consensus (the joint configuration is left
   * automatically once applied). Refused until the leader has committed an entry of its own term
   * and while another change is pending.
   *
   * @throws {@link RaftError} `invalid-argument` for an empty voter set or overlapping roles.
   */
  proposeMembership(change: MembershipChange): ProposeResult {
    if (this.role !== "leader") return { kind: "notLeader", leaderHint: this.lead };
    const target = enterJoint(
      isJoint(this.membership) ? leaveJoint(this.membership) : this.membership,
      change,
    );
    if (this.leadTransferee !== null) return { kind: "dropped", reason: "transferring" };
    if (!this.committedInTerm()) return { kind: "dropped", reason: "termNotCommitted" };
    if (this.pendingConfIndex > this.log.applied || isJoint(this.membership)) {
      return { kind: "dropped", reason: "changePending" };
    }
    const data: ConfigChangeData = { step: "enterJoint", membership: target };
    const index = this.appendEntry("config", data, estimateSizeBytes(data));
    this.pendingConfIndex = index;
    return { kind: "ok", index, term: this.term };
  }

  /**
   * Requests a linearizable read. With `useLease` and a valid lease the read is confirmed at once;
   * otherwise a heartbeat round confirms leadership (ReadIndex). The answer arrives as a
   * {@link ReadState} in a later Ready; reads pending when leadership is lost are dropped.
   */
  readIndex(requestId: number, useLease: boolean): ReadIndexResult {
    if (this.role !== "leader") return { kind: "notLeader", leaderHint: this.lead };
    if (this.leadTransferee !== null) return { kind: "dropped", reason: "transferring" };
    if (this.pendingReads.length + this.readsAwaitingCommit.length >= MAX_PENDING_READS) {
      return { kind: "dropped", reason: "overloaded" };
    }
    if (!this.committedInTerm()) {
      this.readsAwaitingCommit.push(requestId);
      return { kind: "pending" };
    }
    if (useLease && this.leaseValid()) {
      this.metrics.leaseReads++;
      this.readStates.push({ requestId, index: this.log.commit });
      return { kind: "pending" };
    }
    this.queueRead(requestId);
    return { kind: "pending" };
  }

  /** Hands leadership to `to`: it is caught up, then told to campaign at once (TimeoutNow). */
  transferLeadership(to: NodeId): TransferResult {
    if (this.role !== "leader") return { kind: "notLeader", leaderHint: this.lead };
    if (to === this.id) return { kind: "rejected", reason: "self" };
    if (!isVoter(this.membership, to)) return { kind: "rejected", reason: "notVoter" };
    this.leadTransferee = to;
    this.electionElapsed = 0;
    const pr = this.progress.get(to);
    if (pr !== undefined && pr.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.appendTo.add(to);
    return { kind: "started" };
  }

  /**
   * Records a state-machine snapshot taken at the applied index and compacts the log, keeping
   * `retainEntries` entries before it for slightly lagging followers. Returns the snapshot to
   * persist.
   */
  createSnapshot(index: number, data: unknown, retainEntries: number): Snapshot {
    if (index !== this.log.applied) {
      throw new RaftError(
        "invalid-argument",
        `snapshots are taken at the applied index ${this.log.applied}, got ${index}`,
      );
    }
    if (!Number.isSafeInteger(retainEntries) || retainEntries < 0) {
      throw new RaftError(
        "invalid-argument",
        `retainEntries must be a non-negative integer, got ${retainEntries}`,
      );
    }
    const term = this.log.term(index);
    invariant(term !== undefined, "snapshot index must be in the log");
    const snapshot: Snapshot = { index, term, membership: this.membership, data };
    this.snapshot = snapshot;
    this.log.compact(Math.max(this.log.offsetIndex, index - retainEntries));
    return snapshot;
  }

  // ---------------------------------------------------------------- ready / advance

  /** Whether {@link RaftCore.ready} has anything to do. */
  hasReady(): boolean {
    if (this.needBroadcast || this.needReadRound || this.appendTo.size > 0) return true;
    if (this.role === "leader" && this.commitBumpPending()) return true;
    if (this.msgs.length > 0 || this.readStates.length > 0 || this.receivedSnapshot !== null) return true;
    if (this.log.unstableFrom <= this.log.lastIndex()) return true;
    if (this.log.commit > this.log.applied) return true;
    const hs = this.persistedHardState;
    if (hs.term !== this.term || hs.vote !== this.vote || hs.commit !== this.log.commit) return true;
    return this.lastLogOffset.index !== this.log.offsetIndex;
  }

  /** Collects the outputs accumulated since the last call. */
  ready(): Ready {
    this.flush();
    const hs = this.persistedHardState;
    let hardState: HardState | null = null;
    if (hs.term !== this.term || hs.vote !== this.vote || hs.commit !== this.log.commit) {
      hardState = { term: this.term, vote: this.vote, commit: this.log.commit };
      this.persistedHardState = hardState;
    }
    const snapshot = this.receivedSnapshot;
    const entries = this.log.takeUnstable();
    let committedEntries: LogEntry[] = [];
    if (snapshot === null && this.log.commit > this.log.applied) {
      const lo = this.log.applied + 1 - this.log.offsetIndex - 1;
      committedEntries = this.log.entries.slice(lo, this.log.commit - this.log.offsetIndex);
    }
    const messages = this.msgs;
    const readStates = this.readStates;
    this.msgs = [];
    this.readStates = [];
    this.lastLogOffset = { index: this.log.offsetIndex, term: this.log.offsetTerm };
    return {
      hardState,
      entries,
      lastIndex: this.log.lastIndex(),
      logOffset: this.lastLogOffset,
      snapshot,
      messages,
      committedEntries,
      readStates,
    };
  }

  /** Marks a Ready as done: the snapshot and committed entries count as applied. */
  advance(ready: Ready): void {
    if (ready.snapshot !== null) {
      invariant(this.receivedSnapshot === ready.snapshot, "advance with the Ready last returned");
      this.receivedSnapshot = null;
      if (ready.snapshot.index > this.log.applied) this.log.applied = ready.snapshot.index;
    }
    for (const e of ready.committedEntries) {
      invariant(e.index === this.log.applied + 1, "committed entries are applied in order");
      this.log.applied = e.index;
      if (e.kind === "config") this.applyMembership(e.data as ConfigChangeData);
    }
    if (
      this.role === "leader" &&
      isJoint(this.membership) &&
      this.pendingConfIndex <= this.log.applied &&
      this.leadTransferee === null
    ) {
      const data: ConfigChangeData = { step: "leaveJoint", membership: leaveJoint(this.membership) };
      this.pendingConfIndex = this.appendEntry("config", data, estimateSizeBytes(data));
    }
  }

  // ---------------------------------------------------------------- internals: roles

  private resetRandomizedElectionTimeout(): void {
    const e = this.config.electionTicks;
    this.randomizedElectionTicks = e + this.random.int(0, e);
  }

  private reset(term: number): void {
    if (this.term !== term) {
      invariant(term > this.term, "terms only grow");
      this.term = term;
      this.vote = null;
    }
    this.lead = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.leadTransferee = null;
    this.votes.clear();
    this.reorderBuffer = [];
    this.appendTo.clear();
    this.pendingReads = [];
    this.readsAwaitingCommit = [];
    this.needReadRound = false;
    this.leaseStartMs = Number.NEGATIVE_INFINITY;
    this.leaseDisabledForTerm = false;
  }

  private becomeFollower(term: number, lead: NodeId | null): void {
    this.reset(term);
    this.role = "follower";
    this.lead = lead;
  }

  private becomeLeader(): void {
    invariant(this.role === "candidate", "only a candidate becomes leader");
    this.reset(this.term);
    this.role = "leader";
    this.lead = this.id;
    this.metrics.leaderTerms++;
    this.rebuildProgress(true);
    this.pendingConfIndex = this.log.lastIndex();
    this.appendEntry("noop", null, 0);
  }

  private rebuildProgress(fresh: boolean): void {
    const next = this.log.lastIndex() + 1;
    const old = this.progress;
    this.progress = new Map();
    const learners = new Set([...this.membership.learners, ...this.membership.learnersNext]);
    for (const id of allMembers(this.membership)) {
      const isLearner = learners.has(id) && !isVoter(this.membership, id);
      let pr = fresh ? undefined : old.get(id);
      if (pr === undefined) {
        pr = new Progress(next, isLearner, this.config.maxInflightMsgs, this.config.maxInflightBytes);
        if (id === this.id) {
          pr.match = this.log.lastIndex();
          pr.next = pr.match + 1;
        }
      }
      pr.isLearner = isLearner;
      this.progress.set(id, pr);
    }
  }

  private startCampaign(kind: "pre" | "elect", transfer: boolean): void {
    if (!isVoter(this.membership, this.id)) return;
    this.startupGrace = false;
    let voteTerm: number;
    if (kind === "pre") {
      this.reset(this.term);
      this.role = "preCandidate";
      voteTerm = this.term + 1;
      this.metrics.preVotesStarted++;
    } else {
      this.reset(this.term + 1);
      this.role = "candidate";
      this.vote = this.id;
      voteTerm = this.term;
      this.metrics.electionsStarted++;
    }
    this.votes.set(this.id, true);
    if (this.afterVote()) return;
    const lastLogIndex = this.log.lastIndex();
    const lastLogTerm = this.log.lastTerm();
    const voters = new Set([...this.membership.voters, ...this.membership.outgoing]);
    for (const id of voters) {
      if (id === this.id) continue;
      this.send(id, {
        type: "raft.vote",
        term: voteTerm,
        pre: kind === "pre",
        lastLogIndex,
        lastLogTerm,
        transfer,
      });
    }
  }

  /** Acts on the current tally; returns true when the campaign ended. */
  private afterVote(): boolean {
    const result = tally(this.membership, this.votes);
    if (result === "won") {
      if (this.role === "preCandidate") this.startCampaign("elect", false);
      else this.becomeLeader();
      return true;
    }
    if (result === "lost") {
      this.becomeFollower(this.term, null);
      return true;
    }
    return false;
  }

  private inLease(): boolean {
    return (
      this.config.checkQuorum &&
      (this.lead !== null || this.startupGrace) &&
      this.electionElapsed < this.config.electionTicks
    );
  }

  private acceptLeader(from: NodeId): boolean {
    if (this.role === "leader") {
      invariant(false, `two leaders in term ${this.term}: ${this.id} and ${from}`);
    }
    if (this.role !== "follower") this.becomeFollower(this.term, from);
    invariant(this.lead === null || this.lead === from, `two leaders in term ${this.term}`);
    this.lead = from;
    this.electionElapsed = 0;
    return true;
  }

  private tickElection(): void {
    this.tickReorderBuffer();
    this.electionElapsed++;
    if (this.electionElapsed >= this.config.electionTicks) this.startupGrace = false;
    if (this.electionElapsed >= this.randomizedElectionTicks && isVoter(this.membership, this.id)) {
      this.electionElapsed = 0;
      this.startCampaign(this.config.preVote ? "pre" : "elect", false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.config.electionTicks) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum) {
        const ok = quorumActive(
          this.membership,
          (id) => id === this.id || this.progress.get(id)?.recentActive === true,
        );
        for (const pr of this.progress.values()) pr.recentActive = false;
        if (!ok) {
          this.metrics.checkQuorumStepDowns++;
          this.becomeFollower(this.term, null);
          return;
        }
      }
      this.leadTransferee = null;
      // A leader removed from the voters keeps trying to hand over.
      if (!isVoter(this.membership, this.id)) this.transferToHeir();
    }
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat();
    }
  }

  // ---------------------------------------------------------------- internals: messages

  private send(to: NodeId, message: RaftMessage): void {
    this.msgs.push({ to, message });
    this.metrics.messagesSent++;
  }

  private handleVote(from: NodeId, m: VoteRequest): void {
    const canVote =
      this.vote === from || (this.vote === null && this.lead === null) || (m.pre && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm)) {
      this.send(from, { type: "raft.voteResp", term: m.term, pre: m.pre, granted: true });
      if (!m.pre) {
        invariant(m.term === this.term, "real votes are cast in the current term");
        this.electionElapsed = 0;
        this.vote = from;
      }
    } else {
      this.send(from, { type: "raft.voteResp", term: this.term, pre: m.pre, granted: false });
    }
  }

  private handleVoteResponse(from: NodeId, m: VoteResponse): void {
    if (m.pre ? this.role !== "preCandidate" : this.role !== "candidate") return;
    this.votes.set(from, m.granted);
    this.afterVote();
  }

  private handleAppend(from: NodeId, m: AppendRequest): void {
    if (m.pipelined === true && m.prevIndex > this.log.lastIndex() && m.prevIndex >= this.log.commit) {
      // A pipelined append overtook the ones before it (a reordering link): hold it until they
      // arrive instead of rejecting it, which would make the leader probe and resend everything.
      if (this.holdReordered(from, m)) return;
    }
    this.appendNow(from, m);
    this.drainReordered();
  }

  /** Buffers an out-of-order pipelined append; false when the buffer is full. */
  private holdReordered(from: NodeId, m: AppendRequest): boolean {
    const buf = this.reorderBuffer;
    if (buf.length >= MAX_REORDER_BUFFER) return false;
    if (buf.length === 0) this.reorderHeldTicks = 0;
    let at = buf.length;
    while (at > 0 && buf[at - 1]!.m.prevIndex > m.prevIndex) at--;
    buf.splice(at, 0, { from, m });
    return true;
  }

  /** Applies held appends whose predecessors have arrived (bounded by the buffer size). */
  private drainReordered(): void {
    const buf = this.reorderBuffer;
    while (buf.length > 0 && buf[0]!.m.prevIndex <= this.log.lastIndex()) {
      const next = buf.shift()!;
      if (next.m.term !== this.term) continue;
      this.appendNow(next.from, next.m);
    }
  }

  /** Follower tick: appends held for 2 ticks were preceded by a lost one; reject to resync. */
  private tickReorderBuffer(): void {
    if (this.reorderBuffer.length === 0) return;
    if (++this.reorderHeldTicks < 2) return;
    const first = this.reorderBuffer[0]!;
    this.reorderBuffer = [];
    if (first.m.term === this.term && this.lead === first.from) this.appendNow(first.from, first.m);
  }

  private appendNow(from: NodeId, m: AppendRequest): void {
    // An empty pipelined append only carries the commit index: the leader expects no answer.
    const answer = !(m.pipelined === true && m.entries.length === 0);
    if (m.prevIndex < this.log.commit) {
      if (answer) this.sendAppendResponse(from, this.log.commit);
      return;
    }
    const last = this.log.maybeAppend(m.prevIndex, m.prevTerm, m.entries);
    if (last !== undefined) {
      this.log.commitTo(Math.min(m.commit, last));
      if (answer) this.sendAppendResponse(from, last);
      return;
    }
    let hintIndex = Math.min(m.prevIndex, this.log.lastIndex());
    hintIndex = this.log.findConflictByTerm(hintIndex, m.prevTerm);
    const hintTerm = this.log.term(hintIndex) ?? 0;
    this.send(from, {
      type: "raft.appendResp",
      term: this.term,
      index: m.prevIndex,
      reject: true,
      hintIndex,
      hintTerm,
    });
  }

  private sendAppendResponse(to: NodeId, index: number): void {
    this.send(to, {
      type: "raft.appendResp",
      term: this.term,
      index,
      reject: false,
      hintIndex: 0,
      hintTerm: 0,
    });
  }

  private handleSnapshot(from: NodeId, snap: Snapshot): void {
    if (snap.index <= this.log.commit) {
      this.sendAppendResponse(from, this.log.commit);
      return;
    }
    if (this.log.matchTerm(snap.index, snap.term)) {
      // We already have the snapshot's last entry: just fast-forward the commit index.
      this.log.commitTo(snap.index);
      this.sendAppendResponse(from, this.log.commit);
      return;
    }
    this.log.restore(snap.index, snap.term);
    this.snapshot = snap;
    this.receivedSnapshot = snap;
    this.membership = snap.membership;
    this.sendAppendResponse(from, this.log.lastIndex());
  }

  private handleAppendResponse(from: NodeId, m: AppendResponse): void {
    const pr = this.progress.get(from);
    if (pr === undefined) return;
    pr.recentActive = true;
    if (m.reject) {
      if (m.index === 0 && m.hintIndex === 0) return; // stale-leader notice at our own term
      let nextProbe = m.hintIndex;
      if (m.hintTerm > 0) nextProbe = this.log.findConflictByTerm(m.hintIndex, m.hintTerm);
      if (pr.maybeDecrTo(m.index, nextProbe)) {
        if (pr.state === "replicate") pr.becomeProbe();
        this.appendTo.add(from);
      }
      return;
    }
    if (pr.maybeUpdate(m.index)) {
      if (pr.state === "probe") pr.becomeReplicate();
      else if (pr.state === "snapshot" && pr.match >= pr.pendingSnapshot) {
        pr.becomeProbe();
        pr.becomeReplicate();
      } else if (pr.state === "replicate") pr.inflights.freeLE(m.index);
      this.maybeCommit();
      if (from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(from);
    } else if (pr.state === "replicate") {
      pr.inflights.freeLE(m.index);
    }
    // Sent at the flush, in one message with the commit index it may have just moved.
    this.appendTo.add(from);
  }

  private handleHeartbeatResponse(from: NodeId, round: number): void {
    const pr = this.progress.get(from);
    if (pr === undefined) return;
    pr.recentActive = true;
    pr.probeSent = false;
    if (round > pr.ackedRound) pr.ackedRound = round;
    if (pr.state === "replicate" && pr.inflights.full()) pr.inflights.freeFirstOne();
    if (pr.match < this.log.lastIndex()) {
      pr.stalledHeartbeats++;
      // Appends or a snapshot were lost: fall back to probing.
      if (pr.stalledHeartbeats >= 3 && pr.state !== "probe") pr.becomeProbe();
      this.appendTo.add(from);
    }
    this.processReadRounds();
  }

  private sendTimeoutNow(to: NodeId): void {
    this.leaseDisabledForTerm = true;
    this.send(to, { type: "raft.timeoutNow", term: this.term });
  }

  private appendEntry(kind: LogEntry["kind"], data: unknown, sizeBytes: number): number {
    const index = this.log.lastIndex() + 1;
    this.log.appendOwn({ index, term: this.term, kind, data, sizeBytes });
    const self = this.progress.get(this.id);
    if (self !== undefined) self.maybeUpdate(index);
    this.needBroadcast = true;
    this.maybeCommit();
    return index;
  }

  private maybeCommit(): boolean {
    const candidate = quorumValue(this.membership, (id) => this.progress.get(id)?.match ?? 0);
    if (candidate === Number.POSITIVE_INFINITY || candidate <= this.log.commit) return false;
    // Figure 8: only entries of the current term are committed by counting replicas.
    if (this.log.term(candidate) !== this.term) return false;
    this.log.commitTo(candidate);
    if (this.readsAwaitingCommit.length > 0) {
      const waiting = this.readsAwaitingCommit;
      this.readsAwaitingCommit = [];
      for (const id of waiting) this.queueRead(id);
    }
    return true;
  }

  private queueRead(requestId: number): void {
    this.pendingReads.push({ requestId, index: this.log.commit, round: this.round + 1 });
    this.needReadRound = true;
  }

  private broadcastHeartbeat(): void {
    this.round++;
    this.roundSentAt.set(this.round, this.now());
    if (this.roundSentAt.size > MAX_TRACKED_ROUNDS) {
      const oldest = this.roundSentAt.keys().next().value;
      if (oldest !== undefined) this.roundSentAt.delete(oldest);
    }
    for (const [id, pr] of this.progress) {
      if (id === this.id) continue;
      this.metrics.heartbeatsSent++;
      const commit = Math.min(pr.match, this.log.commit);
      if (commit > pr.sentCommit) pr.sentCommit = commit;
      this.send(id, { type: "raft.heartbeat", term: this.term, commit, round: this.round });
    }
    this.processReadRounds();
  }

  private processReadRounds(): void {
    const acked = quorumValue(this.membership, (id) =>
      id === this.id ? this.round : (this.progress.get(id)?.ackedRound ?? 0),
    );
    if (acked === Number.POSITIVE_INFINITY || acked <= this.ackedQuorumRound) return;
    this.ackedQuorumRound = acked;
    const sentAt = this.roundSentAt.get(acked);
    if (sentAt !== undefined && sentAt > this.leaseStartMs) this.leaseStartMs = sentAt;
    for (const r of this.roundSentAt.keys()) {
      if (r > acked) break;
      this.roundSentAt.delete(r);
    }
    let released = 0;
    while (released < this.pendingReads.length && this.pendingReads[released]!.round <= acked) released++;
    if (released > 0) {
      for (let i = 0; i < released; i++) {
        const r = this.pendingReads[i]!;
        this.readStates.push({ requestId: r.requestId, index: r.index });
      }
      this.metrics.readIndexConfirmed += released;
      this.pendingReads = this.pendingReads.slice(released);
    }
  }

  /**
   * Sends one append (or snapshot) to `to` if flow control allows; returns whether it sent. In
   * replicate state an append without entries is sent only when `commitOnly` (to carry the commit
   * index); such appends are `pipelined` and take no in-flight slot.
   */
  private sendAppend(to: NodeId, commitOnly = false): boolean {
    const pr = this.progress.get(to);
    if (pr === undefined || to === this.id || pr.isPaused()) return false;
    const last = this.log.lastIndex();
    if (pr.next > last + 1) pr.next = last + 1;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) return this.sendSnapshot(to, pr);
    if (pr.state === "replicate" && pr.next > last && !commitOnly) return false;
    const entries = pr.next <= last ? this.log.slice(pr.next, last + 1, this.config.maxSizePerMsgBytes) : [];
    const commit = this.log.commit;
    const replicate = pr.state === "replicate";
    this.send(
      to,
      replicate
        ? { type: "raft.append", term: this.term, prevIndex, prevTerm, entries, commit, pipelined: true }
        : { type: "raft.append", term: this.term, prevIndex, prevTerm, entries, commit },
    );
    pr.sentCommit = commit;
    this.metrics.appendsSent++;
    this.metrics.entriesSent += entries.length;
    if (replicate) {
      if (entries.length > 0) {
        const lastSent = entries[entries.length - 1]!.index;
        let bytes = 0;
        for (const e of entries) bytes += e.sizeBytes;
        pr.next = lastSent + 1;
        pr.inflights.add(lastSent, bytes);
      }
    } else {
      pr.probeSent = true;
    }
    return true;
  }

  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    const snap = this.snapshot;
    invariant(snap !== null, "a compacted log always has a snapshot");
    pr.becomeSnapshot(snap.index);
    this.metrics.snapshotsSent++;
    this.send(to, { type: "raft.snapshot", term: this.term, snapshot: snap });
    return true;
  }

  /** Sends appends to `to` while flow control allows; returns how many messages went out. */
  private sendAppendsWhileAllowed(to: NodeId): number {
    let sent = 0;
    for (let i = 0; i <= this.config.maxInflightMsgs; i++) {
      if (!this.sendAppend(to)) return sent;
      sent++;
      const pr = this.progress.get(to);
      if (pr === undefined || pr.state !== "replicate") return sent;
    }
    return sent;
  }

  /** Whether some follower would learn a higher commit index from an (empty) append now. */
  private commitBumpPending(): boolean {
    const commit = this.log.commit;
    for (const [id, pr] of this.progress) {
      if (id !== this.id && pr.canBumpCommit(commit) && !pr.isPaused()) return true;
    }
    return false;
  }

  /**
   * The leader's sends of one Ready, coalesced: each follower owed an append gets it (entries up
   * to the size and in-flight limits, carrying the commit index), and a follower that would get
   * nothing but lags behind the commit index gets one empty append carrying it (as etcd-io/raft
   * does), so followers apply a committed entry without waiting for the next heartbeat.
   */
  private flush(): void {
    if (this.role !== "leader") {
      this.needBroadcast = false;
      this.needReadRound = false;
      this.appendTo.clear();
      return;
    }
    const all = this.needBroadcast;
    this.needBroadcast = false;
    const commit = this.log.commit;
    for (const [id, pr] of this.progress) {
      if (id === this.id) continue;
      const sent = all || this.appendTo.has(id) ? this.sendAppendsWhileAllowed(id) : 0;
      if (sent === 0 && pr.canBumpCommit(commit)) this.sendAppend(id, true);
    }
    this.appendTo.clear();
    if (this.needReadRound) {
      this.needReadRound = false;
      this.broadcastHeartbeat();
    }
  }

  /** A leader outside the voters transfers leadership to the voter with the highest match. */
  private transferToHeir(): void {
    let heir: NodeId | null = null;
    let best = -1;
    for (const id of this.membership.voters) {
      const match = this.progress.get(id)?.match ?? -1;
      if (match > best) {
        best = match;
        heir = id;
      }
    }
    if (heir === null) return;
    this.leadTransferee = heir;
    if (best === this.log.lastIndex()) this.sendTimeoutNow(heir);
    else this.appendTo.add(heir);
  }

  private applyMembership(change: ConfigChangeData): void {
    this.membership = change.membership;
    if (this.role === "leader") {
      this.rebuildProgress(false);
      if (!isVoter(this.membership, this.id)) {
        // Removed from the voters: keep leading (so the voters learn the commit) but accept no
        // proposals, and hand leadership over to the most up-to-date voter.
        this.transferToHeir();
        return;
      }
      this.maybeCommit();
      this.needBroadcast = true;
    }
    if (this.leadTransferee !== null && !isVoter(this.membership, this.leadTransferee))
      this.leadTransferee = null;
  }
}
