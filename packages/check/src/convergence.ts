import { CheckError } from "./errors.js";
import { formatValue } from "./history.js";
import { valuesEqual } from "./hash.js";

/**
 * Options of {@link checkConvergence}.
 *
 * @example
 * ```ts
 * import type { ConvergenceOptions } from "@distkit/check";
 * const o: ConvergenceOptions<number[]> = { describe: (s) => s.join(",") };
 * ```
 */
export interface ConvergenceOptions<S> {
  /** State equality (default: structural). */
  readonly equal?: (a: S, b: S) => boolean;
  /** Describes a state for the explanation (default: {@link formatValue}). */
  readonly describe?: (state: S) => string;
}

/**
 * A group of replicas holding equal states.
 *
 * @example
 * ```ts
 * import type { ReplicaGroup } from "@distkit/check";
 * const size = (g: ReplicaGroup<string>) => g.replicas.length;
 * ```
 */
export interface ReplicaGroup<S> {
  /** The replicas, in input order. */
  readonly replicas: readonly (string | number)[];
  /** Their common state. */
  readonly state: S;
}

/**
 * The result of {@link checkConvergence}.
 *
 * @example
 * ```ts
 * import type { ConvergenceResult } from "@distkit/check";
 * const ok = (r: ConvergenceResult<string>) => r.converged;
 * ```
 */
export interface ConvergenceResult<S> {
  /** True when every replica holds the same state. */
  readonly converged: boolean;
  /** Replicas grouped by equal state, largest group first. */
  readonly groups: readonly ReplicaGroup<S>[];
  /** In words. */
  readonly explanation: string;
}

/**
 * Checks that replicas converged: at the end of a run (after healing and quiescence), every replica
 * holds the same state.
 *
 * @throws CheckError `invalid-argument` when no replica is given.
 * @example
 * ```ts
 * import { checkConvergence } from "@distkit/check";
 * const r = checkConvergence(new Map([["a", { x: 1 }], ["b", { x: 1 }], ["c", { x: 2 }]]));
 * r.converged; // false
 * r.groups.map((g) => g.replicas); // [["a", "b"], ["c"]]
 * ```
 */
export function checkConvergence<S>(
  replicas: ReadonlyMap<string | number, S> | Readonly<Record<string, S>>,
  options: ConvergenceOptions<S> = {},
): ConvergenceResult<S> {
  const entries: [string | number, S][] =
    replicas instanceof Map ? [...replicas.entries()] : Object.entries(replicas as Record<string, S>);
  if (entries.length === 0) {
    throw new CheckError("invalid-argument", "checkConvergence needs at least one replica state");
  }
  const equal = options.equal ?? valuesEqual;
  const describe = options.describe ?? formatValue;
  const groups: { replicas: (string | number)[]; state: S }[] = [];
  for (const [id, state] of entries) {
    const g = groups.find((x) => equal(x.state, state));
    if (g === undefined) groups.push({ replicas: [id], state });
    else g.replicas.push(id);
  }
  const sorted = groups
    .map((g, i) => ({ g, i }))
    .sort((a, b) => b.g.replicas.length - a.g.replicas.length || a.i - b.i);
  const out = sorted.map((x) => x.g);
  const converged = out.length === 1;
  const explanation = converged
    ? `Converged: all ${entries.length} replica(s) hold ${describe(out[0]!.state)}.`
    : `Not converged: ${out.length} different states among ${entries.length} replicas: ${out
        .map((g) => `${g.replicas.map(String).join(", ")} hold ${describe(g.state)}`)
        .join("; ")}.`;
  return { converged, groups: out, explanation };
}
