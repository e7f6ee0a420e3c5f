import { describeOperation } from "./describe.js";
import type { History, Operation, ProcessId } from "./history.js";
import { formatValue, validateHistory } from "./history.js";
import { accessesOf, buildVersions, versionRead } from "./register-ops.js";

/**
 * The session guarantees of Terry et al. (1994), checked per client.
 *
 * @example
 * ```ts
 * import type { SessionGuarantee } from "@distkit/check";
 * const g: SessionGuarantee = "read-your-writes";
 * ```
 */
export type SessionGuarantee =
  | "read-your-writes"
  | "monotonic-reads"
  | "monotonic-writes"
  | "writes-follow-reads";

/**
 * Options of {@link checkSessionGuarantees} and {@link measureStaleness}.
 *
 * @example
 * ```ts
 * import type { ValueCheckOptions } from "@distkit/check";
 * const o: ValueCheckOptions = { initial: null, versionOrder: new Map([["", [1, 2, 3]]]) };
 * ```
 */
export interface ValueCheckOptions {
  /** The value of a key never written (default `null`; use `""` for Porcupine-style kv histories). */
  readonly initial?: unknown;
  /**
   * The order in which each key's values were installed (key `""` for a plain register), e.g. from a
   * replica's log. Default: writes ordered by completion time (`info` writes by invocation time),
   * which is the commit order for a linearizable store and a heuristic otherwise.
   */
  readonly versionOrder?: ReadonlyMap<string, readonly unknown[]>;
  /** Which client a process belongs to (default: the process itself). */
  readonly clientOf?: (process: ProcessId) => string | number;
}

/**
 * One broken session guarantee.
 *
 * @example
 * ```ts
 * import type { SessionViolation } from "@distkit/check";
 * const line = (v: SessionViolation) => `${v.guarantee}: ${v.explanation}`;
 * ```
 */
export interface SessionViolation<I = unknown, O = unknown> {
  /** Which guarantee. */
  readonly guarantee: SessionGuarantee | "unknown-value";
  /** The client whose session broke it. */
  readonly client: string | number;
  /** The key ("" for a plain register). */
  readonly key: string;
  /** The operation that broke it. */
  readonly operation: Operation<I, O>;
  /** The earlier operation of the same session it contradicts (absent for unknown values). */
  readonly earlier: Operation<I, O> | undefined;
  /** In words. */
  readonly explanation: string;
}

/**
 * The result of {@link checkSessionGuarantees}.
 *
 * @example
 * ```ts
 * import type { SessionGuaranteesResult } from "@distkit/check";
 * const bad = (r: SessionGuaranteesResult) => r.violations.length;
 * ```
 */
export interface SessionGuaranteesResult<I = unknown, O = unknown> {
  /** True when no guarantee is broken. */
  readonly ok: boolean;
  /** Number of violations per guarantee (and `unknown-value`: reads of values nobody wrote). */
  readonly counts: Readonly<Record<SessionGuarantee | "unknown-value", number>>;
  /** Every violation, in the order of the offending operations' invocation. */
  readonly violations: readonly SessionViolation<I, O>[];
  /** A summary in words. */
  readonly explanation: string;
}

/**
 * Checks read-your-writes, monotonic reads, monotonic writes and writes-follow-reads for each client
 * of a register (read/write/cas) or kv (get/put) history whose written values are unique per key.
 * Each value read is mapped to the write that produced it and that write's version (see
 * {@link ValueCheckOptions.versionOrder}); within a client's session (its operations in invocation
 * order) a guarantee is broken when an operation sees or installs a version older than one its
 * session already wrote (RYW), read (MR, and WFR for a later write) or wrote (MW).
 *
 * @throws CheckError when a value is written twice for a key, or for functions other than read,
 *   write, cas, get, put.
 * @example
 * ```ts
 * import { checkSessionGuarantees, HistoryRecorder } from "@distkit/check";
 * const h = new HistoryRecorder();
 * h.ok(h.invoke("alice", "write", 1, 0), undefined, 1);
 * h.ok(h.invoke("alice", "read", null, 2), null, 3); // does not see her own write
 * checkSessionGuarantees(h.history()).counts["read-your-writes"]; // 1
 * ```
 */
