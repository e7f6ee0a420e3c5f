/**
 * Reconciling the replicas' lost-write reports with what the clients saw.
 * @module
 */
import type { ClientOperation } from "./replication-client.js";
import type { LostWritesReport, WalRecord } from "./wal-record.js";

/**
 * The writes discarded by rewinds (every {@link LostWritesReport}), split by what their clients saw:
 *
 * - `acknowledgedLost`: the client saw `ok`: an acknowledged write that is gone;
 * - `indeterminate`: the client saw a timeout or `unknown` (or never finished): it was never promised,
 *   and it did not happen;
 * - `unmatched`: no client operation of the ones given has this write id.
 *
 * Each write appears once, however many replicas discarded it; pass the final leader's log as
 * `finalLog` to leave out writes that one replica discarded but that survived (a rewind to a leader
 * that later lost to one holding them). A replica's own report cannot make this
 * split exactly: a leader that answered "ok" does not know whether the answer arrived before the
 * client's timeout.
 *
 * @example
 * ```ts
 * import { classifyLostWrites } from "@distkit/replication";
 * // const reports = replicas.flatMap((r) => r.lostWrites);
 * // const ops = clients.flatMap((c) => c.operations);
 * // const { acknowledgedLost, indeterminate } = classifyLostWrites(reports, ops, leader.records());
 * console.log(classifyLostWrites([], []).acknowledgedLost.length); // 0
 * ```
 */
export function classifyLostWrites(
  reports: readonly LostWritesReport[],
  operations: readonly ClientOperation[],
  finalLog: readonly WalRecord[] = [],
): {
  readonly acknowledgedLost: readonly WalRecord[];
  readonly indeterminate: readonly WalRecord[];
  readonly unmatched: readonly WalRecord[];
} {
  const status = new Map<string, ClientOperation["status"]>();
  for (const op of operations) if (op.f === "write") status.set(op.writeId, op.status);
  const seen = new Set<string>(finalLog.map((r) => r.writeId));
  const acknowledgedLost: WalRecord[] = [];
  const indeterminate: WalRecord[] = [];
  const unmatched: WalRecord[] = [];
  for (const report of reports) {
    for (const r of report.discarded) {
      if (seen.has(r.writeId)) continue;
      seen.add(r.writeId);
      const s = status.get(r.writeId);
      if (s === "ok") acknowledgedLost.push(r);
      else if (s === undefined) unmatched.push(r);
      else indeterminate.push(r);
    }
  }
  return { acknowledgedLost, indeterminate, unmatched };
}
