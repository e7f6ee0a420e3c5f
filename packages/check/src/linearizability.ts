import { describeOperation, describeState } from "./describe.js";
import { CheckError, invariant } from "./errors.js";
import type { History, Operation } from "./history.js";
import { validateHistory } from "./history.js";
import type { Model, PartitionKey } from "./model.js";
import { valuesEqual } from "./hash.js";
import { type Conflict, minimalConflict } from "./conflict.js";
import { LinearizationSearch } from "./search.js";

/**
 * The outcome of a check: `unknown` when the search ran out of its step or time budget.
 *
 * @example
 * ```ts
 * import type { Verdict } from "@distkit/check";
 * const v: Verdict = "linearizable";
 * ```
 */
export type Verdict = "linearizable" | "not-linearizable" | "unknown";

/**
 * Options of {@link checkLinearizable}.
 *
 * @example
 * ```ts
 * import type { LinearizabilityOptions } from "@distkit/check";
 * const o: LinearizabilityOptions = { maxSteps: 1_000_000 };
 * ```
 */
export interface LinearizabilityOptions {
  /**
   * The search budget per partition, in model steps (default 10,000,000). Past it the partition's
   * verdict is `unknown`. Deterministic: the same history, model and budget always give the same
   * result. Memory grows with the steps taken (the cache keeps up to one entry per step: the set of
   * linearized operations, n/8 bytes, plus a state reference), so raise it with care.
   */
  readonly maxSteps?: number;
  /**
   * An optional wall-clock budget for the whole check, in milliseconds. Results may then depend on
   * the machine's speed; prefer `maxSteps` when reproducibility matters.
   */
  readonly timeoutMs?: number;
  /** The clock `timeoutMs` is measured with (default `performance.now`). Used only with `timeoutMs`. */
  readonly clock?: () => number;
  /** Use the model's `partitionKey` to check parts independently (default `true`). */
  readonly partition?: boolean;
  /**
   * Keep checking the other partitions after one failed, to report every failing partition
   * (default `false`: stop after the round of the search that found the first failure; partitions
   * still undecided then are reported `unknown`).
   */
  readonly allFailures?: boolean;
  /**
   * Accept a history with no operation (verdict `linearizable`). Default `false`: an empty history
   * throws `CheckError` `empty-history`, since it usually means the harness recorded nothing or the
   * wrong file was read, and a checker must not turn that into a pass.
   */
  readonly allowEmpty?: boolean;
  /**
   * The model-step budget, per failing partition, for finding the few operations that conflict with
   * the failing one ({@link LinearizabilityFailure.conflict}; default 1,000,000; `0` skips it).
   */
  readonly conflictSteps?: number;
}

/**
 * One candidate at the point where the search got stuck: an operation that was concurrent with the
 * blocked one and could have been linearized next.
 *
 * @example
 * ```ts
 * import type { StuckCandidate } from "@distkit/check";
 * const describe = (c: StuckCandidate) => `${c.operation.f}: ${c.possible ? "possible" : "impossible"}`;
 * ```
 */
export interface StuckCandidate<I = unknown, O = unknown> {
  /** The operation. */
  readonly operation: Operation<I, O>;
  /** Whether the model accepts it in the state after the longest prefix (it then leads nowhere). */
  readonly possible: boolean;
}

/**
 * Why a partition is not linearizable: the longest prefix of operations that can be linearized, and
 * the operation that cannot be linearized after any such prefix before it returns.
 *
 * @example
 * ```ts
 * import { checkLinearizable, HistoryRecorder, registerModel } from "@distkit/check";
 * const h = new HistoryRecorder();
 * h.ok(h.invoke(0, "read", null, 0), 1, 1);
 * const r = checkLinearizable(h.history(), registerModel());
 * if (r.verdict === "not-linearizable") console.log(r.failures[0]?.explanation);
 * ```
 */
