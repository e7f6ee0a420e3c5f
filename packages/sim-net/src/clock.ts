/**
 * Per-node local clocks: true time skewed by an offset and a drift rate.
 *
 * @module
 */
import { SimNetError, assertFinite } from "./errors.js";

/**
 * A node's clock parameters. Local time reads `offsetMs + trueTime * (1 + driftPpm / 1e6)` when set at
 * time 0; later changes are continuous in drift (the clock keeps its reading and changes rate) and jump
 * by the change in offset.
 *
 * @example
 * ```ts
 * const fastClock: ClockConfig = { offsetMs: 250, driftPpm: 100 }; // 250 ms ahead, gains 0.1 ms/s
 * ```
 */
export interface ClockConfig {
  /** Offset in ms added to the clock's reading (may be negative). */
  readonly offsetMs: number;
  /** Drift in parts per million: 100 means the clock gains 100 µs per true second. Must be > -1e6. */
  readonly driftPpm: number;
}

/** @internal Validates a partial clock config. */
export function validateClockConfig(config: Partial<ClockConfig>): void {
  if (typeof config !== "object" || config === null) {
    throw new SimNetError(
      "invalid-argument",
      `clock config must be an object { offsetMs?, driftPpm? }, got ${String(config)}`,
    );
  }
  if (config.offsetMs !== undefined) assertFinite(config.offsetMs, "clock offsetMs");
  if (config.driftPpm !== undefined) {
    assertFinite(config.driftPpm, "clock driftPpm");
    if (config.driftPpm <= -1e6 || config.driftPpm >= 1e6) {
      throw new SimNetError(
        "invalid-argument",
        `clock driftPpm must be in (-1000000, 1000000) so the clock runs forward, got ${config.driftPpm}`,
      );
    }
  }
}

/**
 * A node's local clock. Piecewise linear in true time: `local(t) = baseLocal + (t - baseTrue) * rate`.
 * @internal
 */
export class NodeClock {
  private baseTrueMs = 0;
  private baseLocalMs: number;
  /** Local ms per true ms. */
  rate: number;
  offsetMs: number;
  driftPpm: number;

  constructor(config: ClockConfig) {
    this.offsetMs = config.offsetMs;
    this.driftPpm = config.driftPpm;
    this.baseLocalMs = config.offsetMs;
    this.rate = 1 + config.driftPpm / 1e6;
  }

  /** Local time at true time `trueMs`. */
  localAt(trueMs: number): number {
    return this.baseLocalMs + (trueMs - this.baseTrueMs) * this.rate;
  }

  /** True-time duration that lasts `localMs` on this clock at the current rate. */
  trueDuration(localMs: number): number {
    return localMs / this.rate;
  }

  /** Changes parameters at true time `nowMs`: drift continuously, offset as a jump. */
  set(nowMs: number, patch: Partial<ClockConfig>): void {
    const local = this.localAt(nowMs);
    const newOffset = patch.offsetMs ?? this.offsetMs;
    const newDrift = patch.driftPpm ?? this.driftPpm;
    this.baseTrueMs = nowMs;
    this.baseLocalMs = local + (newOffset - this.offsetMs);
    this.offsetMs = newOffset;
    this.driftPpm = newDrift;
    this.rate = 1 + newDrift / 1e6;
  }
}
