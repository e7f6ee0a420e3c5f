import type { History, Operation } from "./history.js";
import { validateHistory } from "./history.js";
import type { LinearizabilityResult } from "./linearizability.js";
import { accessesOf, buildVersions, versionRead } from "./register-ops.js";
import type { ValueCheckOptions } from "./session-guarantees.js";

/**
 * How stale one read was.
 *
 * @example
 * ```ts
 * import type { ReadStaleness } from "@distkit/check";
 * const stale = (r: ReadStaleness) => r.versionsBehind > 0;
 * ```
 */
export interface ReadStaleness<I = unknown, O = unknown> {
  /** The read. */
  readonly operation: Operation<I, O>;
  /** The key ("" for a plain register). */
  readonly key: string;
  /** The version it returned (0 = the initial value); `undefined` for a value nobody wrote. */
  readonly versionRead: number | undefined;
  /** The newest version whose write completed before the read began (0 if none). */
  readonly latestCompletedVersion: number;
  /** How many versions behind that the read was (0 when up to date or newer). */
  readonly versionsBehind: number;
  /**
   * How long before the read began the first write it missed had completed, in ms (0 when not
   * behind): how long the returned value had already been out of date.
   */
  readonly msBehind: number;
}

/**
 * The result of {@link measureStaleness}.
 *
 * @example
 * ```ts
 * import type { StalenessReport } from "@distkit/check";
 * const share = (r: StalenessReport) => r.staleReads / Math.max(1, r.reads.length);
 * ```
 */
export interface StalenessReport<I = unknown, O = unknown> {
  /** Every successful read, in invocation order. */
  readonly reads: readonly ReadStaleness<I, O>[];
  /** Reads that were at least one version behind. */
  readonly staleReads: number;
  /** The largest versionsBehind. */
  readonly maxVersionsBehind: number;
  /** The largest msBehind. */
  readonly maxMsBehind: number;
  /** Mean versionsBehind over all reads (0 when there are none). */
  readonly meanVersionsBehind: number;
  /** A summary in words. */
  readonly explanation: string;
}

/**
 * Measures the staleness of every read of a register (read/write/cas) or kv (get/put) history whose
 * written values are unique per key: how many versions, and how many milliseconds, each read was
 * behind the latest write that had completed before the read began. Version order as in
 * {@link checkSessionGuarantees}.
 *
 * @throws CheckError when a value is written twice for a key, or for unsupported functions.
 * @example
 * ```ts
 * import { HistoryRecorder, measureStaleness } from "@distkit/check";
 * const h = new HistoryRecorder();
 * h.ok(h.invoke(0, "write", 1, 0), undefined, 10);
 * h.ok(h.invoke(1, "read", null, 25), null, 26);
 * const r = measureStaleness(h.history());
 * r.reads[0]?.versionsBehind; // 1
 * r.reads[0]?.msBehind; // 15
 * ```
 */
export function measureStaleness<I, O>(
  history: History<I, O>,
  options: ValueCheckOptions = {},
): StalenessReport<I, O> {
  validateHistory(history);
  const initial = options.initial ?? null;
  const accesses = accessesOf(history);
  const versions = buildVersions(accesses, initial, options.versionOrder);
  const reads: ReadStaleness<I, O>[] = [];
  const sorted = accesses
    .filter((a) => a.kind === "read")
    .sort((a, b) => a.op.callMs - b.op.callMs || a.op.id - b.op.id);
  for (const a of sorted) {
    const v = versionRead(versions, a.key, a.value, initial);
    const writes = versions.writes.get(a.key) ?? [];
    let latest = 0;
    writes.forEach((w, i) => {
      if (w.op.status === "ok" && w.op.returnMs < a.op.callMs) latest = Math.max(latest, i + 1);
    });
    const base = v ?? 0;
    const behind = Math.max(0, latest - base);
    let firstMissedMs = Number.POSITIVE_INFINITY;
    if (behind > 0) {
      for (let i = base; i < writes.length; i++) {
        const w = writes[i]!;
        if (w.op.status === "ok" && w.op.returnMs < a.op.callMs)
          firstMissedMs = Math.min(firstMissedMs, w.op.returnMs);
      }
    }
    reads.push({
      operation: a.op,
      key: a.key,
      versionRead: v,
      latestCompletedVersion: latest,
      versionsBehind: behind,
      msBehind: behind > 0 ? a.op.callMs - firstMissedMs : 0,
    });
  }
  const staleReads = reads.filter((r) => r.versionsBehind > 0).length;
  const maxVersionsBehind = reads.reduce((m, r) => Math.max(m, r.versionsBehind), 0);
  const maxMsBehind = reads.reduce((m, r) => Math.max(m, r.msBehind), 0);
  const meanVersionsBehind =
    reads.length === 0 ? 0 : reads.reduce((s, r) => s + r.versionsBehind, 0) / reads.length;
  return {
    reads,
    staleReads,
    maxVersionsBehind,
    maxMsBehind,
    meanVersionsBehind,
    explanation: `${staleReads} of ${reads.length} read(s) were stale; at worst ${maxVersionsBehind} version(s) and ${maxMsBehind} ms behind.`,
  };
}

/**
 * The version order a linearizable history proves: for each key ("" for a plain register), the
 * values written, in the order the linearization found by {@link checkLinearizable} applies them.
 * Pass it as `versionOrder` to {@link measureStaleness} and {@link checkSessionGuarantees} instead
 * of the completion-time heuristic. Returns `undefined` unless the result is `linearizable`.
 *
 * @example
 * ```ts
 * import { checkLinearizable, HistoryRecorder, measureStaleness, registerModel, versionOrderFromLinearization } from "@distkit/check";
 * const h = new HistoryRecorder();
 * h.ok(h.invoke(0, "write", 1, 0), undefined, 10);
 * h.ok(h.invoke(1, "read", null, 11), 1, 12);
 * const history = h.history();
 * const order = versionOrderFromLinearization(history, checkLinearizable(history, registerModel()));
 * measureStaleness(history, order === undefined ? {} : { versionOrder: order }).staleReads; // 0
 * ```
 */
export function versionOrderFromLinearization<I, O>(
  history: History<I, O>,
  result: LinearizabilityResult<I, O>,
): Map<string, unknown[]> | undefined {
  if (result.verdict !== "linearizable") return undefined;
  const writeOf = new Map<number, { key: string; value: unknown }>();
  for (const a of accessesOf(history))
    if (a.kind === "write") writeOf.set(a.op.id, { key: a.key, value: a.value });
  const order = new Map<string, unknown[]>();
  for (const p of result.partitions) {
    for (const id of p.linearization) {
      const w = writeOf.get(id);
      if (w === undefined) continue;
      let list = order.get(w.key);
      if (list === undefined) order.set(w.key, (list = []));
      list.push(w.value);
    }
  }
  return order;
}
