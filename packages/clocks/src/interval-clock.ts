import { ClocksError } from "./errors.js";

/**
 * An interval of absolute time, in milliseconds, guaranteed to contain the true time (TrueTime's
 * `TTinterval`).
 *
 * @example
 * ```ts
 * import { type TimeInterval, IntervalClock } from "@distkit/clocks";
 * const t: TimeInterval = new IntervalClock({ now: () => 100, uncertaintyMs: 5 }).now();
 * // { earliestMs: 95, latestMs: 105 }
 * ```
 */
export interface TimeInterval {
  /** The true time is not before this. */
  readonly earliestMs: number;
  /** The true time is not after this. */
  readonly latestMs: number;
}

/**
 * Options of {@link IntervalClock}.
 *
 * @example
 * ```ts
 * import { IntervalClock, type IntervalClockOptions } from "@distkit/clocks";
 * const options: IntervalClockOptions = { now: () => ctx.now(), uncertaintyMs: 7 };
 * const clock = new IntervalClock(options);
 * ```
 */
export interface IntervalClockOptions {
  /** The local clock in milliseconds (e.g. `ctx.now` in sim-net). */
  readonly now: () => number;
  /**
   * The bound ε on how far the local clock may be from true time, in ms: a constant or a function
   * (e.g. growing with the time since the last synchronisation, as TrueTime's ε does). Must be >= 0.
   */
  readonly uncertaintyMs: number | (() => number);
}

/**
 * A clock in the style of Google's TrueTime (Corbett et al., "Spanner", OSDI 2012): instead of a
 * single reading it returns an interval `[earliest, latest]` that contains the true time, given that
 * the local clock is within `uncertaintyMs` of it. {@link IntervalClock.after} and
 * {@link IntervalClock.before} answer "has t certainly passed / certainly not arrived", and
 * {@link IntervalClock.commitWaitMs} says how long to wait before a timestamp is certainly in the past
 * everywhere: Spanner's commit wait, which makes timestamp order agree with real-time order.
 *
 * @example
 * ```ts
 * import { IntervalClock } from "@distkit/clocks";
 * let localMs = 1_000;
 * const tt = new IntervalClock({ now: () => localMs, uncertaintyMs: 7 });
 * const commitTs = tt.now().latestMs;       // 1007: a timestamp no earlier than true time
 * tt.commitWaitMs(commitTs);                // 14: wait until earliest >= 1007
 * localMs += 14;
 * tt.after(commitTs);                       // true: safe to acknowledge the commit
 * ```
 */
export class IntervalClock {
  private readonly clock: () => number;
  private readonly epsilon: () => number;

  /**
   * @param options - the local clock and the uncertainty bound
   */
  constructor(options: IntervalClockOptions) {
    if (typeof options?.now !== "function") {
      throw new ClocksError("invalid-argument", "IntervalClock: options.now must be a function returning ms");
    }
    const u = options.uncertaintyMs;
    if (typeof u === "number") {
      checkEpsilon(u);
      this.epsilon = () => u;
    } else if (typeof u === "function") {
      this.epsilon = u;
    } else {
      throw new ClocksError(
        "invalid-argument",
        "IntervalClock: uncertaintyMs must be a number >= 0 or a function",
      );
    }
    this.clock = options.now;
  }

  /**
   * The current uncertainty interval `[local - ε, local + ε]`.
   *
   * @example
   * ```ts
   * import { IntervalClock } from "@distkit/clocks";
   * new IntervalClock({ now: () => 50, uncertaintyMs: 2 }).now(); // { earliestMs: 48, latestMs: 52 }
   * ```
   */
  now(): TimeInterval {
    const local = this.readLocal();
    const eps = this.epsilon();
    checkEpsilon(eps);
    return { earliestMs: local - eps, latestMs: local + eps };
  }

  private readLocal(): number {
    const local = this.clock();
    if (typeof local !== "number" || !Number.isFinite(local)) {
      throw new ClocksError(
        "invalid-argument",
        `IntervalClock: the local clock returned ${String(local)}; a finite number is required`,
      );
    }
    return local;
  }

