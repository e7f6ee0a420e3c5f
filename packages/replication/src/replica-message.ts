/**
 * Messages of single-leader replication: client requests and results, WAL shipping, fencing.
 * @module
 */
import type { NodeId } from "@distkit/sim-net";
import type { CommitMode } from "./commit-mode.js";
import type { JsonValue } from "./json-value.js";
import type { WalRecord } from "./wal-record.js";

/**
 * Outcome of a write sent to a single leader.
 *
 * - `ok`: committed under the requested commit mode (or under async when `degraded`).
 * - `not-leader`: the node is not (or no longer, or not provably) the leader; `leader` is its guess.
 * - `rejected`: the write was refused before it was logged (bad per-write commit mode, overload).
 * - `unknown`: the leader was deposed while the write waited; it may or may not survive.
 * - `timeout`: the client gave up waiting; the write may or may not have happened.
 *
 * @example
 * ```ts
 * import type { WriteResult } from "@distkit/replication";
 * const show = (r: WriteResult) => (r.outcome === "ok" ? `lsn ${r.lsn}` : r.outcome);
 * ```
 */
export type WriteResult =
  | {
      readonly outcome: "ok";
      readonly lsn: number;
      readonly epoch: number;
      /** True when the commit mode's wait timed out and the write was acknowledged asynchronously. */
      readonly degraded: boolean;
    }
  | { readonly outcome: "not-leader"; readonly leader: NodeId | undefined }
  | { readonly outcome: "rejected"; readonly reason: string }
  | { readonly outcome: "unknown"; readonly reason: string }
  | { readonly outcome: "timeout" };

/**
 * Outcome of a read. `appliedLsn` is the position of the replica's state the value was read from.
 *
 * @example
 * ```ts
 * import type { ReadResult } from "@distkit/replication";
 * const show = (r: ReadResult) => (r.outcome === "ok" ? JSON.stringify(r.value) : r.outcome);
 * ```
 */
export type ReadResult =
  | {
      readonly outcome: "ok";
      readonly value: JsonValue;
      readonly appliedLsn: number;
      readonly epoch: number;
      readonly servedBy: NodeId;
      readonly role: "leader" | "follower";
    }
  | { readonly outcome: "not-leader"; readonly leader: NodeId | undefined }
  | { readonly outcome: "timeout"; readonly appliedLsn: number };

/**
 * Every message a {@link ReplicaNode} sends or accepts.
 *
 * @example
 * ```ts
 * import type { ReplicaMessage } from "@distkit/replication";
 * const m: ReplicaMessage = { type: "client-read", requestId: 1, key: "x", minLsn: 0, waitTimeoutMs: 0, leaderOnly: false };
 * ```
 */
export type ReplicaMessage =
  | {
      readonly type: "client-write";
      readonly requestId: number;
      readonly key: string;
      readonly value: JsonValue;
      readonly writeId: string;
      readonly commit?: CommitMode;
    }
  | { readonly type: "client-write-result"; readonly requestId: number; readonly result: WriteResult }
  | {
      readonly type: "client-read";
      readonly requestId: number;
      readonly key: string;
      /** Serve only once the replica has applied this position (0: at once). */
      readonly minLsn: number;
      /** How long to wait for `minLsn` before answering `timeout`. */
      readonly waitTimeoutMs: number;
      /** Refuse unless this node is the (confirmed) leader. */
      readonly leaderOnly: boolean;
    }
  | { readonly type: "client-read-result"; readonly requestId: number; readonly result: ReadResult }
  | {
      readonly type: "wal-append";
      readonly epoch: number;
      readonly prevLsn: number;
      readonly prevEpoch: number;
      readonly records: readonly WalRecord[];
      readonly commitLsn: number;
      readonly leaderLastLsn: number;
      readonly barrierSeq: number;
    }
  | {
      readonly type: "wal-ack";
      readonly epoch: number;
      readonly flushedLsn: number;
      readonly appliedLsn: number;
      readonly barrierSeq: number;
    }
  | {
      readonly type: "wal-mismatch";
      readonly epoch: number;
      readonly hintLsn: number;
      readonly hintEpoch: number;
    }
  | { readonly type: "epoch-reject"; readonly epoch: number; readonly leader: NodeId | undefined }
  | { readonly type: "position-query"; readonly epoch: number }
  | {
      readonly type: "position-reply";
      readonly epoch: number;
      readonly lastLsn: number;
      readonly lastEpoch: number;
      readonly leader: NodeId | undefined;
    }
  | {
      /** The sender holds the lease of `epoch`: adopt it (refuse older leaders) and report your log. */
      readonly type: "fence-request";
      readonly epoch: number;
      readonly round: number;
    }
  | {
      readonly type: "fence-reply";
      /** The replier's epoch after handling the request. */
      readonly epoch: number;
      readonly round: number;
      /** Whether it adopted the requested epoch (false: it knows a newer one, or another leader of it). */
      readonly accepted: boolean;
      readonly lastLsn: number;
      readonly lastEpoch: number;
      /** The highest position it knows was acknowledged (within its log), and that record's epoch. */
      readonly commitLsn: number;
      readonly commitEpoch: number;
      readonly leader: NodeId | undefined;
    };
