import { Keyword } from "./edn.js";
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
  /**
   * When the event happened, in milliseconds: the only time field read (an event with a `time`
   * field is rejected, so a misnamed time is never silently ignored). Give it on every event or on
   * none; if absent, the event's position in the list is used as its time.
   */
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
  return typeof e.line === "number" ? `line ${e.line} (event ${index})` : `event ${index}`;
}

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(["invoke", "ok", "fail", "info"]);
/** Functions whose completion repeats the value written by the invocation (Jepsen's convention). */
const WRITING_FUNCTIONS: ReadonlySet<string> = new Set(["write", "put", "append", "cas"]);

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "string" ? JSON.stringify(v) : typeof v;
}

/** Whether a completion's value is an error keyword of a jepsen.util log (e.g. `:timed-out`). */
function isErrorKeyword(v: unknown): boolean {
  return v instanceof Keyword;
}

/** Checks one event's shape (not its pairing) and returns its time, or undefined when it has none. */
function checkEventShape(e: unknown, index: number): number | undefined {
  if (typeof e !== "object" || e === null || Array.isArray(e)) {
    throw new CheckError(
      "invalid-event",
      `event ${index} is ${describeType(e)}; an event is an object { process, type, f, value, timeMs? }`,
    );
  }
  const ev = e as Record<string, unknown>;
  const at = where(e as HistoryEvent, index);
  if (typeof ev.process !== "number" && typeof ev.process !== "string") {
    throw new CheckError(
      "invalid-event",
      `${at}: process ${describeType(ev.process)} is not a number or a string`,
    );
  }
  if (typeof ev.type !== "string" || !EVENT_TYPE_SET.has(ev.type)) {
    throw new CheckError(
      "invalid-event",
      `${at}: unknown event type ${describeType(ev.type)}; accepted types are invoke, ok, fail, info`,
    );
  }
  if (typeof ev.f !== "string" || ev.f === "") {
    throw new CheckError(
      "invalid-event",
      `${at}: f ${describeType(ev.f)} is not a non-empty string naming the function (read, write, ...)`,
    );
  }
  if ("time" in ev) {
    throw new CheckError(
      "invalid-event",
      `${at}: the event has a \`time\` field, which historyFromEvents does not read; give the time in milliseconds as \`timeMs\` (parseJepsenEdn converts Jepsen's :time in nanoseconds)`,
    );
  }
  if (ev.key !== undefined && typeof ev.key !== "string" && typeof ev.key !== "number") {
    throw new CheckError("invalid-event", `${at}: key ${describeType(ev.key)} is not a string or a number`);
  }
  const t = ev.timeMs;
  if (t === undefined) return undefined;
  if (typeof t !== "number" || !Number.isFinite(t)) {
    throw new CheckError(
      "invalid-time",
      `${at}: timeMs ${String(t)} is not a finite number; times are finite milliseconds`,
    );
  }
  return t;
}

/**
 * Pairs Jepsen-style events into operations. Each process runs one operation at a time: an `invoke`
 * opens it, the next `ok` / `fail` / `info` of the same process closes it. Operations still open at
 * the end become `info` (return time `Infinity`). Events with a `key` give `{ key, value }` inputs
 * (the output stays the completion's `value`).
 *
 * The input is checked, never silently judged: every event is an object with a `process` (number
 * or string), a `type` (invoke, ok, fail or info), an `f`, and a time in **`timeMs`** (a `time`
 * field is rejected, not ignored). Either every event (of the processes not ignored) has a `timeMs`,
 * in non-decreasing order, or none has (then each event's position is its time). A completion
 * names the invoked function; if it has a `key`, the invoked key; and for `write`, `put`, `append`
 * and `cas` an `ok` or `fail` completion carries the invoked value, `null`/`undefined` (not
 * repeated), `false` for an `ok` cas whose compare failed, or, for `fail`, an error keyword.
 *
 * @throws CheckError naming the event (index, and line when parsed): `invalid-argument` (not an
 *   array), `invalid-event` (not an object, unknown type, `time` instead of `timeMs`, a completion
 *   whose key or written value differs from its invocation), `invalid-time` (not finite, mixed given
 *   and missing times, out of time order, completion before invocation), `unmatched-completion`,
 *   `duplicate-invocation`, `invalid-operation` (completion's function differs from the invocation's).
 * @example
 * ```ts
 * import { historyFromEvents } from "@distkit/check";
 * const ops = historyFromEvents([
 *   { process: 0, type: "invoke", f: "write", value: 1, timeMs: 0 },
 *   { process: 0, type: "ok", f: "write", value: 1, timeMs: 3 },
 * ]);
 * console.log(ops[0]?.status); // "ok"
 * ```
 */