export function checkSessionGuarantees<I, O>(
  history: History<I, O>,
  options: ValueCheckOptions = {},
): SessionGuaranteesResult<I, O> {
  validateHistory(history);
  const initial = options.initial ?? null;
  const clientOf = options.clientOf ?? ((p: ProcessId) => p);
  const accesses = accessesOf(history);
  const versions = buildVersions(accesses, initial, options.versionOrder);
  const counts = {
    "read-your-writes": 0,
    "monotonic-reads": 0,
    "monotonic-writes": 0,
    "writes-follow-reads": 0,
    "unknown-value": 0,
  };
  const violations: SessionViolation<I, O>[] = [];
  // Per client and key: the highest version written and read so far, with the operation.
  interface Seen {
    version: number;
    op: Operation<I, O>;
  }
  const written = new Map<string, Seen>();
  const read = new Map<string, Seen>();
  const sorted = accesses.slice().sort((a, b) => a.op.callMs - b.op.callMs || a.op.id - b.op.id);
  const add = (v: Omit<SessionViolation<I, O>, "explanation">, text: string) => {
    counts[v.guarantee]++;
    violations.push({ ...v, explanation: `${String(v.client)}: ${describeOperation(v.operation)} ${text}` });
  };
  for (const a of sorted) {
    const client = clientOf(a.op.process);
    const sk = `${typeof client}:${String(client)}\u0000${a.key}`;
    const w = written.get(sk);
    const r = read.get(sk);
    if (a.kind === "read") {
      const v = versionRead(versions, a.key, a.value, initial);
      if (v === undefined) {
        add(
          { guarantee: "unknown-value", client, key: a.key, operation: a.op, earlier: undefined },
          `read ${formatValue(a.value)}, which no operation wrote`,
        );
        continue;
      }
      if (w !== undefined && w.op.returnMs <= a.op.callMs && v < w.version) {
        add(
          { guarantee: "read-your-writes", client, key: a.key, operation: a.op, earlier: w.op },
          `read version ${v}, older than version ${w.version} the same session wrote in ${describeOperation(w.op)}`,
        );
      }
      if (r !== undefined && v < r.version) {
        add(
          { guarantee: "monotonic-reads", client, key: a.key, operation: a.op, earlier: r.op },
          `read version ${v} after the same session read version ${r.version} in ${describeOperation(r.op)}`,
        );
      }
      if (r === undefined || v > r.version) read.set(sk, { version: v, op: a.op });
    } else {
      const v = versionRead(versions, a.key, a.value, initial)!;
      if (w !== undefined && w.op.returnMs <= a.op.callMs && v < w.version) {
        add(
          { guarantee: "monotonic-writes", client, key: a.key, operation: a.op, earlier: w.op },
          `installed version ${v}, ordered before version ${w.version} the same session wrote earlier in ${describeOperation(w.op)}`,
        );
      }
      if (r !== undefined && v < r.version) {
        add(
          { guarantee: "writes-follow-reads", client, key: a.key, operation: a.op, earlier: r.op },
          `installed version ${v}, ordered before version ${r.version} the same session had read in ${describeOperation(r.op)}`,
        );
      }
      if (w === undefined || v > w.version) written.set(sk, { version: v, op: a.op });
    }
  }
  const n = violations.length;
  const explanation =
    n === 0
      ? `All session guarantees hold for ${new Set(accesses.map((a) => String(clientOf(a.op.process)))).size} client(s).`
      : `${n} session-guarantee violation(s): ${Object.entries(counts)
          .filter(([, c]) => c > 0)
          .map(([g, c]) => `${g} ${c}`)
          .join(", ")}. First: ${violations[0]!.explanation}.`;
  return { ok: n === 0, counts, violations, explanation };
}