export interface LinearizabilityFailure<I = unknown, O = unknown> {
  /** The partition (e.g. the key) the failure is in; `undefined` for an unpartitioned check. */
  readonly partition: PartitionKey | undefined;
  /** The operation that cannot be linearized. */
  readonly operation: Operation<I, O>;
  /** The longest linearizable prefix found, in linearization order. */
  readonly longestPrefix: readonly Operation<I, O>[];
  /** The model state after that prefix, described. */
  readonly stateAfterPrefix: string;
  /** The operations that could have gone next at that point (the blocked one included). */
  readonly candidates: readonly StuckCandidate<I, O>[];
  /**
   * The few operations whose constraints conflict with `operation`, in invocation order: together
   * with it they cannot be linearized, whatever the rest of the history does (a sub-history that the
   * same search confirms non-linearizable), without it they can, and `operation` is possible when
   * they are all taken as unknown (so for a stale read the set holds the write it read from and the later write that makes
   * it stale). Empty when `operation` is impossible on its own (a read of a value nobody wrote).
   * `undefined` when not computed (`conflictSteps: 0`) or not found within `conflictSteps`.
   */
  readonly conflict: readonly Operation<I, O>[] | undefined;
  /**
   * Whether `conflict` is minimal: dropping any one of its operations breaks one of those three
   * properties. `false` when the search for a smaller
   * set ran out of `conflictSteps`.
   */
  readonly conflictMinimal: boolean;
  /** The failure in words. */
  readonly explanation: string;
}

/**
 * The result of checking one partition.
 *
 * @example
 * ```ts
 * import type { PartitionCheck } from "@distkit/check";
 * const show = (p: PartitionCheck) => `${String(p.key)}: ${p.verdict} in ${p.steps} steps`;
 * ```
 */
export interface PartitionCheck<I = unknown, O = unknown> {
  /** The partition key; `undefined` when the history was not partitioned. */
  readonly key: PartitionKey | undefined;
  /** This partition's verdict. */
  readonly verdict: Verdict;
  /** The ids of the operations in this partition. */
  readonly operationIds: readonly number[];
  /**
   * Operation ids in linearization order: all of them when linearizable; the longest linearizable
   * prefix otherwise (empty when unknown).
   */
  readonly linearization: readonly number[];
  /**
   * Parallel to `linearization`: whether each operation took effect at its place in it. `ok`
   * operations did (a read too: it happened there); `fail` operations did not. An `info` operation
   * took effect when, in this order, it changed the model's state and some `ok` or `fail` operation
   * comes after it; one that changed nothing, or comes after every completed operation, is
   * indistinguishable from one that never happened, and is marked `false`.
   */
  readonly tookEffect: readonly boolean[];
  /** Present when the verdict is `not-linearizable`. */
  readonly failure: LinearizabilityFailure<I, O> | undefined;
  /** Model steps the search took. */
  readonly steps: number;
}

interface ResultBase<I, O> {
  /** Each partition's result, in canonical key order (numbers, then strings, ascending). */
  readonly partitions: readonly PartitionCheck<I, O>[];
  /** Total model steps. */
  readonly steps: number;
  /** The verdict in words. */
  readonly explanation: string;
}

/**
 * The history is linearizable: every partition has a linearization.
 *
 * @example
 * ```ts
 * import type { Linearizable } from "@distkit/check";
 * const orders = (r: Linearizable) => r.partitions.map((p) => p.linearization);
 * ```
 */
export interface Linearizable<I = unknown, O = unknown> extends ResultBase<I, O> {
  /** Discriminant. */
  readonly verdict: "linearizable";
}

/**
 * The history is not linearizable; `failures` has one entry per failing partition.
 *
 * @example
 * ```ts
 * import type { NotLinearizable } from "@distkit/check";
 * const first = (r: NotLinearizable) => r.failures[0]?.operation;
 * ```
 */
export interface NotLinearizable<I = unknown, O = unknown> extends ResultBase<I, O> {
  /** Discriminant. */
  readonly verdict: "not-linearizable";
  /** One per failing partition, in canonical key order. */
  readonly failures: readonly LinearizabilityFailure<I, O>[];
}

/**
 * The search ran out of budget before deciding (and found no violation).
 *
 * @example
 * ```ts
 * import type { LinearizabilityUnknown } from "@distkit/check";
 * const why = (r: LinearizabilityUnknown) => r.reason;
 * ```
 */
export interface LinearizabilityUnknown<I = unknown, O = unknown> extends ResultBase<I, O> {
  /** Discriminant. */
  readonly verdict: "unknown";
  /** Which budget ran out. */
  readonly reason: "step-budget" | "time-budget";
}

/**
 * The result of {@link checkLinearizable}.
 *
 * @example
 * ```ts
 * import { checkLinearizable, registerModel, type LinearizabilityResult } from "@distkit/check";
 * const r: LinearizabilityResult = checkLinearizable([], registerModel(), { allowEmpty: true });
 * ```
 */
export type LinearizabilityResult<I = unknown, O = unknown> =
  | Linearizable<I, O>
  | NotLinearizable<I, O>
  | LinearizabilityUnknown<I, O>;

const DEFAULT_MAX_STEPS = 10_000_000;
const DEFAULT_CONFLICT_STEPS = 200_000;
const FIRST_ROUND_STEPS = 4096;
const DEADLINE_CHECK_STEPS = 4096;

