import { CheckError } from "./errors.js";

/**
 * Identifies a client process. Jepsen uses integers; recorded histories may use node names.
 *
 * @example
 * ```ts
 * import type { ProcessId } from "@distkit/check";
 * const p: ProcessId = "client-1";
 * ```
 */
export type ProcessId = number | string;

/**
 * The type of a history event, with Jepsen's meanings:
 *
 * - `invoke`: a client started an operation;
 * - `ok`: it completed and took effect, with the given output;
 * - `fail`: it completed and definitely did NOT take effect (for a compare-and-set: the compare failed);
 * - `info`: indeterminate; it may or may not have taken effect, and it may take effect at any later time.
 *
 * @example
 * ```ts
 * import type { EventType } from "@distkit/check";
 * const t: EventType = "info";
 * ```
 */
export type EventType = "invoke" | "ok" | "fail" | "info";

/**
 * One line of a Jepsen-style history: an invocation or a completion.
 *
 * @example
 * ```ts
 * import type { HistoryEvent } from "@distkit/check";
 * const e: HistoryEvent = { process: 0, type: "invoke", f: "write", value: 3, timeMs: 10 };
 * ```
 */
export interface HistoryEvent<V = unknown> {
  /** The client process. */
  readonly process: ProcessId;
  /** invoke / ok / fail / info. */
  readonly type: EventType;
  /** The function, e.g. `read`, `write`, `cas`, `get`, `put`, `append`. */
  readonly f: string;
  /** The input (on `invoke`) or the output (on a completion). */
  readonly value: V;
  /** For keyed histories (a `:key` field): the key the operation addresses. */
  readonly key?: string | number;
  /** When the event happened. If absent, the event's position in the list is used as its time. */
  readonly timeMs?: number;
  /** 1-based source line, when the event was parsed from text (used in error messages). */
  readonly line?: number;
}

/**
 * How an operation ended: `ok`, `fail` (definitely did not take effect) or `info` (unknown: it may
 * or may not have taken effect; an operation still pending at the end of the history is `info`).
 *
 * @example
 * ```ts
 * import type { OperationStatus } from "@distkit/check";
 * const s: OperationStatus = "ok";
 * ```
 */
export type OperationStatus = "ok" | "fail" | "info";

/**
 * One operation of a history: an invocation paired with its completion. This is what the checkers
 * and models work on.
 *
 * @example
 * ```ts
 * import type { Operation } from "@distkit/check";
 * const op: Operation = {
 *   id: 0, process: 1, f: "write", input: 3, output: 3, status: "ok", callMs: 10, returnMs: 12,
 * };
 * ```
 */
export interface Operation<I = unknown, O = unknown> {
  /** Position of the operation in its history (0-based, in invocation order). */
  readonly id: number;
  /** The client process that ran it. */
  readonly process: ProcessId;
  /** The function. */
  readonly f: string;
  /** The input. */
  readonly input: I;
  /** The output; `undefined` when unknown (status `info`). */
  readonly output: O | undefined;
  /** How it ended. */
  readonly status: OperationStatus;
  /** When it was invoked. */
  readonly callMs: number;
  /** When it completed; `Infinity` when its status is `info` (it may take effect at any later time). */
  readonly returnMs: number;
}

/**
 * A history: operations ordered by `id` (invocation order). Build one with {@link HistoryRecorder},
 * {@link historyFromEvents} or the Jepsen parsers.
 *
 * @example
 * ```ts
 * import { HistoryRecorder, type History } from "@distkit/check";
 * const h = new HistoryRecorder();
 * h.ok(h.invoke(0, "write", 1, 0), undefined, 5);
 * const history: History = h.history();
 * ```
 */
export type History<I = unknown, O = unknown> = readonly Operation<I, O>[];

/**
 * A keyed input, as produced from events that carry a `key` (Jepsen's `:key` field), and as taken by
 * the key-value model.
 *
 * @example
 * ```ts
 * import type { KeyedInput } from "@distkit/check";
 * const put: KeyedInput = { key: "x", value: "1" };
 * ```
 */
export interface KeyedInput {
  /** The key. */
  readonly key: string | number;
  /** The value written (put / append), or `null` for a get. */
  readonly value: unknown;
}

/**
 * Options of {@link historyFromEvents}.
 *
 * @example
 * ```ts
 * import type { HistoryFromEventsOptions } from "@distkit/check";
 * const o: HistoryFromEventsOptions = { ignoreProcesses: ["nemesis"] };
 * ```
 */
