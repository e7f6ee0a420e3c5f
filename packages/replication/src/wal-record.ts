/**
 * Write-ahead log records and what a failover reports about them.
 * @module
 */
import type { NodeId } from "@distkit/sim-net";
import type { JsonValue } from "./json-value.js";

/**
 * One record of a single leader's write-ahead log: `key := value`, at log position `lsn`, written by
 * the leader of `epoch`.
 *
 * @example
 * ```ts
 * import type { WalRecord } from "@distkit/replication";
 * const r: WalRecord = { lsn: 1, epoch: 1, key: "x", value: 7, writeId: "c1:1", leaderTimeMs: 0 };
 * ```
 */
export interface WalRecord {
  /** Log sequence number: 1, 2, 3, ... without gaps. */
  readonly lsn: number;
  /** Epoch (fencing token) of the leader that wrote it. */
  readonly epoch: number;
  /** The key written. */
  readonly key: string;
  /** The value written (`null` deletes). */
  readonly value: JsonValue;
  /** Client-chosen identifier of the write (client id and sequence), to match reports with histories. */
  readonly writeId: string;
  /** The writing leader's local clock when it appended the record (for lag in milliseconds). */
  readonly leaderTimeMs: number;
}

/**
 * Writes a node discarded because they were not in the new leader's log. `acknowledged` lists the
 * ones a client had been told were committed: those are lost acknowledged writes. A report is made
 * every time a node rewinds, so a loss is never silent.
 *
 * @example
 * ```ts
 * import type { LostWritesReport } from "@distkit/replication";
 * function onReport(r: LostWritesReport) {
 *   console.log(`${r.node} lost ${r.acknowledged.length} acknowledged writes after lsn ${r.truncatedAfterLsn}`);
 * }
 * ```
 */
export interface LostWritesReport {
  /** The node that rewound its log. */
  readonly node: NodeId;
  /** The epoch whose leader's log won. */
  readonly epoch: number;
  /** The node kept records up to this position and discarded everything after it. */
  readonly truncatedAfterLsn: number;
  /** Every discarded record. */
  readonly discarded: readonly WalRecord[];
  /** The discarded records that had been acknowledged to clients (committed). */
  readonly acknowledged: readonly WalRecord[];
  /** The node's local clock when it rewound. */
  readonly atMs: number;
}

/**
 * What a follower knows when it is promoted: where the new epoch starts and which positions the
 * previous leader had acknowledged but this node never received (lost for certain; the exact records
 * are listed by the old leader's {@link LostWritesReport} when it rejoins).
 *
 * @example
 * ```ts
 * import type { PromotionReport } from "@distkit/replication";
 * function describe(r: PromotionReport) {
 *   return r.missingAcknowledged ? `lost lsn ${r.missingAcknowledged.fromLsn}..${r.missingAcknowledged.toLsn}` : "nothing lost";
 * }
 * ```
 */
export interface PromotionReport {
  /** The promoted node. */
  readonly node: NodeId;
  /** The new epoch (fencing token). */
  readonly epoch: number;
  /** The leader this node followed before (if it knew one). */
  readonly previousLeader: NodeId | undefined;
  /** This node's last log position at promotion; the new epoch's first record gets `lastLsn + 1`. */
  readonly lastLsn: number;
  /** The highest commit position the previous leader had announced to this node. */
  readonly previousCommitLsnSeen: number;
  /** The highest log position the previous leader had announced to this node. */
  readonly previousLastLsnSeen: number;
  /** Acknowledged positions this node lacks (`previousCommitLsnSeen > lastLsn`), or `undefined`. */
  readonly missingAcknowledged: { readonly fromLsn: number; readonly toLsn: number } | undefined;
  /** The node's local clock at promotion. */
  readonly atMs: number;
}
