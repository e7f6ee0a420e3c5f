import type { Operation } from "./history.js";
import { formatValue } from "./history.js";
import type { Model } from "./model.js";

/**
 * Describes an operation for humans with the model's `describeOperation`, or generically as
 * `f(input) -> output` (`-> failed` for `fail`, `-> ?` for `info`), prefixed by the process and times
 * (in ms, rounded to at most 3 decimals).
 *
 * @example
 * ```ts
 * import { describeOperation, registerModel } from "@distkit/check";
 * describeOperation(
 *   { id: 3, process: 1, f: "read", input: null, output: 2, status: "ok", callMs: 5, returnMs: 9 },
 *   registerModel(),
 * ); // 'op 3 (process 1, read() -> 2, from 5 to 9 ms)'
 * ```
 */
export function describeOperation<S, I, O>(op: Operation<I, O>, model?: Model<S, I, O>): string {
  const what = operationText(op, model);
  const when =
    op.returnMs === Number.POSITIVE_INFINITY
      ? `from ${formatMs(op.callMs)} ms, never returned`
      : `from ${formatMs(op.callMs)} to ${formatMs(op.returnMs)} ms`;
  return `op ${op.id} (process ${String(op.process)}, ${what}, ${when})`;
}

/** The model's description of what an operation did, or the generic one. @internal */
export function operationText<S, I, O>(op: Operation<I, O>, model?: Model<S, I, O>): string {
  return model?.describeOperation !== undefined ? model.describeOperation(op) : genericOperation(op);
}

/** A time in ms for messages: at most 3 decimals (microseconds), trailing zeros dropped. @internal */
export function formatMs(t: number): string {
  if (!Number.isFinite(t) || Number.isInteger(t)) return String(t);
  const s = t.toFixed(3).replace(/\.?0+$/, "");
  return s === "-0" ? "0" : s;
}

/** @internal */
export function genericOperation(op: Operation<unknown, unknown>): string {
  const input = op.input === null || op.input === undefined ? "" : formatValue(op.input);
  return `${op.f}(${input}) -> ${outcomeText(op)}`;
}

/** @internal */
export function outcomeText(op: Operation<unknown, unknown>): string {
  if (op.status === "info") return "? (unknown)";
  if (op.status === "fail") return "failed";
  return op.output === undefined ? "ok" : formatValue(op.output);
}

/**
 * Describes a state with the model's `describeState`, or with {@link formatValue}.
 *
 * @example
 * ```ts
 * import { describeState, registerModel } from "@distkit/check";
 * describeState(3, registerModel()); // "3"
 * ```
 */
export function describeState<S, I, O>(state: S, model?: Model<S, I, O>): string {
  return model?.describeState !== undefined ? model.describeState(state) : formatValue(state);
}