/**
 * Checks whether a history is linearizable with respect to a model: whether its operations can be
 * put in one order that (1) respects real time (an operation that returned before another was
 * invoked comes first) and (2) the model accepts step by step.
 *
 * This is Wing & Gong's search with Lowe's memoisation, as Porcupine implements it: the call and
 * return events sorted by time in a doubly linked list; linearizing an operation lifts its call and
 * return out of the list; reaching a return means that operation was due, so the search backtracks.
 * A cache of (set of linearized operations, model state) prunes configurations already explored.
 * Operations the model marks read-only (`isReadOnly`) are linearized first whenever one is legal
 * (if any order works, one starting with it does), which removes most of the branching reads cause.
 * With the model's `partitionKey`, each partition is checked on its own (P-compositionality);
 * partitions are searched in rounds of doubling step budgets, so a violation in an easy partition
 * is found without first finishing a hard one.
 *
 * `fail` operations reach the model (which usually treats them as no-ops); `info` operations return
 * at `Infinity`, so they may take effect at any time after their invocation, or never.
 *
 * @throws CheckError on a malformed history (see {@link validateHistory}), an empty one without
 *   `allowEmpty` (`empty-history`), a model that is not an object with `init` and `step` functions
 *   (`invalid-argument`), or when the model rejects an operation's shape.
 * @example
 * ```ts
 * import { checkLinearizable, HistoryRecorder, registerModel } from "@distkit/check";
 * const h = new HistoryRecorder();
 * const w = h.invoke(0, "write", 1, 0);
 * const r1 = h.invoke(1, "read", null, 1);
 * h.ok(r1, 1, 2); // concurrent with the write: may see it
 * h.ok(w, undefined, 3);
 * h.ok(h.invoke(1, "read", null, 4), null, 5); // after the write returned: must see it
 * const result = checkLinearizable(h.history(), registerModel(), { maxSteps: 100_000 });
 * console.log(result.verdict); // "not-linearizable"
 * if (result.verdict === "not-linearizable") console.log(result.explanation);
 * ```
 */
export function checkLinearizable<S, I, O>(
  history: History<I, O>,
  model: Model<S, I, O>,
  options: LinearizabilityOptions = {},
): LinearizabilityResult<I, O> {
  validateHistory(history);
  validateModel(model);
  if (history.length === 0 && options.allowEmpty !== true) {
    throw new CheckError(
      "empty-history",
      "the history has no operation; pass { allowEmpty: true } if an empty history is expected (it is then trivially linearizable)",
    );
  }
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  if (!(Number.isSafeInteger(maxSteps) && maxSteps > 0)) {
    throw new CheckError("invalid-argument", `maxSteps ${maxSteps} must be a positive safe integer`);
  }
  const conflictSteps = options.conflictSteps ?? DEFAULT_CONFLICT_STEPS;
  if (!(Number.isSafeInteger(conflictSteps) && conflictSteps >= 0)) {
    throw new CheckError(
      "invalid-argument",
      `conflictSteps ${conflictSteps} must be a safe integer >= 0 (0 skips the conflict search)`,
    );
  }
  let deadline: Deadline | undefined;
  if (options.timeoutMs !== undefined) {
    if (!(options.timeoutMs >= 0)) {
      throw new CheckError("invalid-argument", `timeoutMs ${options.timeoutMs} must be a number >= 0`);
    }
    const clock = options.clock ?? (() => performance.now());
    deadline = { clock, at: clock() + options.timeoutMs, expired: false };
  }
  const groups = partitionHistory(history, model, options.partition ?? true);
  // Searches still running; a finished one is turned into its report at once, freeing its cache.
  const searches: (LinearizationSearch<S, I, O> | undefined)[] = groups.map(
    ([, ops]) => new LinearizationSearch(ops, model),
  );
  const reports: (PartitionCheck<I, O> | undefined)[] = groups.map(() => undefined);
  const allFailures = options.allFailures ?? false;
  // Rounds: every unfinished partition runs up to the round's step limit, which doubles each round
  // (like racing the partitions in parallel, but deterministic). After a round that found a failure
  // the search stops, unless allFailures is set. The set of results after a round does not depend on
  // the order of partitions.
  let limit = Math.min(maxSteps, FIRST_ROUND_STEPS);
  let unknownReason: "step-budget" | "time-budget" | undefined;
  for (let round = 0; round < 64; round++) {
    let failed = false;
    let running = false;
    searches.forEach((search, i) => {
      if (search === undefined) return;
      let status = search.run(
        deadline === undefined ? limit : Math.min(limit, search.steps + DEADLINE_CHECK_STEPS),
      );
      while (deadline !== undefined && status === "running" && search.steps < limit) {
        if (deadline.expired || deadline.clock() > deadline.at) {
          deadline.expired = true;
          break;
        }
        status = search.run(Math.min(limit, search.steps + DEADLINE_CHECK_STEPS));
      }
      if (status === "not-linearizable") failed = true;
      if (status === "running") {
        running = true;
      } else {
        reports[i] = partitionReport(groups[i]![0], search, conflictSteps);
        searches[i] = undefined;
      }
    });
    if (!running || (failed && !allFailures)) break;
    if (deadline?.expired === true) {
      unknownReason = "time-budget";
      break;
    }
    if (limit >= maxSteps) {
      unknownReason = "step-budget";
      break;
    }
    limit = Math.min(maxSteps, limit * 2);
  }
  const partitions = groups.map(([key], i) => reports[i] ?? partitionReport(key, searches[i]!, 0));
  const steps = partitions.reduce((a, p) => a + p.steps, 0);
  const failures = partitions.flatMap((p) => (p.failure === undefined ? [] : [p.failure]));
  const where = (n: number) => (groups.length > 1 ? ` across ${n} partitions` : "");
  if (failures.length > 0) {
    const first = failures[0]!;
    const explanation =
      `Not linearizable: ${failures.length} of ${partitions.length} partition(s) fail. ` + first.explanation;
    return { verdict: "not-linearizable", failures, partitions, steps, explanation };
  }
  if (partitions.some((p) => p.verdict === "unknown")) {
    unknownReason ??= "step-budget";
    const n = partitions.filter((p) => p.verdict === "unknown").length;
    const budget =
      unknownReason === "step-budget" ? `the step budget (${maxSteps} per partition)` : "the time budget";
    return {
      verdict: "unknown",
      reason: unknownReason,
      partitions,
      steps,
      explanation: `Unknown: ${n} of ${partitions.length} partition(s) exhausted ${budget} before a verdict; no violation was found in the rest.`,
    };
  }
  return {
    verdict: "linearizable",
    partitions,
    steps,
    explanation: `Linearizable: ${history.length} operation(s)${where(partitions.length)} have a linearization (${steps} model steps).`,
  };
}

