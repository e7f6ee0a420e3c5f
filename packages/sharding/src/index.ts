/**
 * @distkit/sharding: sharded replicated clusters over sim-net. A config-service Raft group holds the
 * versioned shard map (ranges with epochs); each shard is a Raft group running a shard state machine; three
 * routing styles (central router, client-side map, MOVED/ASK redirection); live migration of ranges with
 * exactly-once writes; a balancer, splits, merges and load statistics.
 * @module
 */
export {
  type ShardClientMetrics,
  type ShardClientOptions,
  ShardClient,
  type RoutingStyle,
} from "./client.js";
export {
  AdminNode,
  buildShardedCluster,
  type ShardedCluster,
  type ShardedClusterOptions,
} from "./cluster.js";
export { type BalancerHook, ConfigServer, type ConfigServerOptions } from "./config-server.js";
export {
  type ConfigCommand,
  type ConfigResult,
  type ConfigSnapshot,
  ConfigStateMachine,
  type MigrationRecord,
} from "./config-state.js";
export {
  Dispatcher,
  type DispatcherMetrics,
  type DispatcherOptions,
  type MapSource,
  type ScanResult,
} from "./dispatcher.js";
export { ShardingError, type ShardingErrorCode } from "./errors.js";
export { type CallOutcome, GroupCaller, type GroupCallerOptions } from "./group-caller.js";
export {
  isWrite,
  operationKeys,
  type ShardOperation,
  type ShardOutcome,
  validateOperation,
} from "./operations.js";
export {
  HASH_POSITION_DIGITS,
  HASHED_SPACE,
  isValidPosition,
  keyPosition,
  numericPosition,
  type PartitionScheme,
  positionValue,
  SLOT_POSITION_DIGITS,
  spaceSize,
  validateScheme,
} from "./position.js";
export type { GroupReply, RoutedResult, RouteHint, ShardingMessage } from "./protocol.js";
export {
  type HostedStateMachine,
  isRaftMessage,
  type ProposalOutcome,
  RaftHost,
  type RaftHostOptions,
} from "./raft-host.js";
export { RouterNode, type RouterOptions } from "./router.js";
export {
  type RangeDescriptor,
  type ShardId,
  type ShardInfo,
  ShardMap,
  type ShardMapData,
  type ShardMapOptions,
} from "./shard-map.js";
export { ShardServer, type ShardServerMetrics, type ShardServerOptions } from "./shard-server.js";
export {
  type IncomingMigration,
  type MigrationItem,
  type MovedInterval,
  type OutgoingMigration,
  type OwnedInterval,
  type ShardCommand,
  type ShardCommandResult,
  type ShardSnapshot,
  ShardStateMachine,
} from "./shard-state.js";