  /**
   * True when `tMs` has certainly passed: `tMs <= now().earliestMs`.
   *
   * @example
   * ```ts
   * import { IntervalClock } from "@distkit/clocks";
   * new IntervalClock({ now: () => 50, uncertaintyMs: 2 }).after(48); // true
   * ```
   */
  after(tMs: number): boolean {
    return tMs <= this.now().earliestMs;
  }

  /**
   * True when `tMs` has certainly not arrived yet: `tMs > now().latestMs`.
   *
   * @example
   * ```ts
   * import { IntervalClock } from "@distkit/clocks";
   * new IntervalClock({ now: () => 50, uncertaintyMs: 2 }).before(53); // true
   * ```
   */
  before(tMs: number): boolean {
    return tMs > this.now().latestMs;
  }

  /**
   * How long (ms, >= 0) to wait from now until {@link IntervalClock.after}`(commitTsMs)` holds, assuming
   * the uncertainty does not grow meanwhile. A transaction stamped `commitTsMs` may acknowledge its
   * commit once this has elapsed.
   *
   * @example
   * ```ts
   * import { IntervalClock } from "@distkit/clocks";
   * new IntervalClock({ now: () => 50, uncertaintyMs: 2 }).commitWaitMs(52); // 4
   * ```
   */
  commitWaitMs(commitTsMs: number): number {
    if (typeof commitTsMs !== "number" || Number.isNaN(commitTsMs)) {
      throw new ClocksError("invalid-argument", "IntervalClock.commitWaitMs: commitTsMs must be a number");
    }
    const local = this.readLocal();
    const eps = this.epsilon();
    checkEpsilon(eps);
    let waitMs = Math.max(0, commitTsMs - (local - eps));
    // Fractional times: bump by a few ulps so that (local + wait) - eps >= commitTs also holds after
    // floating-point rounding. Bounded: each step at least doubles the bump.
    let bump = Math.max(Number.EPSILON * Math.abs(commitTsMs), Number.MIN_VALUE);
    for (let k = 0; k < 16 && waitMs > 0 && local + waitMs - eps < commitTsMs; k++) {
      waitMs += bump;
      bump *= 2;
    }
    return waitMs;
  }
}

function checkEpsilon(eps: number): void {
  if (typeof eps !== "number" || !(eps >= 0) || !Number.isFinite(eps)) {
    throw new ClocksError(
      "invalid-argument",
      `IntervalClock: uncertaintyMs must be a finite number >= 0, got ${String(eps)}`,
    );
  }
}

/**
 * A read's uncertainty interval, CockroachDB style: a transaction reading at `readTsMs` on a node whose
 * clock may be up to `maxOffsetMs` behind another's cannot tell whether a value written at a timestamp in
 * `(readTsMs, limitMs]` happened before its read in real time. Values above `limitMs` certainly did not.
 *
 * @example
 * ```ts
 * import { uncertaintyInterval } from "@distkit/clocks";
 * uncertaintyInterval(1000, 250); // { readTsMs: 1000, limitMs: 1250 }
 * ```
 */
export interface UncertaintyInterval {
  /** The read timestamp. */
  readonly readTsMs: number;
  /** The uncertainty upper bound: the read's original timestamp plus the maximum clock offset. */
  readonly limitMs: number;
}

/**
 * Builds the {@link UncertaintyInterval} of a read at `readTsMs` with maximum clock offset `maxOffsetMs`.
 *
 * @example
 * ```ts
 * import { uncertaintyInterval } from "@distkit/clocks";
 * uncertaintyInterval(10, 5).limitMs; // 15
 * ```
 */
