/**
 * @distkit/replication: single-leader replication (WAL shipping; async, sync, FIRST k and ANY k
 * commit with a fallback timeout; lag; session guarantees; manual and automatic failover with
 * epochs as fencing tokens and explicit lost-write reports) and multi-leader replication
 * (all-to-all, circular and star topologies; LWW, version-vector siblings, merge functions and
 * CRDT values), all as nodes of the `@distkit/sim-net` simulator.
 * @module
 */
export { type ConflictPolicy, type CrdtValueType, validateConflictPolicy } from "./conflict-policy.js";
export { type CommitMode, commitSatisfied, validateCommitMode } from "./commit-mode.js";
export { ReplicationError, type ReplicationErrorCode } from "./errors.js";
export type { JsonValue } from "./json-value.js";
export { type LeaseMessage, LeaseServerNode, leaseServerStore } from "./lease-server.js";
export {
  type LeaseCommand,
  type LeaseOutcome,
  type LeaseStore,
  type LeaseStoreFactory,
  LeaseTable,
} from "./lease-store.js";
export { MultiLeaderClient } from "./multi-leader-client.js";
export type {
  Change,
  MultiLeaderMessage,
  MultiLeaderReadResult,
  MultiLeaderWriteResult,
  WriteOp,
} from "./multi-leader-message.js";
export {
  type MultiLeaderConfig,
  MultiLeaderNode,
  type MultiLeaderStats,
  validateMultiLeaderConfig,
} from "./multi-leader-node.js";
export { type RaftLeaseStoreOptions, raftLeaseStore } from "./raft-lease-store.js";
export type { ReadResult, ReplicaMessage, WriteResult } from "./replica-message.js";
export {
  type AutomaticFailoverConfig,
  type FailoverStatus,
  type FollowerLag,
  type ReplicaConfig,
  type ReplicaStatus,
  validateReplicaConfig,
} from "./replica-config.js";
export { ReplicaNode } from "./replica-node.js";
export { atLeastAsUpToDate, failoverQuorum, judgeCandidacy } from "./failover-rule.js";
export {
  type ClientOperation,
  type ReadOptions,
  ReplicationClient,
  type ReplicationClientConfig,
} from "./replication-client.js";
export { nextHops, type Topology, validateTopology } from "./topology.js";
export { classifyLostWrites } from "./lost-writes.js";
export type { LostWritesReport, PromotionReport, WalRecord } from "./wal-record.js";
