/**
 * @distkit/quorum: Dynamo-style leaderless replication over the sim-net node contract. Preference lists
 * from a `@distkit/hashing` partitioner; per-request N, R, W and consistency levels; DVV siblings (Riak),
 * last-write-wins (Cassandra) or CRDT merge; blocking and async read repair; Merkle-tree anti-entropy;
 * sloppy quorums with durable hinted handoff; tombstones with garbage collection; membership changes.
 * @module
 */
export {
  CONSISTENCY_LEVELS,
  type ConsistencyLevel,
  isStrictQuorum,
  levelToCount,
  type QuorumSize,
  type ResolvedQuorum,
  resolveQuorum,
} from "./consistency.js";
export { crdtHex, crdtPolicy, type DistkitCrdt, fromDistkitCrdt, type JsonCrdt } from "./crdt-policy.js";
export { type DvvState, type DvvValue, dvvPolicy } from "./dvv-policy.js";
export { QuorumError, type QuorumErrorCode } from "./errors.js";
export type { Json } from "./json.js";
export { type LwwState, lwwPolicy } from "./lww-policy.js";
export { MAX_MERKLE_DEPTH, MerkleTree } from "./merkle-tree.js";
export type {
  QuorumMessage,
  ReadRepairMode,
  ReadResult,
  RequestOptions,
  WriteMode,
  WriteResult,
} from "./messages.js";
export { type PlacementStrategy, partitionerPlacement } from "./placement.js";
export {
  type ClientHistoryEvent,
  type ClientRouting,
  type KvCheckEvent,
  kvCheckEvents,
  type PutOptions,
  QuorumClient,
  type QuorumClientConfig,
} from "./quorum-client.js";
export {
  type AntiEntropyConfig,
  QuorumNode,
  type QuorumNodeConfig,
  type QuorumNodeStats,
} from "./quorum-node.js";
export type { CausalContext, ReadView, VersioningPolicy, WriteIntent } from "./versioning.js";
export {
  PBS_LATENCY_MODELS,
  type PbsExperimentOptions,
  type PbsExperimentResult,
  pbsEventBudget,
  runPbsExperiment,
  sampleWarsLeg,
  type WarsLeg,
  type WarsModel,
  warsPrediction,
  warsSampler,
  warsStalenessWindows,
} from "./pbs.js";
export { type QuantileInterval, quantile, quantileConfidenceInterval } from "./quantile-interval.js";
