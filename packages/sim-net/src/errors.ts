/**
 * Errors thrown by the simulator on misuse and bad input.
 *
 * @module
 */

/**
 * Machine-readable reason of a {@link SimNetError}.
 *
 * - `unknown-node`: a node id that was never added.
 * - `duplicate-node`: {@link Simulation.addNode} with an id already in use.
 * - `invalid-argument`: a number, string or option outside what is accepted (negative delay, NaN, ...).
 * - `invalid-probability`: a rate or probability outside [0, 1].
 * - `invalid-distribution`: a latency distribution with bad parameters.
 * - `invalid-message`: a message that is not an object with a string `type`.
 * - `invalid-schedule`: a fault schedule entry that is malformed or in the past.
 * - `event-storm`: a run processed more events than its `maxEvents` bound (see {@link EventStormError}).
 * - `queue-overflow`: more pending events than the simulation's `maxPendingEvents` bound.
 * - `trace-disabled`: a trace operation that needs a trace mode that is not active.
 * - `reentrant-run`: a run method called from inside an event handler.
 *
 * @example
 * ```ts
 * const code: SimNetErrorCode = "unknown-node";
 * ```
 */
export type SimNetErrorCode =
  | "unknown-node"
  | "duplicate-node"
  | "invalid-argument"
  | "invalid-probability"
  | "invalid-distribution"
  | "invalid-message"
  | "invalid-schedule"
  | "event-storm"
  | "queue-overflow"
  | "trace-disabled"
  | "reentrant-run";

/**
 * Thrown on misuse of the simulator or bad input. The message says what was wrong and what is
 * accepted; `code` is stable for programs.
 *
 * @example
 * ```ts
 * try {
 *   sim.crash("nope");
 * } catch (error) {
 *   if (error instanceof SimNetError && error.code === "unknown-node") console.log(error.message);
 * }
 * ```
 */
export class SimNetError extends Error {
  /** Machine-readable reason. */
  readonly code: SimNetErrorCode;

  /**
   * @param code - machine-readable reason
   * @param message - what was wrong and what is accepted
   */
  constructor(code: SimNetErrorCode, message: string) {
    super(message);
    this.name = "SimNetError";
    this.code = code;
  }
}

/**
 * Thrown when one run call processes more events than its bound: usually an event storm (a timer that
 * re-arms itself with zero delay, a message loop) rather than a long but healthy run. Raise
 * `maxEvents` on the call or `maxEventsPerRun` on the simulation when the run is legitimately long.
 *
 * @example
 * ```ts
 * try {
 *   sim.runFor(10_000, { maxEvents: 1000 });
 * } catch (error) {
 *   if (error instanceof EventStormError) console.log(`storm at ${error.atMs} ms`);
 * }
 * ```
 */
export class EventStormError extends SimNetError {
  /** The bound that was exceeded. */
  readonly maxEvents: number;
  /** True time (ms) when the bound was hit. */
  readonly atMs: number;

  /**
   * @param maxEvents - the bound that was exceeded
   * @param atMs - true time when it happened
   */
  constructor(maxEvents: number, atMs: number) {
    super(
      "event-storm",
      `event storm: more than ${maxEvents} events processed in one run call (true time ${atMs} ms); ` +
        "look for a zero-delay timer or message loop, or pass a larger maxEvents (a positive integer)",
    );
    this.name = "EventStormError";
    this.maxEvents = maxEvents;
    this.atMs = atMs;
  }
}

/** @internal Throws a SimNetError with code `invalid-argument` unless `value` is a finite number >= 0. */
export function assertNonNegative(value: number, what: string): void {
  if (typeof value !== "number" || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
    throw new SimNetError("invalid-argument", `${what} must be a finite number >= 0, got ${String(value)}`);
  }
}

/** @internal Throws unless `value` is a finite number. */
export function assertFinite(value: number, what: string): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new SimNetError("invalid-argument", `${what} must be a finite number, got ${String(value)}`);
  }
}

/** @internal Throws a SimNetError with code `invalid-probability` unless 0 <= value <= 1. */
export function assertProbability(value: number, what: string): void {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new SimNetError(
      "invalid-probability",
      `${what} must be a probability in [0, 1], got ${String(value)}`,
    );
  }
}

/** @internal Throws unless `value` is a positive integer. */
export function assertPositiveInteger(value: number, what: string): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new SimNetError("invalid-argument", `${what} must be a positive integer, got ${String(value)}`);
  }
}

/**
 * Internal invariant check that stays on in production: a failure is a simulator bug.
 * @internal
 */
export function invariant(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`sim-net internal invariant violated: ${what}`);
}
