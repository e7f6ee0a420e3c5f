/**
 * Messages of multi-leader replication.
 * @module
 */
import type { HlcTimestamp } from "@distkit/clocks";
import type { NodeId } from "@distkit/sim-net";
import type { JsonValue } from "./json-value.js";

/**
 * The kind of a write to a multi-leader store. `insert` fails where the key exists, `update` fails
 * where it does not (at the leader that takes the write); `put` always succeeds; `crdt` applies a
 * CRDT operation.
 *
 * @example
 * ```ts
 * import type { WriteOp } from "@distkit/replication";
 * const op: WriteOp = "insert";
 * ```
 */
export type WriteOp = "put" | "insert" | "update" | "crdt";

/**
 * One replicated change: written by `origin` as its `seq`-th change, carrying what its writer had
 * seen of the key (`context`) and of the whole store (`deps`), and the leaders it passed (`path`,
 * for loop prevention).
 *
 * @example
 * ```ts
 * import type { Change } from "@distkit/replication";
 * const c: Change = { origin: "a", seq: 1, key: "x", op: "put", value: 1, hlc: { physicalMs: 5, logical: 0 }, context: {}, deps: {}, path: ["a"] };
 * ```
 */
export interface Change {
  readonly origin: NodeId;
  readonly seq: number;
  readonly key: string;
  readonly op: WriteOp;
  /** The value (put, insert, update) or the encoded CRDT delta (crdt: an array of bytes). */
  readonly value: JsonValue;
  readonly hlc: HlcTimestamp;
  /** The writer's causal context of this key (a version vector as JSON). */
  readonly context: Readonly<Record<NodeId, number>>;
  /** The writer's applied changes per origin when it wrote (for causal delivery). */
  readonly deps: Readonly<Record<NodeId, number>>;
  /** Leaders the change passed, origin first. */
  readonly path: readonly NodeId[];
}

/**
 * Outcome of a write to a multi-leader store.
 *
 * @example
 * ```ts
 * import type { MultiLeaderWriteResult } from "@distkit/replication";
 * const ok = (r: MultiLeaderWriteResult) => r.outcome === "ok";
 * ```
 */
export type MultiLeaderWriteResult =
  | { readonly outcome: "ok"; readonly origin: NodeId; readonly seq: number; readonly hlc: HlcTimestamp }
  | { readonly outcome: "rejected"; readonly reason: string }
  | { readonly outcome: "not-leader" }
  | { readonly outcome: "timeout" };

/**
 * What a read of a multi-leader store returns: the resolved value and, under the `siblings` and
 * `merge` policies, the concurrent values kept.
 *
 * @example
 * ```ts
 * import type { MultiLeaderReadResult } from "@distkit/replication";
 * const conflicted = (r: MultiLeaderReadResult) => r.siblings.length > 1;
 * ```
 */
export interface MultiLeaderReadResult {
  readonly value: JsonValue;
  readonly siblings: readonly JsonValue[];
}

/**
 * Every message a {@link MultiLeaderNode} sends or accepts.
 *
 * @example
 * ```ts
 * import type { MultiLeaderMessage } from "@distkit/replication";
 * const m: MultiLeaderMessage = { type: "ml-read", requestId: 1, key: "x" };
 * ```
 */
export type MultiLeaderMessage =
  | {
      readonly type: "ml-changes";
      /** The sender's incarnation (bumped at every restart): link sequence numbers restart with it. */
      readonly incarnation: number;
      /** Link sequence numbers up to `base` were acknowledged by the receiver (durably applied). */
      readonly base: number;
      readonly firstSeq: number;
      readonly changes: readonly Change[];
    }
  | { readonly type: "ml-ack"; readonly incarnation: number; readonly upTo: number }
  | {
      readonly type: "ml-write";
      readonly requestId: number;
      readonly key: string;
      readonly op: WriteOp;
      readonly value: JsonValue;
    }
  | { readonly type: "ml-write-result"; readonly requestId: number; readonly result: MultiLeaderWriteResult }
  | { readonly type: "ml-read"; readonly requestId: number; readonly key: string }
  | { readonly type: "ml-read-result"; readonly requestId: number; readonly result: MultiLeaderReadResult };
