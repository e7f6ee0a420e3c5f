/**
 * @distkit/hashing: hash functions, partitioners behind one interface, rebalancing plans and quality metrics.
 * Pure and deterministic: the same members give the same mapping on every machine.
 * @module
 */

export { BoundedLoadRing, type BoundedLoadRingOptions } from "./bounded-load-ring.js";
export { crc16, REDIS_SLOT_COUNT, redisHashSlot, redisHashTag } from "./crc16.js";
export { HashingError, type HashingErrorCode, HashingInvariantError } from "./errors.js";
export { HashRing, type HashRingOptions } from "./hash-ring.js";
export { JumpHash, type JumpHashOptions } from "./jump.js";
export { jumpConsistentHash } from "./jump-hash.js";
export { isPrime, MaglevHash, type MaglevOptions } from "./maglev.js";
export {
  type LoadReport,
  loadReport,
  loadReportFromCounts,
  type MovementReport,
  movement,
} from "./metrics.js";
export { type Member, type MemberId, type MemberInput, weightShares } from "./member.js";
export { ModNPartitioner, type ModNOptions } from "./mod-n.js";
export { murmur3_32 } from "./murmur3.js";
export { murmur3_128 } from "./murmur3-128.js";
export { type Partitioner, type PartitionerKind, planRebalance } from "./partitioner.js";
export {
  applyPlan,
  HASH_SPACE,
  idealMovedShare,
  type KeyUnit,
  type Move,
  type RebalancePlan,
  type Slotting,
  slotOf,
  unitContains,
} from "./rebalance-plan.js";
export {
  type HashRangeOptions,
  type RangeAssignment,
  type RangeDomain,
  RangePartitioner,
  type SplitHotOptions,
} from "./range-partitioner.js";
export { RendezvousHash, type RendezvousOptions } from "./rendezvous.js";
export { SlotPartitioner, type SlotPartitionerOptions } from "./slot-partitioner.js";
export { xxhash32 } from "./xxhash32.js";