export function historyFromEvents(
  events: readonly HistoryEvent[],
  options: HistoryFromEventsOptions = {},
): History {
  if (!Array.isArray(events)) {
    throw new CheckError(
      "invalid-argument",
      `historyFromEvents takes an array of events; got ${describeType(events)}`,
    );
  }
  const ignore = new Set<ProcessId>(options.ignoreProcesses ?? ["nemesis"]);
  interface Open {
    id: number;
    process: ProcessId;
    f: string;
    key: string | number | undefined;
    value: unknown;
    input: unknown;
    callMs: number;
    index: number;
  }
  const open = new Map<ProcessId, Open>();
  const ops: Operation[] = [];
  // Whether events carry times (decided by the first event considered), and the last time seen.
  let timed: { given: boolean; index: number } | undefined;
  let lastTime = Number.NEGATIVE_INFINITY;
  let lastIndex = -1;
  events.forEach((raw, index) => {
    const given = checkEventShape(raw, index);
    const e = raw;
    if (ignore.has(e.process)) return;
    const at = where(e, index);
    if (timed === undefined) timed = { given: given !== undefined, index };
    else if (timed.given !== (given !== undefined)) {
      throw new CheckError(
        "invalid-time",
        `${at} ${given === undefined ? "has no timeMs" : "has a timeMs"} but event ${timed.index} ${timed.given ? "has one" : "has none"}; give every event a timeMs or none (then each event's position is its time)`,
      );
    }
    const t = given ?? index;
    if (t < lastTime) {
      throw new CheckError(
        "invalid-time",
        `${at}: events are out of time order: timeMs ${t} is earlier than ${lastTime} of event ${lastIndex}; events must be in non-decreasing time order (sort them by time, stably)`,
      );
    }
    lastTime = t;
    lastIndex = index;
    if (e.type === "invoke") {
      const prev = open.get(e.process);
      if (prev !== undefined) {
        throw new CheckError(
          "duplicate-invocation",
          `${at}: process ${String(e.process)} invoked ${e.f} while its ${prev.f} (event ${prev.index}, invoked at ${prev.callMs}) is still pending; a process runs one operation at a time (complete it with ok/fail/info first)`,
        );
      }
      const input = e.key !== undefined ? ({ key: e.key, value: e.value } satisfies KeyedInput) : e.value;
      open.set(e.process, {
        id: ops.length,
        process: e.process,
        f: e.f,
        key: e.key,
        value: e.value,
        input,
        callMs: t,
        index,
      });
      ops.push(undefined as unknown as Operation); // placeholder, filled at completion
      return;
    }
    const o = open.get(e.process);
    if (o === undefined) {
      throw new CheckError(
        "unmatched-completion",
        `${at}: ${e.type} ${e.f} of process ${String(e.process)} has no pending invocation; every completion must follow an invoke of the same process`,
      );
    }
    if (o.f !== e.f) {
      throw new CheckError(
        "invalid-operation",
        `${at}: ${e.type} ${e.f} of process ${String(e.process)} completes an invocation of ${o.f} (event ${o.index}); a completion must name the invoked function`,
      );
    }
    if (e.key !== undefined && e.key !== o.key) {
      throw new CheckError(
        "invalid-event",
        `${at}: ${e.type} ${e.f} of process ${String(e.process)} names key ${formatValue(e.key)} but its invocation (event ${o.index}) named ${o.key === undefined ? "no key" : formatValue(o.key)}; a completion repeats the invoked key or omits it`,
      );
    }
    if (e.type !== "info" && WRITING_FUNCTIONS.has(e.f)) {
      const v: unknown = e.value;
      const accepted =
        v === null ||
        v === undefined ||
        valuesEqualLoose(v, o.value) ||
        (e.f === "cas" && e.type === "ok" && v === false) ||
        (e.type === "fail" && isErrorKeyword(v));
      if (!accepted) {
        throw new CheckError(
          "invalid-event",
          `${at}: ${e.type} ${e.f} of process ${String(e.process)} carries ${formatValue(v)} but its invocation (event ${o.index}) wrote ${formatValue(o.value)}; a completion of ${e.f} repeats the invoked value or gives nil${e.f === "cas" ? " (an ok cas may give false: compare failed)" : ""}`,
        );
      }
    }
    if (t < o.callMs) {
      throw new CheckError(
        "invalid-time",
        `${at}: completion at ${t} is earlier than its invocation at ${o.callMs}`,
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

/** Structural equality for event values (EDN keywords are interned, so `===` covers them). */
function valuesEqualLoose(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => valuesEqualLoose(x, b[i]));
  }
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    try {
      return JSON.stringify(a) === JSON.stringify(b);
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Checks that a value is a well-formed history and returns it: an array of operation objects whose
 * ids equal their positions, with a `process` (number or string), an `f`, finite call times, a
 * return no earlier than the call, `info` iff the return time is infinite, and no process running
 * two operations at once (an `ok`/`fail` operation must return before its process invokes the next
 * one; after an `info` the process may go on, as it does not know the outcome).
 *
 * @throws CheckError naming the operation: `invalid-argument` (not an array), `invalid-operation`,
 *   `invalid-time`, or `duplicate-invocation` (two overlapping operations of one process).
 * @example
 * ```ts
 * import { validateHistory } from "@distkit/check";
 * validateHistory([{ id: 0, process: 0, f: "read", input: null, output: 1, status: "ok", callMs: 0, returnMs: 1 }]);
 * ```
 */
export function validateHistory<I, O>(history: History<I, O>): History<I, O> {
  if (!Array.isArray(history)) {
    throw new CheckError(
      "invalid-argument",
      `a history is an array of operations; got ${describeType(history)}`,
    );
  }
  // Per process: the last operation with a finite return (info operations end nowhere).
  const busy = new Map<ProcessId, Operation<I, O>>();
  const byCall = history.map((_, i) => i);
  history.forEach((op: Operation<I, O> | null | undefined, i) => {
    if (typeof op !== "object" || op === null || Array.isArray(op)) {
      throw new CheckError(
        "invalid-operation",
        `operation ${i} is ${describeType(op)}; an operation is an object { id, process, f, input, output, status, callMs, returnMs }`,
      );
    }
    if (op.id !== i) {
      throw new CheckError(
        "invalid-operation",
        `operation at position ${i} has id ${op.id}; ids must equal positions (0, 1, 2, ...)`,
      );
    }
    if (typeof op.process !== "number" && typeof op.process !== "string") {
      throw new CheckError(
        "invalid-operation",
        `operation ${i}: process ${describeType(op.process)} is not a number or a string`,
      );
    }
    if (typeof op.f !== "string") {
      throw new CheckError("invalid-operation", `operation ${i}: f ${describeType(op.f)} is not a string`);
    }
    if (typeof op.callMs !== "number" || !Number.isFinite(op.callMs)) {
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
      if (typeof op.returnMs !== "number" || !Number.isFinite(op.returnMs) || op.returnMs < op.callMs) {
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
  byCall.sort((a, b) => history[a]!.callMs - history[b]!.callMs || a - b);
  for (const i of byCall) {
    const op = history[i]!;
    const prev = busy.get(op.process);
    if (prev !== undefined && prev.returnMs > op.callMs) {
      throw new CheckError(
        "duplicate-invocation",
        `operation ${i} (${op.f} of process ${String(op.process)}, invoked at ${op.callMs}) overlaps operation ${prev.id} (${prev.f}, ${prev.callMs} to ${prev.returnMs}) of the same process; a process runs one operation at a time (use another process id for concurrent clients)`,
      );
    }
    if (op.status !== "info" && (prev === undefined || op.returnMs >= prev.returnMs))
      busy.set(op.process, op);
  }
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
