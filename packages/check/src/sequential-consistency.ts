import { describeOperation, describeState } from "./describe.js";
import { CheckError } from "./errors.js";
import type { History, Operation, ProcessId } from "./history.js";
import { validateHistory } from "./history.js";
import { hashValue, valuesEqual } from "./hash.js";
import type { Model } from "./model.js";

/**
 * Options of {@link checkSequentialConsistency}.
 *
 * @example
 * ```ts
 * import type { SequentialConsistencyOptions } from "@distkit/check";
 * const o: SequentialConsistencyOptions = { maxSteps: 100_000 };
 * ```
 */
export interface SequentialConsistencyOptions {
  /** Search budget in model steps (default 5,000,000); past it the verdict is `unknown`. */
  readonly maxSteps?: number;
}

/**
 * The result of {@link checkSequentialConsistency}.
 *
 * @example
 * ```ts
 * import type { SequentialConsistencyResult } from "@distkit/check";
 * const ok = (r: SequentialConsistencyResult) => r.verdict === "sequentially-consistent";
 * ```
 */
export interface SequentialConsistencyResult<I = unknown, O = unknown> {
  /** The verdict; `unknown` when the budget ran out. */
  readonly verdict: "sequentially-consistent" | "not-sequentially-consistent" | "unknown";
  /** A total order of operation ids (complete when consistent; the longest found prefix otherwise). */
  readonly order: readonly number[];
  /** When not consistent: the next operation of each process that could not be placed after `order`. */
  readonly stuck: readonly Operation<I, O>[];
  /** Model steps taken. */
  readonly steps: number;
  /** The verdict in words. */
  readonly explanation: string;
}

interface Frame<S> {
  readonly state: S;
  /** Candidate (op index, next state) pairs still to try. */
  readonly choices: { op: number; state: S }[];
  next: number;
  /** The op applied to reach this frame (-1 for the root). */
  readonly via: number;
}

/**
 * Checks sequential consistency: whether there is one total order of the operations that keeps each
 * process's own order (real time between processes is ignored) and that the model accepts.
 *
 * The search is a depth-first search over "how far each process has got" (a position per process),
 * memoising visited (positions, applied `info` operations, model state). A process's operations are
 * taken in invocation order; an `info` operation (outcome unknown) may be placed anywhere after the
 * operations its process invoked before it, or left out. Sequential consistency is not compositional,
 * so partitions are NOT checked separately: use it on small histories (tens of operations per
 * process), and expect `unknown` on big ones. A legal read-only next operation (`isReadOnly`) is
 * taken as the only branch, which keeps read-heavy histories cheap.
 *
 * @throws CheckError on a malformed history or an invalid budget.
 * @example
 * ```ts
 * import { checkSequentialConsistency, HistoryRecorder, registerModel } from "@distkit/check";
 * const h = new HistoryRecorder();
 * h.ok(h.invoke(0, "write", 1, 0), undefined, 1);
 * h.ok(h.invoke(1, "read", null, 2), null, 3); // stale, but may be ordered before the write
 * checkSequentialConsistency(h.history(), registerModel()).verdict; // "sequentially-consistent"
 * ```
 */
