/**
 * @distkit/workbench: test your own protocol against Maelstrom-style workloads (echo, unique ids,
 * broadcast, grow-only and PN counters, linearizable KV, Kafka-style logs), nemeses (partitions,
 * crashes, pauses, clock skew, loss, duplication) and checkers, over sim-net's deterministic
 * simulator: many seeds, the failing seed's fault schedule shrunk with fast-check, replay, pictures.
 *
 * @module
 */
export { WorkbenchError, type WorkbenchErrorCode } from "./errors.js";
export type { NodeProblem, NodeProblemKind, NodeReport } from "./guard.js";
export {
  NEMESIS_KINDS,
  type NemesisKind,
  type NemesisOptions,
  describeSchedule,
  nemesisArb,
  parseNemesis,
  recoveryTail,
} from "./nemesis.js";
export {
  type ClientReply,
  type ClientRequest,
  ERROR_CODES,
  type ErrorName,
  type ErrorReply,
  type Json,
  errorName,
  errorTo,
  isClientRequest,
  isDefiniteError,
  jsonProblem,
  replyTo,
} from "./protocol.js";
export type { RunSpec, SeedRun, SeedVerdict, WorkbenchNodeFactory } from "./run-seed.js";
export {
  type NemesisSpec,
  type Pictures,
  type RunWorkloadOptions,
  type WorkloadFailure,
  type WorkloadResult,
  assertWorkload,
  formatResult,
  picturesOf,
  replayWorkload,
  runWorkload,
  scheduleForSeed,
  workloadProperty,
} from "./run-workload.js";
export { renderReportHtml } from "./report.js";
export { type SeedSpec, parseSeeds, seedList } from "./seeds.js";
export { LatencyBuckets, type LatencySummary, type RunStats, percentiles } from "./stats.js";
export type {
  CheckContext,
  CheckOutcome,
  ClientView,
  Decoded,
  PlannedOperation,
  WorkbenchOperation,
  Workload,
  WorkloadRun,
} from "./workload.js";
export { type BroadcastOptions, broadcast } from "./workloads/broadcast.js";
export { gCounter, pnCounter } from "./workloads/counter.js";
export { echo } from "./workloads/echo.js";
export { type LinKvOptions, keyedRegisterModel, linKv } from "./workloads/lin-kv.js";
export { uniqueIds } from "./workloads/unique-ids.js";
export { WORKLOADS, type WorkloadName, workloadByName } from "./workloads/registry.js";
