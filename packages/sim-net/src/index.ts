/**
 * @distkit/sim-net: a deterministic discrete-event simulator of nodes on a network. Virtual time,
 * seeded faults (latency distributions, loss, duplication, reordering, clogging, partitions, crashes,
 * pauses, clock skew, storage faults), fault schedules as data, traces with digests, JSON export and
 * SVG space-time diagrams.
 *
 * @module
 */
export type { ClockConfig } from "./clock.js";
export type {
  DurableStorage,
  Message,
  NodeContext,
  NodeFactory,
  NodeId,
  Random,
  SimNode,
  TimerId,
} from "./contract.js";
export { EventStormError, SimNetError, type SimNetErrorCode } from "./errors.js";
export { EventQueue } from "./event-queue.js";
export { FAULT_KINDS, type FaultEvent, type FaultKind, type FaultSchedule } from "./fault-schedule.js";
export {
  type LatencyDistribution,
  type LatencySampler,
  type MixtureComponent,
  sampleLatency,
  validateLatency,
} from "./latency.js";
export { DEFAULT_LINK_CONFIG, type LinkConfig, validateLinkConfig } from "./link-config.js";
export { SeededRandom, deriveSeed, fnv1a32 } from "./random.js";
export {
  type CrashOptions,
  type EventListener,
  type NodeOptions,
  type NodeRef,
  type NodeStatus,
  type RunOptions,
  type RunUntilOptions,
  Simulation,
  type SimulationOptions,
} from "./simulation.js";
export { LatencyHistogram, type LinkStats, type NodeStats, type SimStats } from "./stats.js";
export { escapeXml, type SvgOptions } from "./svg.js";
export { Trace, type TraceJSON, type TraceMode } from "./trace.js";
export type { DropReason, TraceEvent, TraceEventKind } from "./trace-event.js";
