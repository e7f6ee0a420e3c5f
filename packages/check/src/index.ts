/**
 * @distkit/check: histories, a linearizability checker (Wing & Gong / Lowe, as in Porcupine), and
 * sequential-consistency, session-guarantee, staleness and convergence checks.
 * @module
 */
export type { EdnValue } from "./edn.js";
export { Keyword, parseEdn } from "./edn.js";
export type { CheckErrorCode } from "./errors.js";
export { CheckError, ParseError } from "./errors.js";
export { describeOperation, describeState } from "./describe.js";
export { hashString, hashValue, mixHash, valuesEqual } from "./hash.js";
export type {
  EventType,
  History,
  HistoryEvent,
  HistoryFromEventsOptions,
  KeyedInput,
  Operation,
  OperationInput,
  OperationStatus,
  ProcessId,
} from "./history.js";
export { formatValue, historyFromEvents, historyFromOperations, validateHistory } from "./history.js";
export type { OperationHandle } from "./history-recorder.js";
export { HistoryRecorder } from "./history-recorder.js";
export type { JepsenParseOptions } from "./jepsen-parser.js";
export { parseHistory, parseJepsenEdn, parseJepsenLog } from "./jepsen-parser.js";
export type { KvModelOptions } from "./kv-model.js";
export { KvState, kvModel } from "./kv-model.js";
export type {
  Linearizable,
  LinearizabilityFailure,
  LinearizabilityOptions,
  LinearizabilityResult,
  LinearizabilityUnknown,
  NotLinearizable,
  PartitionCheck,
  StuckCandidate,
  Verdict,
} from "./linearizability.js";
export { checkLinearizable } from "./linearizability.js";
export type { Model, PartitionKey } from "./model.js";
export { ILLEGAL } from "./model.js";
export type { FailedCasConvention, RegisterModelOptions, RegisterValue } from "./register-model.js";
export { registerModel } from "./register-model.js";
export type { QueueState, SetState } from "./collection-models.js";
export { counterModel, queueModel, setModel } from "./collection-models.js";
export type { SequentialConsistencyOptions, SequentialConsistencyResult } from "./sequential-consistency.js";
export { checkSequentialConsistency } from "./sequential-consistency.js";
export type {
  SessionGuarantee,
  SessionGuaranteesResult,
  SessionViolation,
  ValueCheckOptions,
} from "./session-guarantees.js";
export { checkSessionGuarantees } from "./session-guarantees.js";
export type { ReadStaleness, StalenessReport } from "./staleness.js";
export { measureStaleness, versionOrderFromLinearization } from "./staleness.js";
export type { ConvergenceOptions, ConvergenceResult, ReplicaGroup } from "./convergence.js";
export { checkConvergence } from "./convergence.js";
export type { RenderOptions } from "./render.js";
export { renderHistoryHtml, renderHistorySvg } from "./render.js";