export function checkSequentialConsistency<S, I, O>(
  history: History<I, O>,
  model: Model<S, I, O>,
  options: SequentialConsistencyOptions = {},
): SequentialConsistencyResult<I, O> {
  validateHistory(history);
  const maxSteps = options.maxSteps ?? 5_000_000;
  if (!(Number.isSafeInteger(maxSteps) && maxSteps > 0)) {
    throw new CheckError("invalid-argument", `maxSteps ${maxSteps} must be a positive safe integer`);
  }
  const hash = model.hash !== undefined ? model.hash.bind(model) : hashValue;
  const readOnly = (op: Operation<I, O>): boolean => model.isReadOnly?.(op) ?? false;
  const equal = model.equal !== undefined ? model.equal.bind(model) : valuesEqual;

  // Per process: its definite (ok/fail) operations in invocation order; info operations apart.
  const procIndex = new Map<ProcessId, number>();
  const seqs: number[][] = [];
  const infoOps: { op: number; proc: number; after: number }[] = [];
  const byCall = history.map((_, i) => i).sort((a, b) => history[a]!.callMs - history[b]!.callMs || a - b);
  for (const i of byCall) {
    const op = history[i]!;
    let p = procIndex.get(op.process);
    if (p === undefined) {
      p = seqs.length;
      procIndex.set(op.process, p);
      seqs.push([]);
    }
    if (op.status === "info") infoOps.push({ op: i, proc: p, after: seqs[p]!.length });
    else seqs[p]!.push(i);
  }
  const pos = new Int32Array(seqs.length);
  const infoDone = new Uint8Array(infoOps.length);
  const total = seqs.reduce((a, s) => a + s.length, 0);
  let placed = 0;
  const visited = new Map<string, S[]>();
  let steps = 0;

  const keyOf = (): string => `${pos.join(",")}|${infoDone.join("")}`;
  const seen = (state: S): boolean => {
    const k = keyOf();
    const list = visited.get(k);
    if (list === undefined) {
      visited.set(k, [state]);
      return false;
    }
    const h = hash(state);
    for (const s of list) if (hash(s) === h && equal(s, state)) return true;
    list.push(state);
    return false;
  };
  const expand = (state: S): { op: number; state: S }[] | "budget" => {
    const out: { op: number; state: S }[] = [];
    for (let p = 0; p < seqs.length; p++) {
      const seq = seqs[p]!;
      if (pos[p]! >= seq.length) continue;
      const i = seq[pos[p]!]!;
      if (++steps > maxSteps) return "budget";
      const next = model.step(state, history[i]!);
      // A legal read-only next operation can go first in some order if any order works (moving it
      // earlier keeps every process's order and changes no state): make it the only branch.
      if (next.length > 0 && readOnly(history[i]!)) return [{ op: i, state: next[0]! }];
      for (const ns of next) out.push({ op: i, state: ns });
    }
    infoOps.forEach((io, k) => {
      if (infoDone[k] === 1 || pos[io.proc]! < io.after) return;
      steps++;
      for (const ns of model.step(state, history[io.op]!)) out.push({ op: -1 - k, state: ns });
    });
    return out;
  };
  const apply = (c: number, sign: 1 | -1): void => {
    if (c < 0) {
      infoDone[-1 - c] = sign === 1 ? 1 : 0;
      return;
    }
    const p = procIndex.get(history[c]!.process)!;
    pos[p]! += sign;
    placed += sign;
  };

  const init = model.init();
  seen(init);
  const root = expand(init);
  if (root === "budget") return unknownResult(steps);
  const stack: Frame<S>[] = [{ state: init, choices: root, next: 0, via: -2 }];
  let best: number[] = [];
  let bestFrames = 0;
  let bestStuckState: S = init;
  for (;;) {
    if (placed === total) {
      const order = stack
        .slice(1)
        .map((f) => f.via)
        .filter((v) => v >= 0);
      return {
        verdict: "sequentially-consistent",
        order,
        stuck: [],
        steps,
        explanation: `Sequentially consistent: ${total} definite operation(s) of ${seqs.length} process(es) fit one order that keeps each process's order (${steps} model steps).`,
      };
    }
    const top = stack[stack.length - 1]!;
    if (top.next >= top.choices.length) {
      if (stack.length === 1) break;
      stack.pop();
      apply(top.via, -1);
      continue;
    }
    const c = top.choices[top.next++]!;
    apply(c.op, 1);
    if (seen(c.state)) {
      apply(c.op, -1);
      continue;
    }
    const choices = expand(c.state);
    if (choices === "budget") return unknownResult(steps);
    stack.push({ state: c.state, choices, next: 0, via: c.op });
    if (stack.length - 1 > bestFrames) {
      bestFrames = stack.length - 1;
      best = stack
        .slice(1)
        .map((f) => f.via)
        .filter((v) => v >= 0);
      bestStuckState = c.state;
    }
  }
  // Not consistent: report the next op of each process after the best prefix.
  const bestPos = new Map<number, number>();
  for (const i of best) {
    const p = procIndex.get(history[i]!.process)!;
    bestPos.set(p, (bestPos.get(p) ?? 0) + 1);
  }
  const stuck = seqs.flatMap((seq, p) => {
    const i = seq[bestPos.get(p) ?? 0];
    return i === undefined ? [] : [history[i]!];
  });
  return {
    verdict: "not-sequentially-consistent",
    order: best,
    stuck,
    steps,
    explanation:
      `Not sequentially consistent: at most ${best.length} of ${total} definite operation(s) can be ordered ` +
      `(keeping each process's order) before the ${model.name} reaches state ${describeState(bestStuckState, model)}, ` +
      `from which no process's next operation can be applied: ${stuck.map((o) => describeOperation(o, model)).join("; ")}.`,
  };

  function unknownResult(s: number): SequentialConsistencyResult<I, O> {
    return {
      verdict: "unknown",
      order: [],
      stuck: [],
      steps: s,
      explanation: `Unknown: the search exhausted its budget of ${maxSteps} model steps.`,
    };
  }
}