const OPTIONAL_MODEL_FUNCTIONS = [
  "hash",
  "equal",
  "partitionKey",
  "isReadOnly",
  "describeOperation",
  "describeState",
] as const;

/** @internal Checks a model's shape, so a wrong one fails here and not deep inside the search. */
export function validateModel(model: unknown): void {
  if (typeof model !== "object" || model === null) {
    throw new CheckError(
      "invalid-argument",
      `the model is ${model === null ? "null" : typeof model}; a model is an object { name, init(), step(state, op) } (e.g. registerModel())`,
    );
  }
  const m = model as Record<string, unknown>;
  for (const f of ["init", "step"] as const) {
    if (typeof m[f] !== "function") {
      throw new CheckError(
        "invalid-argument",
        `the model${typeof m.name === "string" ? ` ${JSON.stringify(m.name)}` : ""} has no ${f} function; a model is an object { name, init(), step(state, op) } (e.g. registerModel())`,
      );
    }
  }
  for (const f of OPTIONAL_MODEL_FUNCTIONS) {
    if (m[f] !== undefined && typeof m[f] !== "function") {
      throw new CheckError(
        "invalid-argument",
        `the model's ${f} is ${typeof m[f]}; when given it must be a function`,
      );
    }
  }
}

interface Deadline {
  readonly clock: () => number;
  readonly at: number;
  expired: boolean;
}

function comparePartitionKeys(a: PartitionKey, b: PartitionKey): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** @internal Splits a history by the model's partition key, in canonical key order. */
export function partitionHistory<S, I, O>(
  history: History<I, O>,
  model: Model<S, I, O>,
  usePartition: boolean,
): [PartitionKey | undefined, Operation<I, O>[]][] {
  const pk = model.partitionKey;
  if (!usePartition || pk === undefined) return [[undefined, history.slice()]];
  const byKey = new Map<PartitionKey, Operation<I, O>[]>();
  for (const op of history) {
    const k = pk.call(model, op);
    if (typeof k !== "string" && typeof k !== "number") {
      throw new CheckError(
        "invalid-operation",
        `op ${op.id}: model ${model.name} gave partition key ${String(k)}; keys are strings or numbers`,
      );
    }
    let list = byKey.get(k);
    if (list === undefined) byKey.set(k, (list = []));
    list.push(op);
  }
  return [...byKey.entries()].sort((x, y) => comparePartitionKeys(x[0], y[0]));
}

