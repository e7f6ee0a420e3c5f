/**
 * The result of comparing two causality clocks (vector clocks, version vectors, dotted version vectors,
 * interval tree clocks). Unlike most npm packages, `equal` and `concurrent` are distinct outcomes.
 *
 * - `before`: the left clock happened before (is strictly dominated by) the right one.
 * - `after`: the left clock strictly dominates the right one.
 * - `equal`: both clocks describe the same causal history.
 * - `concurrent`: neither dominates: the histories diverged.
 *
 * @example
 * ```ts
 * import { type Ordering, VectorClock } from "@distkit/clocks";
 * const o: Ordering = VectorClock.from({ a: 1 }).compare(VectorClock.from({ b: 1 }));
 * console.log(o); // "concurrent"
 * ```
 */
export type Ordering = "before" | "after" | "equal" | "concurrent";

/**
 * Flips an {@link Ordering}: `compare(b, a) === reverseOrdering(compare(a, b))`.
 *
 * @example
 * ```ts
 * import { reverseOrdering } from "@distkit/clocks";
 * reverseOrdering("before"); // "after"
 * ```
 */
export function reverseOrdering(o: Ordering): Ordering {
  return o === "before" ? "after" : o === "after" ? "before" : o;
}