export interface HistoryFromEventsOptions {
  /** Processes whose events are skipped (default: `["nemesis"]`, Jepsen's fault injector). */
  readonly ignoreProcesses?: readonly ProcessId[];
}

function where(e: HistoryEvent, index: number): string {
  return e.line !== undefined ? `line ${e.line}` : `event ${index}`;
}

/**
 * Pairs Jepsen-style events into operations. Each process runs one operation at a time: an `invoke`
 * opens it, the next `ok` / `fail` / `info` of the same process closes it. Operations still open at
 * the end become `info` (return time `Infinity`). Events with a `key` give `{ key, value }` inputs
 * (the output stays the completion's `value`).
 *
 * @throws CheckError `unmatched-completion` (a completion with no open invocation),
 *   `duplicate-invocation`, `invalid-operation` (completion's function differs from the
 *   invocation's) or `invalid-time`; the message names the event's line.
 * @example
 * ```ts
 * import { historyFromEvents } from "@distkit/check";
 * const ops = historyFromEvents([
 *   { process: 0, type: "invoke", f: "write", value: 1 },
 *   { process: 0, type: "ok", f: "write", value: 1 },
 * ]);
 * console.log(ops[0]?.status); // "ok"
 * ```
 */
export function historyFromEvents(
  events: readonly HistoryEvent[],
  options: HistoryFromEventsOptions = {},
): History {
  const ignore = new Set<ProcessId>(options.ignoreProcesses ?? ["nemesis"]);
  interface Open {
    id: number;
    process: ProcessId;
    f: string;
    input: unknown;
    callMs: number;
  }
  const open = new Map<ProcessId, Open>();
  const ops: Operation[] = [];
  events.forEach((e, index) => {
    if (ignore.has(e.process)) return;
    const t = e.timeMs ?? index;
    if (!Number.isFinite(t)) {
      throw new CheckError(
        "invalid-time",
        `${where(e, index)}: time ${String(t)} is not a finite number; times are finite milliseconds`,
      );
    }
    if (e.type === "invoke") {
      const prev = open.get(e.process);
      if (prev !== undefined) {
        throw new CheckError(
          "duplicate-invocation",
          `${where(e, index)}: process ${String(e.process)} invoked ${e.f} while its ${prev.f} (invoked at ${prev.callMs}) is still pending; a process runs one operation at a time (complete it with ok/fail/info first)`,
        );
      }
      const input = e.key !== undefined ? ({ key: e.key, value: e.value } satisfies KeyedInput) : e.value;
      open.set(e.process, { id: ops.length, process: e.process, f: e.f, input, callMs: t });
      ops.push(undefined as unknown as Operation); // placeholder, filled at completion
      return;
    }
    const o = open.get(e.process);
    if (o === undefined) {
      throw new CheckError(
        "unmatched-completion",
        `${where(e, index)}: ${e.type} ${e.f} of process ${String(e.process)} has no pending invocation; every completion must follow an invoke of the same process`,
      );
    }
    if (o.f !== e.f) {
      throw new CheckError(
        "invalid-operation",
        `${where(e, index)}: ${e.type} ${e.f} of process ${String(e.process)} completes an invocation of ${o.f}; a completion must name the invoked function`,
      );
    }
    if (t < o.callMs) {
      throw new CheckError(
        "invalid-time",
        `${where(e, index)}: completion at ${t} is earlier than its invocation at ${o.callMs}`,
      );
    }
    open.delete(e.process);
    const info = e.type === "info";
    ops[o.id] = {
      id: o.id,
      process: o.process,
      f: o.f,
      input: o.input,
      output: info ? undefined : e.value,
      status: e.type,
      callMs: o.callMs,
      returnMs: info ? Number.POSITIVE_INFINITY : t,
    };
  });
  for (const o of open.values()) {
    ops[o.id] = {
      id: o.id,
      process: o.process,
      f: o.f,
      input: o.input,
      output: undefined,
      status: "info",
      callMs: o.callMs,
      returnMs: Number.POSITIVE_INFINITY,
    };
  }
  return ops;
}

