/**
 * @distkit/raft: Raft consensus (pre-vote, check-quorum, pipelining, snapshots, ReadIndex and lease
 * reads, joint consensus, leadership transfer) replicating any deterministic state machine, with a
 * linearizable key-value store built in, as sim-net nodes.
 * @module
 */
export type {
  KvReply,
  KvRequest,
  KvResponse,
  RaftNodeMessage,
  SmReply,
  SmRequest,
  SmResponse,
} from "./client-protocol.js";
export type { RaftConfig, ResolvedRaftConfig } from "./config.js";
export { resolveRaftConfig } from "./config.js";
export type { RaftErrorCode } from "./errors.js";
export { RaftError } from "./errors.js";
export type { JsonValue } from "./json.js";
export { assertJsonValue, isJsonValue } from "./json.js";
export type { KvClientOptions, KvClientResult } from "./kv-client.js";
export { KvClient } from "./kv-client.js";
export type {
  KvCommand,
  KvOperation,
  KvOutcome,
  KvSnapshotData,
  KvWriteOperation,
} from "./kv-state-machine.js";
export { KvStateMachine, validateKvOperation } from "./kv-state-machine.js";
export type { KvQuery } from "./kv-store.js";
export { KvStore } from "./kv-store.js";
export type { MembershipChange } from "./membership.js";
export type {
  AppendRequest,
  AppendResponse,
  ConfigChangeData,
  HardState,
  Heartbeat,
  HeartbeatResponse,
  InstallSnapshot,
  LogEntry,
  Membership,
  OutboundMessage,
  RaftMessage,
  Snapshot,
  TimeoutNow,
  VoteRequest,
  VoteResponse,
} from "./messages.js";
export type { ProgressState } from "./progress.js";
export type {
  PeerProgress,
  ProposeResult,
  RaftCoreInit,
  RaftMetrics,
  RaftRole,
  RaftStatus,
  ReadIndexResult,
  ReadState,
  Ready,
  RecoveredState,
  TransferResult,
} from "./raft-core.js";
export { estimateSizeBytes, RaftCore } from "./raft-core.js";
export type { RaftClientOptions, RaftClientResult } from "./raft-client.js";
export { RaftClient } from "./raft-client.js";
export type { RaftNodeOptions, ReadMode } from "./raft-node.js";
export { RaftNode } from "./raft-node.js";
export type {
  ClientSession,
  ProposalData,
  ProposalOutcome,
  ProposeOptions,
  QueryOutcome,
  StateMachine,
} from "./state-machine.js";
