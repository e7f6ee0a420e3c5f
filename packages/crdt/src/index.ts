/**
 * @distkit/crdt: convergent replicated data types (counters, registers, sets, maps, flags) and a fast
 * text CRDT. Every type is a mutable replica state whose mutators return deltas; `merge` joins states
 * and deltas alike.
 * @module
 */
export { CausalContext, type Dot } from "./causal-context.js";
export type { Crdt, CrdtType } from "./crdt.js";
export { DisableWinsFlag } from "./disable-wins-flag.js";
export { EnableWinsFlag } from "./enable-wins-flag.js";
export { CrdtError, type CrdtErrorCode, DecodeError } from "./errors.js";
export { GCounter } from "./g-counter.js";
export { GSet } from "./g-set.js";
export { canonicalJson, type JsonValue, type ReplicaId } from "./json.js";
export { LWWElementSet } from "./lww-element-set.js";
export { LWWMap } from "./lww-map.js";
export { LWWRegister } from "./lww-register.js";
export { MVRegister } from "./mv-register.js";
export { ORMap } from "./or-map.js";
export { ORSet } from "./or-set.js";
export { PNCounter } from "./pn-counter.js";
export { RemoveWinsSet } from "./remove-wins-set.js";
export { compareTimestamps, type LwwTimestamp, lwwTimestampFromHlc } from "./timestamp.js";
export { TwoPhaseSet } from "./two-phase-set.js";
export {
  TextDoc,
  type TextDeleteRange,
  type TextDocOptions,
  type TextId,
  type TextInsert,
  type TextUpdate,
} from "./text-doc.js";
