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
 * Writes a node discarded because they were not in the new leader's log, split in two:
 * `acknowledged` lists the ones a leader had committed and answered "ok" for (lost acknowledged
 * writes; a client that timed out before the answer arrived saw a timeout, see
 * `classifyLostWrites` to split them by what the clients saw), and `indeterminate` the ones this
 * node did not know to be acknowledged (see the field). A report is made every time a node rewinds, so a loss is never silent. With automatic
 * failover under `sync`, `first` or `any` commit, `acknowledged` is always empty (see the README's
 * failover rule); under `async` it is the loss.
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
  /**
   * The discarded records this node did not know to be acknowledged (`discarded` minus
   * `acknowledged`): on the node that led when they were written, never acknowledged (their clients
   * saw a timeout or `unknown`); on a follower, possibly acknowledged by a leader whose commit position
   * had not reached it, in which case that leader's own report lists them as acknowledged.
   */
  readonly indeterminate: readonly WalRecord[];
  /** The node's local clock when it rewound. */
  readonly atMs: number;
}

/**
 * What a replica knows when it is promoted: where the new epoch starts, how its automatic failover
 * proved it holds every acknowledged write (`fencing`), and which acknowledged positions it may lack
 * (`missingAcknowledged`: what the previous leader announced to it, and what the fenced replicas
 * knew was committed, beyond its own log; the exact records are listed by the old side's
 * {@link LostWritesReport} when it rejoins). With automatic failover under `sync`, `first` or `any`
 * commit, `missingAcknowledged` is `undefined` except for writes acknowledged `degraded` (fallback
 * timeout) or with a weaker per-write commit mode; under `async` it is the gap the new leader can see.
 *
 * @example
 * ```ts
 * import type { PromotionReport } from "@distkit/replication";
 * function describe(r: PromotionReport) {
 *   // e.g. "lossless: heard n2, n3 (needed 2)" after an automatic failover under ANY 1
 *   if (r.fencing?.lossless && r.missingAcknowledged === undefined) return `lossless: heard ${r.fencing.heard.join(", ")} (needed ${r.fencing.needed})`;
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
  /**
   * Acknowledged positions this node may lack: a position the previous leader or a fenced replica
   * knew was committed that this log does not hold (beyond its end, or a record of another epoch
   * there), or `undefined` when it holds every one it heard of.
   */
  readonly missingAcknowledged: { readonly fromLsn: number; readonly toLsn: number } | undefined;
  /** The highest committed position any source above reported (the previous leader's or a fenced replica's log). */
  readonly knownCommitLsn: number;
  /**
   * Automatic failover only (undefined for a manual `ReplicaNode.promote`): the replicas whose
   * fenced log positions the new leader had, itself included (`heard`), how many replicas it had to
   * be at least as up to date as (`needed`, see `failoverQuorum`), and whether that proves it holds
   * every write acknowledged under the store's commit mode (`lossless`: false under async).
   */
  readonly fencing:
    | { readonly heard: readonly NodeId[]; readonly needed: number; readonly lossless: boolean }
    | undefined;
  /** The node's local clock at promotion. */
  readonly atMs: number;
}
