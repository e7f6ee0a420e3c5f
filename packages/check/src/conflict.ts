import { invariant } from "./errors.js";
import type { Operation } from "./history.js";
import type { Model } from "./model.js";
import { LinearizationSearch } from "./search.js";

/** The result of {@link minimalConflict}. @internal */
export interface Conflict<I, O> {
  /** The operations besides the blocked one, in invocation order. */
  readonly others: readonly Operation<I, O>[];
  /** True when dropping any one of `others` breaks the conflict (1-minimal). */
  readonly minimal: boolean;
  /** Model steps spent. */
  readonly steps: number;
}

/** The step budget of one support check (see `supported` below). */
const SUPPORT_STEPS = 5_000;
/** The step budget for checking that a starting pool without the blocked operation is linearizable. */
const START_STEPS = 20_000;

/** The operation with its outcome unknown: it may take effect at any time after its call, or never. */
function relaxed<I, O>(op: Operation<I, O>): Operation<I, O> {
  return { ...op, status: "info", output: undefined, returnMs: Number.POSITIVE_INFINITY };
}

/**
 * Finds a small set S of operations whose constraints conflict with `blocked`: S with `blocked`
 * cannot be linearized, S alone can, and `blocked` is possible with the operations of S taken as
 * unknown (so for a stale read S keeps the write it read from as well as the later write that makes
 * it stale). Over a partition already known to fail: first, whether `blocked` is possible at all with
 * every other operation unknown (if not, it is impossible on its own and S is empty); then S is the
 * smallest conflicting set of the 1, 2, 4, ... operations nearest to `blocked` in time (concurrent
 * ones first, then those that returned most recently before it was invoked, those invoked after it
 * returned last), taken from the partition, or, when the partition without `blocked` has other
 * violations, from the operations invoked before `blocked` returned; then single operations are
 * dropped while S still conflicts, until none can be. Every verdict comes from the
 * same search the checker uses. Bounded by `budgetSteps` model steps: past them the set is
 * `undefined` (not found) or, once found, returned with `minimal: false`.
 * @internal
 */
export function minimalConflict<S, I, O>(
  ops: readonly Operation<I, O>[],
  blocked: Operation<I, O>,
  model: Model<S, I, O>,
  budgetSteps: number,
): Conflict<I, O> | undefined {
  invariant(ops.includes(blocked), "the blocked operation is in its partition");
  let spent = 0;
  let exhausted = false;
  let uncertain = false;
  /** The verdict on a set, or undefined when the (overall, or this call's) budget ran out. */
  const linearizable = (set: readonly Operation<I, O>[], capSteps = budgetSteps): boolean | undefined => {
    if (exhausted) return undefined;
    const search = new LinearizationSearch(set, model);
    const status = search.run(Math.min(capSteps, budgetSteps - spent));
    spent += search.steps;
    if (status === "running") {
      if (spent >= budgetSteps) exhausted = true;
      return undefined;
    }
    return status === "linearizable";
  };
  /**
   * Whether `blocked` is possible with the others of `set` unknown. Refuting that can take time
   * exponential in the set's size (unknown operations go anywhere), so each call has a small budget;
   * past it the answer is taken as "no" and the result is not called minimal.
   */
  const supported = (others: readonly Operation<I, O>[]): boolean => {
    const r = linearizable(sortById([...others.map(relaxed), blocked]), SUPPORT_STEPS);
    if (r === undefined) uncertain = true;
    return r === true;
  };
  const everyone = ops.filter((o) => o !== blocked);
  const needSupport = supported(everyone);
  if (!needSupport && !uncertain) return { others: [], minimal: true, steps: spent };
  uncertain = false;
  /** S conflicts with blocked (S is known to be linearizable unless `checkAlone`). */
  const conflicts = (set: readonly Operation<I, O>[], checkAlone: boolean): boolean =>
    linearizable(sortById([...set, blocked])) === false &&
    (!checkAlone || linearizable(set) === true) &&
    (!needSupport || supported(set));

  const distance = (o: Operation<I, O>): number =>
    o.callMs > blocked.returnMs
      ? Number.MAX_VALUE / 2 + o.callMs // invoked after it returned: cannot precede it, tried last
      : Math.max(0, blocked.callMs - o.returnMs);
  const byNearness = (set: readonly Operation<I, O>[]) =>
    set.slice().sort((a, b) => distance(a) - distance(b) || b.id - a.id);
  // A starting set that conflicts: the smallest of the 1, 2, 4, ... operations nearest to blocked,
  // among the whole partition, or among those invoked before blocked returned (when the partition
  // has other violations: its operations without blocked are then not linearizable).
  const early = everyone.filter((o) => o.callMs <= blocked.returnMs);
  let found: Operation<I, O>[] | undefined;
  for (const pool of early.length < everyone.length ? [everyone, early] : [everyone]) {
    if (exhausted || found !== undefined) break;
    if (linearizable(pool, START_STEPS) !== true) continue;
    const near = byNearness(pool);
    for (let k = 1; !exhausted; k = Math.min(2 * k, near.length)) {
      const set = sortById(near.slice(0, k));
      if (conflicts(set, true)) {
        found = set;
        break;
      }
      if (k === near.length) break;
    }
  }
  if (found === undefined) return undefined;
  let core: Operation<I, O>[] = found;
  // Drop single operations until none can go (bounded: 40 passes).
  let converged = false;
  for (let pass = 0; pass < 40 && !exhausted && !converged; pass++) {
    uncertain = false; // only the last pass (nothing removed) decides minimality
    let removed = false;
    for (let i = 0; i < core.length && !exhausted; ) {
      const trial: Operation<I, O>[] = core.filter((_, j) => j !== i);
      if (conflicts(trial, true)) {
        core = trial;
        removed = true;
      } else {
        i++;
      }
    }
    if (!removed) converged = true;
  }
  return { others: core, minimal: converged && !exhausted && !uncertain, steps: spent };
}

function sortById<I, O>(ops: Operation<I, O>[]): Operation<I, O>[] {
  return ops.sort((a, b) => a.id - b.id);
}
