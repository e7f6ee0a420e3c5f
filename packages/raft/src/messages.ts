/**
 * The data Raft nodes exchange and persist: log entries, snapshots, memberships and messages.
 * Everything here is plain JSON-serializable data and is never mutated once created.
 * @module
 */
import type { NodeId } from "@distkit/sim-net";

/**
 * A cluster membership. Outside a membership change `outgoing` is empty; during a joint-consensus
 * change `outgoing` holds the old voters and decisions need a majority of both `voters` and
 * `outgoing`. Learners receive the log but never vote; `learnersNext` are old voters that become
 * learners when the joint configuration is left.
 *
 * @example
 * ```ts
 * const membership: Membership = { voters: ["n1", "n2", "n3"], outgoing: [], learners: ["n4"], learnersNext: [] };
 * ```
 */
export interface Membership {
  /** Voters of the (incoming) configuration, sorted. */
  readonly voters: readonly NodeId[];
  /** Voters of the outgoing configuration while in joint consensus, else empty; sorted. */
  readonly outgoing: readonly NodeId[];
  /** Non-voting members, sorted. */
  readonly learners: readonly NodeId[];
  /** Outgoing voters that become learners when the joint configuration is left, sorted. */
  readonly learnersNext: readonly NodeId[];
}

/**
 * Payload of a configuration-change entry: the complete membership that applies once the entry is
 * applied (absolute, so that replaying it is idempotent).
 *
 * @example
 * ```ts
 * const change: ConfigChangeData = {
 *   step: "enterJoint",
 *   membership: { voters: ["n1", "n2", "n4"], outgoing: ["n1", "n2", "n3"], learners: [], learnersNext: [] },
 * };
 * ```
 */
export interface ConfigChangeData {
  /** Whether this entry enters or leaves a joint configuration. */
  readonly step: "enterJoint" | "leaveJoint";
  /** The membership in force once the entry is applied. */
  readonly membership: Membership;
}

/**
 * One entry of the replicated log. `kind` is "normal" for application commands (their `data`),
 * "noop" for the entry a new leader appends, and "config" for membership changes (`data` is a
 * {@link ConfigChangeData}).
 *
 * @example
 * ```ts
 * const entry: LogEntry = { index: 7, term: 2, kind: "normal", data: { op: "put" }, sizeBytes: 16 };
 * ```
 */
export interface LogEntry {
  /** Position in the log, from 1. */
  readonly index: number;
  /** Term of the leader that created the entry. */
  readonly term: number;
  /** What the entry carries. */
  readonly kind: "normal" | "noop" | "config";
  /** The command (normal), null (noop) or a {@link ConfigChangeData} (config). */
  readonly data: unknown;
  /** Approximate encoded size of `data`, used for flow control. */
  readonly sizeBytes: number;
}

/**
 * A snapshot of the state machine at `index`, with the membership in force at that index.
 *
 * @example
 * ```ts
 * const snapshot: Snapshot = {
 *   index: 100, term: 3, data: { kv: [] },
 *   membership: { voters: ["n1"], outgoing: [], learners: [], learnersNext: [] },
 * };
 * ```
 */
export interface Snapshot {
  /** Index of the last entry the snapshot covers. */
  readonly index: number;
  /** Term of that entry. */
  readonly term: number;
  /** Membership in force at `index`. */
  readonly membership: Membership;
  /** The state machine's snapshot data (JSON). */
  readonly data: unknown;
}

/**
 * The state that must be durable before any message depending on it is sent.
 *
 * @example
 * ```ts
 * const hardState: HardState = { term: 3, vote: "n2", commit: 41 };
 * ```
 */
export interface HardState {
  /** Current term. */
  readonly term: number;
  /** Candidate voted for in `term`, or null. */
  readonly vote: NodeId | null;
  /** Highest index known committed. */
  readonly commit: number;
}

/**
 * RequestVote (or PreVote when `pre`). `transfer` marks an election started by leadership transfer,
 * which voters honour even while they still hear from the current leader.
 *
 * @example
 * ```ts
 * const m: VoteRequest = { type: "raft.vote", term: 4, pre: true, lastLogIndex: 9, lastLogTerm: 3, transfer: false };
 * ```
 */
export interface VoteRequest {
  /** Discriminator. */
  readonly type: "raft.vote";
  /** The term the candidate campaigns for. */
  readonly term: number;
  /** Pre-vote round (no term change on receipt). */
  readonly pre: boolean;
  /** Candidate's last log index. */
  readonly lastLogIndex: number;
  /** Candidate's last log term. */
  readonly lastLogTerm: number;
  /** Election started by a leadership transfer. */
  readonly transfer: boolean;
}

/**
 * Answer to a {@link VoteRequest}.
 *
 * @example
 * ```ts
 * const m: VoteResponse = { type: "raft.voteResp", term: 4, pre: false, granted: true };
 * ```
 */