export function uncertaintyInterval(readTsMs: number, maxOffsetMs: number): UncertaintyInterval {
  if (!Number.isFinite(readTsMs)) {
    throw new ClocksError(
      "invalid-argument",
      `uncertaintyInterval: readTsMs must be finite, got ${readTsMs}`,
    );
  }
  if (!Number.isFinite(maxOffsetMs) || maxOffsetMs < 0) {
    throw new ClocksError(
      "invalid-argument",
      `uncertaintyInterval: maxOffsetMs must be finite and >= 0, got ${maxOffsetMs}`,
    );
  }
  return { readTsMs, limitMs: readTsMs + maxOffsetMs };
}

/**
 * How a read treats one version: `visible` (at or below the read timestamp), `future` (above the
 * uncertainty limit: certainly written after the read began, ignore it) or `uncertain` (in between).
 *
 * @example
 * ```ts
 * import { classifyVersion, uncertaintyInterval } from "@distkit/clocks";
 * classifyVersion(uncertaintyInterval(100, 10), 105); // "uncertain"
 * ```
 */
export type VersionVisibility = "visible" | "uncertain" | "future";

/**
 * Classifies a version stamped `versionTsMs` for a read with uncertainty interval `interval`.
 *
 * @example
 * ```ts
 * import { classifyVersion, uncertaintyInterval } from "@distkit/clocks";
 * const i = uncertaintyInterval(100, 10);
 * [classifyVersion(i, 100), classifyVersion(i, 110), classifyVersion(i, 111)]; // ["visible", "uncertain", "future"]
 * ```
 */
export function classifyVersion(interval: UncertaintyInterval, versionTsMs: number): VersionVisibility {
  if (versionTsMs <= interval.readTsMs) return "visible";
  if (versionTsMs <= interval.limitMs) return "uncertain";
  return "future";
}

/**
 * The outcome of {@link readWithUncertainty}: the timestamp of the version to return (or `undefined` when
 * no version is visible), or a restart at a higher timestamp.
 *
 * @example
 * ```ts
 * import { type UncertainReadResult, readWithUncertainty, uncertaintyInterval } from "@distkit/clocks";
 * const r: UncertainReadResult = readWithUncertainty(uncertaintyInterval(100, 10), [90, 105]);
 * // { kind: "restart", interval: { readTsMs: 105, limitMs: 110 } }
 * ```
 */
export type UncertainReadResult =
  | {
      /** The read can be served. */
      readonly kind: "read";
      /** Timestamp of the newest visible version, `undefined` if none. */
      readonly versionTsMs: number | undefined;
    }
  | {
      /** An uncertain version exists: the read must restart with this interval. */
      readonly kind: "restart";
      /** The new interval: read timestamp raised to the uncertain version's, same limit. */
      readonly interval: UncertaintyInterval;
    };

/**
 * CockroachDB's uncertainty rule over the version timestamps of one key: if some version lies in
 * `(readTsMs, limitMs]` the read must restart at the highest such timestamp (keeping the same limit, so
 * restarts are bounded); otherwise it returns the newest version at or below `readTsMs`.
 *
 * @example
 * ```ts
 * import { readWithUncertainty, uncertaintyInterval } from "@distkit/clocks";
 * readWithUncertainty(uncertaintyInterval(100, 10), [90, 120]); // { kind: "read", versionTsMs: 90 }
 * ```
 */
export function readWithUncertainty(
  interval: UncertaintyInterval,
  versionTimestampsMs: Iterable<number>,
): UncertainReadResult {
  let newestVisible: number | undefined;
  let newestUncertain: number | undefined;
  for (const ts of versionTimestampsMs) {
    const v = classifyVersion(interval, ts);
    if (v === "visible") {
      if (newestVisible === undefined || ts > newestVisible) newestVisible = ts;
    } else if (v === "uncertain") {
      if (newestUncertain === undefined || ts > newestUncertain) newestUncertain = ts;
    }
  }
  if (newestUncertain !== undefined) {
    return { kind: "restart", interval: { readTsMs: newestUncertain, limitMs: interval.limitMs } };
  }
  return { kind: "read", versionTsMs: newestVisible };
}
