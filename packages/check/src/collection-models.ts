import { outcomeText } from "./describe.js";
import { CheckError } from "./errors.js";
import type { Operation } from "./history.js";
import { formatValue } from "./history.js";
import { hashString, hashValue, valuesEqual } from "./hash.js";
import { ILLEGAL, type Model } from "./model.js";

function unknownFunction(model: string, op: Operation<unknown, unknown>, accepted: string): CheckError {
  return new CheckError(
    "unknown-function",
    `op ${op.id}: the ${model} model has no function ${JSON.stringify(op.f)}; it accepts ${accepted}`,
  );
}

function numberInput(op: Operation<unknown, unknown>): number {
  const v = op.input ?? 1;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new CheckError(
      "invalid-operation",
      `op ${op.id}: ${op.f} input ${formatValue(v)} is not a finite number`,
    );
  }
  return v;
}

/**
 * A counter: `add` / `increment` (input: the amount, default 1) and `read` (output: the value).
 * Starts at 0. A `fail` add did not happen; an `info` add may have.
 *
 * @example
 * ```ts
 * import { checkLinearizable, counterModel, HistoryRecorder } from "@distkit/check";
 * const h = new HistoryRecorder();
 * h.ok(h.invoke(0, "add", 2, 0), undefined, 1);
 * h.ok(h.invoke(1, "read", null, 2), 2, 3);
 * checkLinearizable(h.history(), counterModel()).verdict; // "linearizable"
 * ```
 */
export function counterModel(): Model<number> {
  return {
    name: "counter",
    init: () => 0,
    step(state, op) {
      switch (op.f) {
        case "add":
        case "increment":
          return op.status === "fail" ? [state] : [state + numberInput(op)];
        case "read":
          if (op.status !== "ok") return [state];
          return op.output === state ? [state] : ILLEGAL;
        default:
          throw unknownFunction("counter", op, "add, increment, read");
      }
    },
    isReadOnly: (op) => op.f === "read" || op.status === "fail",
    describeOperation: (op) =>
      op.f === "read" ? `read() -> ${outcomeText(op)}` : `${op.f}(${formatValue(op.input ?? 1)})`,
  };
}

/**
 * The state of {@link setModel}: the elements, sorted by their formatted text, without duplicates.
 *
 * @example
 * ```ts
 * import type { SetState } from "@distkit/check";
 * const s: SetState = [1, 2];
 * ```
 */
export type SetState = readonly unknown[];

function setKey(v: unknown): string {
  return typeof v === "string" ? `s${v}` : `v${formatValue(v)}`;
}

function setInsert(state: SetState, x: unknown): SetState {
  const k = setKey(x);
  let i = 0;
  while (i < state.length && setKey(state[i]) < k) i++;
  if (i < state.length && setKey(state[i]) === k) return state;
  return [...state.slice(0, i), x, ...state.slice(i)];
}

function setRemove(state: SetState, x: unknown): SetState {
  const k = setKey(x);
  const i = state.findIndex((y) => setKey(y) === k);
  return i < 0 ? state : [...state.slice(0, i), ...state.slice(i + 1)];
}

/**
 * A set: `add(x)`, `remove(x)`, `contains(x) -> boolean` and `read() -> elements` (an array or a
 * `Set`, in any order). Starts empty.
 *
 * @example
 * ```ts
 * import { checkLinearizable, HistoryRecorder, setModel } from "@distkit/check";
 * const h = new HistoryRecorder();
 * h.ok(h.invoke(0, "add", "a", 0), undefined, 1);
 * h.ok(h.invoke(1, "read", null, 2), [], 3); // lost the add
 * checkLinearizable(h.history(), setModel()).verdict; // "not-linearizable"
 * ```
 */
export function setModel(): Model<SetState> {
  return {
    name: "set",
    init: () => [],
    step(state, op) {
      switch (op.f) {
        case "add":
          return op.status === "fail" ? [state] : [setInsert(state, op.input)];
        case "remove":
          return op.status === "fail" ? [state] : [setRemove(state, op.input)];
        case "contains": {
          if (op.status !== "ok") return [state];
          const has = state.some((y) => setKey(y) === setKey(op.input));
          return op.output === has ? [state] : ILLEGAL;
        }
        case "read": {
          if (op.status !== "ok") return [state];
          const out = op.output;
          const elems = out instanceof Set ? [...out] : Array.isArray(out) ? out : undefined;
          if (elems === undefined) {
            throw new CheckError(
              "invalid-operation",
              `op ${op.id}: set read output ${formatValue(out)} is not an array or a Set`,
            );
          }
          let read: SetState = [];
          for (const x of elems) read = setInsert(read, x);
          return read.length === state.length && read.every((x, i) => setKey(x) === setKey(state[i]))
            ? [state]
            : ILLEGAL;
        }
        default:
          throw unknownFunction("set", op, "add, remove, contains, read");
      }
    },
    isReadOnly: (op) => op.f === "read" || op.f === "contains" || op.status === "fail",
    hash: (state) => hashString(state.map(setKey).join("\u0000")),
    equal: (a, b) => a.length === b.length && a.every((x, i) => setKey(x) === setKey(b[i])),
    describeState: (state) => `#{${state.map(formatValue).join(" ")}}`,
  };
}

/**
 * The state of {@link queueModel}: the elements, head first.
 *
 * @example
 * ```ts
 * import type { QueueState } from "@distkit/check";
 * const q: QueueState = ["a", "b"];
 * ```
 */
export type QueueState = readonly unknown[];

/**
 * A FIFO queue: `enqueue(x)` and `dequeue() -> x` (an `ok` dequeue with output `null` or
 * `undefined` means the queue was empty). A `fail` operation did not happen; an `info` dequeue may
 * have removed the head.
 *
 * @example
 * ```ts
 * import { checkLinearizable, HistoryRecorder, queueModel } from "@distkit/check";
 * const h = new HistoryRecorder();
 * h.ok(h.invoke(0, "enqueue", 1, 0), undefined, 1);
 * h.ok(h.invoke(0, "enqueue", 2, 2), undefined, 3);
 * h.ok(h.invoke(1, "dequeue", null, 4), 2, 5); // not FIFO
 * checkLinearizable(h.history(), queueModel()).verdict; // "not-linearizable"
 * ```
 */
export function queueModel(): Model<QueueState> {
  return {
    name: "queue",
    init: () => [],
    step(state, op) {
      switch (op.f) {
        case "enqueue":
          return op.status === "fail" ? [state] : [[...state, op.input]];
        case "dequeue": {
          if (op.status === "fail") return [state];
          if (op.status === "info") return state.length === 0 ? [state] : [state.slice(1)];
          if (op.output === null || op.output === undefined) return state.length === 0 ? [state] : ILLEGAL;
          return state.length > 0 && valuesEqual(state[0], op.output) ? [state.slice(1)] : ILLEGAL;
        }
        default:
          throw unknownFunction("queue", op, "enqueue, dequeue");
      }
    },
    isReadOnly: (op) =>
      op.status === "fail" ||
      (op.f === "dequeue" && op.status === "ok" && (op.output === null || op.output === undefined)),
    hash: hashValue,
    equal: valuesEqual,
    describeState: (state) => `[${state.map(formatValue).join(" ")}]`,
  };
}
