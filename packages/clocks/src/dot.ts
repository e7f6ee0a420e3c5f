import { ClocksError, checkCounter, checkId } from "./errors.js";

/**
 * A dot: the `counter`-th update accepted by `replica`. It names one write (one event) uniquely, and is
 * what dotted version vectors, DVVSets and CRDTs (OR-sets, MV-registers) attach to each value.
 *
 * @example
 * ```ts
 * import { type Dot, VersionVector } from "@distkit/clocks";
 * const d: Dot = { replica: "r1", counter: 3 };
 * VersionVector.from({ r1: 5 }).includes(d); // true
 * ```
 */
export interface Dot {
  /** The replica (or process) that created the update. */
  readonly replica: string;
  /** Its sequence number at that replica, starting at 1. */
  readonly counter: number;
}

/**
 * Builds a validated {@link Dot}. Throws {@link ClocksError} (`invalid-argument`) unless `replica` is a
 * string and `counter` a safe integer >= 1.
 *
 * @example
 * ```ts
 * import { dot } from "@distkit/clocks";
 * dot("r1", 1); // { replica: "r1", counter: 1 }
 * ```
 */
export function dot(replica: string, counter: number): Dot {
  checkId(replica, "dot: replica");
  checkCounter(counter, "dot: counter");
  if (counter < 1) throw new ClocksError("invalid-argument", "dot: counter must be >= 1, got 0");
  return { replica, counter };
}

/**
 * A string key for a dot, `replica@counter`, unique per dot; handy as a `Map` key.
 *
 * @example
 * ```ts
 * import { dotKey } from "@distkit/clocks";
 * dotKey({ replica: "r1", counter: 2 }); // "r1@2"
 * ```
 */
export function dotKey(d: Dot): string {
  return `${d.replica}@${d.counter}`;
}

/**
 * Total order on dots: by replica, then by counter. Returns -1, 0 or 1.
 *
 * @example
 * ```ts
 * import { compareDots } from "@distkit/clocks";
 * compareDots({ replica: "a", counter: 2 }, { replica: "b", counter: 1 }); // -1
 * ```
 */
export function compareDots(a: Dot, b: Dot): -1 | 0 | 1 {
  if (a.replica !== b.replica) return a.replica < b.replica ? -1 : 1;
  return a.counter < b.counter ? -1 : a.counter > b.counter ? 1 : 0;
}
