/**
 * @distkit/clocks: logical, version, hybrid, interval and interval-tree clocks. Pure data structures
 * with no runtime dependencies; time always comes from a function you pass in.
 * @module
 */
export { compareDots, type Dot, dot, dotKey } from "./dot.js";
export { ClockOffsetError, ClocksError, type ClocksErrorCode, DecodeError } from "./errors.js";
export {
  compareHlc,
  decodeHlc,
  encodeHlc,
  HLC_MAX_LOGICAL,
  HLC_MAX_PHYSICAL_MS,
  type HlcTimestamp,
  HybridLogicalClock,
  type HybridLogicalClockOptions,
  hlcFromBigInt,
  hlcFromString,
  hlcTimestamp,
  hlcToBigInt,
  hlcToString,
} from "./hybrid-logical-clock.js";
export { type Ordering, reverseOrdering } from "./ordering.js";
export { VectorClock } from "./vector-clock.js";
export { VersionVector } from "./version-vector.js";
export { DottedVersionVector } from "./dotted-version-vector.js";
export { DVVSet, type DVVSetEntry, type DVVSetJSON } from "./dvv-set.js";
export { jsonValueCodec, type ValueCodec } from "./value-codec.js";
export {
  classifyVersion,
  IntervalClock,
  type IntervalClockOptions,
  readWithUncertainty,
  type TimeInterval,
  type UncertainReadResult,
  type UncertaintyInterval,
  uncertaintyInterval,
  type VersionVisibility,
} from "./interval-clock.js";
export { compareLamport, LamportClock, type LamportTimestamp, lamportTimestamp } from "./lamport-clock.js";
export { type ItcEvent, type ItcId, ItcStamp } from "./interval-tree-clock.js";