export interface VoteResponse {
  /** Discriminator. */
  readonly type: "raft.voteResp";
  /** The granted term, or the voter's term on rejection. */
  readonly term: number;
  /** Answers a pre-vote. */
  readonly pre: boolean;
  /** Whether the vote is granted. */
  readonly granted: boolean;
}

/**
 * AppendEntries: `entries` follow the entry at (`prevIndex`, `prevTerm`).
 *
 * @example
 * ```ts
 * const m: AppendRequest = { type: "raft.append", term: 2, prevIndex: 5, prevTerm: 2, entries: [], commit: 5 };
 * ```
 */
export interface AppendRequest {
  /** Discriminator. */
  readonly type: "raft.append";
  /** Leader's term. */
  readonly term: number;
  /** Index of the entry preceding `entries`. */
  readonly prevIndex: number;
  /** Term of that entry. */
  readonly prevTerm: number;
  /** Entries to append (possibly empty). */
  readonly entries: readonly LogEntry[];
  /** Leader's commit index. */
  readonly commit: number;
  /**
   * Sent in replicate state, behind other in-flight appends: a follower missing the entries before
   * `prevIndex` may hold it briefly (they may be late, not lost) instead of rejecting it. An empty
   * pipelined append only carries `commit` and gets no answer. Absent on probes.
   */
  readonly pipelined?: true;
}

/**
 * Answer to an append or snapshot. On success `index` is the follower's matching last index; on
 * rejection `index` is the rejected `prevIndex` and (`hintIndex`, `hintTerm`) let the leader skip
 * a whole divergent term at once (fast backtracking).
 *
 * @example
 * ```ts
 * const m: AppendResponse = { type: "raft.appendResp", term: 2, index: 5, reject: true, hintIndex: 3, hintTerm: 1 };
 * ```
 */
export interface AppendResponse {
  /** Discriminator. */
  readonly type: "raft.appendResp";
  /** Follower's term. */
  readonly term: number;
  /** Matched last index (success) or rejected prevIndex (rejection). */
  readonly index: number;
  /** Whether the append was rejected. */
  readonly reject: boolean;
  /** Largest index the follower may share with the leader (rejection only). */
  readonly hintIndex: number;
  /** Follower's term at `hintIndex` (rejection only). */
  readonly hintTerm: number;
}

/**
 * Leader heartbeat. `round` numbers heartbeat broadcasts for ReadIndex and leases.
 *
 * @example
 * ```ts
 * const m: Heartbeat = { type: "raft.heartbeat", term: 2, commit: 10, round: 17 };
 * ```
 */
export interface Heartbeat {
  /** Discriminator. */
  readonly type: "raft.heartbeat";
  /** Leader's term. */
  readonly term: number;
  /** min(follower's match, leader's commit). */
  readonly commit: number;
  /** Broadcast round number. */
  readonly round: number;
}

/**
 * Answer to a {@link Heartbeat}, echoing its round.
 *
 * @example
 * ```ts
 * const m: HeartbeatResponse = { type: "raft.heartbeatResp", term: 2, round: 17 };
 * ```
 */
export interface HeartbeatResponse {
  /** Discriminator. */
  readonly type: "raft.heartbeatResp";
  /** Follower's term. */
  readonly term: number;
  /** The round answered. */
  readonly round: number;
}

/**
 * InstallSnapshot, sent when a follower needs entries the leader has compacted away.
 *
 * @example
 * ```ts
 * declare const snapshot: Snapshot;
 * const m: InstallSnapshot = { type: "raft.snapshot", term: 3, snapshot };
 * ```
 */
export interface InstallSnapshot {
  /** Discriminator. */
  readonly type: "raft.snapshot";
  /** Leader's term. */
  readonly term: number;
  /** The snapshot. */
  readonly snapshot: Snapshot;
}

/**
 * Leadership transfer: the receiver starts an election at once.
 *
 * @example
 * ```ts
 * const m: TimeoutNow = { type: "raft.timeoutNow", term: 3 };
 * ```
 */
export interface TimeoutNow {
  /** Discriminator. */
  readonly type: "raft.timeoutNow";
  /** Leader's term. */
  readonly term: number;
}

/**
 * Any message between Raft peers.
 *
 * @example
 * ```ts
 * function isRaftMessage(m: { type: string }): m is RaftMessage { return m.type.startsWith("raft."); }
 * ```
 */
export type RaftMessage =
  | VoteRequest
  | VoteResponse
  | AppendRequest
  | AppendResponse
  | Heartbeat
  | HeartbeatResponse
  | InstallSnapshot
  | TimeoutNow;

/**
 * A message the core wants sent, with its destination.
 *
 * @example
 * ```ts
 * const out: OutboundMessage = { to: "n2", message: { type: "raft.timeoutNow", term: 3 } };
 * ```
 */
export interface OutboundMessage {
  /** Destination node. */
  readonly to: NodeId;
  /** The message. */
  readonly message: RaftMessage;
}