/**
 * Checks that a value is a well-formed history (ids equal positions, finite call times, return after
 * call, `info` iff the return time is infinite) and returns it.
 *
 * @throws CheckError `invalid-operation` or `invalid-time` naming the operation.
 * @example
 * ```ts
 * import { validateHistory } from "@distkit/check";
 * validateHistory([{ id: 0, process: 0, f: "read", input: null, output: 1, status: "ok", callMs: 0, returnMs: 1 }]);
 * ```
 */
export function validateHistory<I, O>(history: History<I, O>): History<I, O> {
  history.forEach((op, i) => {
    if (op.id !== i) {
      throw new CheckError(
        "invalid-operation",
        `operation at position ${i} has id ${op.id}; ids must equal positions (0, 1, 2, ...)`,
      );
    }
    if (!Number.isFinite(op.callMs)) {
      throw new CheckError("invalid-time", `operation ${i}: callMs ${op.callMs} is not a finite number`);
    }
    if (op.status === "info") {
      if (op.returnMs !== Number.POSITIVE_INFINITY) {
        throw new CheckError(
          "invalid-time",
          `operation ${i} is info but returnMs is ${op.returnMs}; an info operation returns at Infinity`,
        );
      }
    } else if (op.status === "ok" || op.status === "fail") {
      if (!Number.isFinite(op.returnMs) || op.returnMs < op.callMs) {
        throw new CheckError(
          "invalid-time",
          `operation ${i}: returnMs ${op.returnMs} must be finite and >= callMs ${op.callMs}`,
        );
      }
    } else {
      throw new CheckError(
        "invalid-operation",
        `operation ${i}: status ${JSON.stringify(op.status)} is not one of ok, fail, info`,
      );
    }
  });
  return history;
}

/**
 * Formats a value for messages: strings quoted, `null` as `nil`, arrays in brackets.
 *
 * @example
 * ```ts
 * import { formatValue } from "@distkit/check";
 * formatValue(["a", 1, null]); // '["a" 1 nil]'
 * ```
 */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(" ")}]`;
  if (typeof v === "object") {
    const s = (v as { toString(): string }).toString();
    if (s !== "[object Object]") return s;
    try {
      return JSON.stringify(v);
    } catch {
      return "?";
    }
  }
  return String(v);
}

/**
 * An operation without its `id`, as a caller that already knows call and return times has it
 * (`returnMs` may be omitted for `info` operations).
 *
 * @example
 * ```ts
 * import type { OperationInput } from "@distkit/check";
 * const op: OperationInput = { process: 0, f: "read", input: null, output: 1, status: "ok", callMs: 0, returnMs: 2 };
 * ```
 */
export interface OperationInput<I = unknown, O = unknown> {
  /** The client process. */
  readonly process: ProcessId;
  /** The function. */
  readonly f: string;
  /** The input. */
  readonly input: I;
  /** The output (ignored for `info`). */
  readonly output?: O | undefined;
  /** How it ended. */
  readonly status: OperationStatus;
  /** When it was invoked. */
  readonly callMs: number;
  /** When it completed (ignored for `info`, which returns at `Infinity`). */
  readonly returnMs?: number;
}

/**
 * Builds a history from complete operations in any order: sorts them by invocation time (stable),
 * numbers them, and gives `info` operations return time `Infinity` and no output.
 *
 * @throws CheckError `invalid-time` for non-finite times or a return before its call.
 * @example
 * ```ts
 * import { checkLinearizable, historyFromOperations, registerModel } from "@distkit/check";
 * const history = historyFromOperations([
 *   { process: 1, f: "read", input: null, output: 1, status: "ok", callMs: 5, returnMs: 6 },
 *   { process: 0, f: "write", input: 1, status: "ok", callMs: 0, returnMs: 2 },
 * ]);
 * history[0]?.f; // "write"
 * checkLinearizable(history, registerModel()).verdict; // "linearizable"
 * ```
 */
export function historyFromOperations<I, O>(operations: readonly OperationInput<I, O>[]): History<I, O> {
  const order = operations
    .map((_, i) => i)
    .sort((a, b) => operations[a]!.callMs - operations[b]!.callMs || a - b);
  const history = order.map((i, id): Operation<I, O> => {
    const op = operations[i]!;
    const info = op.status === "info";
    return {
      id,
      process: op.process,
      f: op.f,
      input: op.input,
      output: info ? undefined : op.output,
      status: op.status,
      callMs: op.callMs,
      returnMs: info ? Number.POSITIVE_INFINITY : (op.returnMs ?? Number.NaN),
    };
  });
  return validateHistory(history);
}