/** Builds the partition report of a finished or stopped search. */
function partitionReport<S, I, O>(
  key: PartitionKey | undefined,
  search: LinearizationSearch<S, I, O>,
  conflictSteps: number,
): PartitionCheck<I, O> {
  const ops = search.ops;
  const model = search.model;
  const operationIds = ops.map((o) => o.id);
  const steps = search.steps;
  if (search.status === "linearizable") {
    const order = search.linearization();
    const linearization = order.map((i) => ops[i]!.id);
    const tookEffect = effectsAlong(order, search.linearizationStates(), ops, model);
    return {
      key,
      verdict: "linearizable",
      operationIds,
      linearization,
      tookEffect,
      failure: undefined,
      steps,
    };
  }
  if (search.status === "running") {
    return {
      key,
      verdict: "unknown",
      operationIds,
      linearization: [],
      tookEffect: [],
      failure: undefined,
      steps,
    };
  }
  invariant(search.blockerOp >= 0, "a failed search has met a return event");
  const prefix = search.bestPrefix.map((i) => ops[i]!);
  const blocked = ops[search.blockerOp]!;
  const state = search.blockerState;
  const candidates = search.blockerCandidates.map((i) => {
    const op = ops[i]!;
    return { operation: op, possible: model.step(state, op).length > 0 };
  });
  const conflict = conflictSteps > 0 ? minimalConflict(ops, blocked, model, conflictSteps) : undefined;
  const failure: LinearizabilityFailure<I, O> = {
    partition: key,
    operation: blocked,
    longestPrefix: prefix,
    stateAfterPrefix: describeState(state, model),
    candidates,
    conflict: conflict?.others,
    conflictMinimal: conflict?.minimal ?? false,
    explanation: explainFailure(key, blocked, prefix, state, conflict, model),
  };
  return {
    key,
    verdict: "not-linearizable",
    operationIds,
    linearization: prefix.map((o) => o.id),
    tookEffect: effectsAlong(search.bestPrefix, search.bestStates, ops, model),
    failure,
    steps,
  };
}

/** See {@link PartitionCheck.tookEffect}. `states[i]` is the state before `order[i]`. */
function effectsAlong<S, I, O>(
  order: readonly number[],
  states: readonly S[],
  ops: readonly Operation<I, O>[],
  model: Model<S, I, O>,
): boolean[] {
  invariant(states.length === order.length + 1, "one state before each operation, and one after");
  const equal = model.equal !== undefined ? model.equal.bind(model) : valuesEqual;
  let lastCompleted = -1;
  order.forEach((i, pos) => {
    if (ops[i]!.status !== "info") lastCompleted = pos;
  });
  return order.map((i, pos) => {
    const status = ops[i]!.status;
    if (status === "ok") return true;
    if (status === "fail") return false;
    return pos < lastCompleted && !equal(states[pos]!, states[pos + 1]!);
  });
}

function explainFailure<S, I, O>(
  key: PartitionKey | undefined,
  blocked: Operation<I, O>,
  prefix: readonly Operation<I, O>[],
  state: S,
  conflict: Conflict<I, O> | undefined,
  model: Model<S, I, O>,
): string {
  const part = key === undefined ? "" : ` (partition ${JSON.stringify(key)})`;
  const shown = 8;
  const head = `In the ${model.name} history${part}, ${describeOperation(blocked, model)} cannot be linearized.`;
  let why: string;
  if (conflict === undefined) {
    why = "";
  } else if (conflict.others.length === 0) {
    why = ` It is impossible on its own: no order places it legally${conflict.minimal ? "" : " (as far as the conflict search got)"}.`;
  } else {
    const list = conflict.others
      .slice(0, shown)
      .map((o) => describeOperation(o, model))
      .join("; ");
    const more = conflict.others.length > shown ? `; and ${conflict.others.length - shown} more` : "";
    why =
      ` It conflicts with ${conflict.others.length} operation(s): ${list}${more}.` +
      ` With just these, it cannot be linearized, though they can without it, and it can with them taken as unknown; ${
        conflict.minimal
          ? "each one is needed for that (a minimal set)"
          : "a smaller such set may exist (the conflict search ran out of steps)"
      }.`;
  }
  const prefixText =
    prefix.length === 0
      ? " No operation can be linearized first."
      : ` The longest linearizable prefix has ${prefix.length} operation(s) (longestPrefix) and leaves the state ${describeState(state, model)}.`;
  return head + why + prefixText;
}
