import { EventStormError, SeededRandom } from "@distkit/sim-net";
import { describe, expect, it } from "vitest";
import {
  PBS_LATENCY_MODELS,
  pbsEventBudget,
  QuorumError,
  quantileConfidenceInterval,
  runPbsExperiment,
  warsStalenessWindows,
} from "../src/index.js";

/** Empirical CDF of an ascending sample at t: the fraction of values <= t. */
function cdf(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
}

describe("PBS staleness windows (t-visibility without a grid)", () => {
  it("the windows' CDF agrees with reads actually issued t ms after commit, and with the WARS model", () => {
    const T = [1, 5, 20, 60];
    const res = runPbsExperiment({
      model: PBS_LATENCY_MODELS["LNKD-DISK"],
      r: 1,
      w: 1,
      trials: 3000,
      tMs: T,
      seed: 11,
    });
    expect(res.trials).toBe(3000);
    expect(res.stalenessWindowsMs.length).toBe(3000);
    const model = warsStalenessWindows(
      PBS_LATENCY_MODELS["LNKD-DISK"],
      3,
      1,
      1,
      200_000,
      new SeededRandom(5),
    );
    T.forEach((t, j) => {
      const fromWindows = cdf(res.stalenessWindowsMs, t);
      const direct = res.consistency[j]!.probability;
      // Two estimates from 3000 trials each (correlated through the write, so this bound is loose): 4 sigma.
      const sigma = Math.sqrt((2 * direct * (1 - direct)) / 3000) + 1e-3;
      expect(Math.abs(fromWindows - direct)).toBeLessThan(4 * sigma);
      expect(Math.abs(fromWindows - cdf(model, t))).toBeLessThan(4 * sigma);
    });
    // Right after commit: the paper quotes 43.9% consistent for LNKD-DISK, R = W = 1.
    expect(res.consistentAtCommit).toBeGreaterThan(0.38);
    expect(res.consistentAtCommit).toBeLessThan(0.5);
    expect(res.tVisibility.estimate).toBe(res.tVisibilityMs);
    expect(res.tVisibility.low).toBeLessThanOrEqual(res.tVisibility.estimate);
    expect(res.tVisibility.high).toBeGreaterThanOrEqual(res.tVisibility.estimate);
  });

  it("strict quorums have no staleness window at all", () => {
    const res = runPbsExperiment({ model: PBS_LATENCY_MODELS.YMMR, r: 2, w: 2, trials: 500, seed: 2 });
    expect(res.stalenessWindowsMs.every((x) => x === 0)).toBe(true);
    expect(res.consistentAtCommit).toBe(1);
    expect(res.tVisibility.estimate).toBe(0);
  });

  it("the run's event bound is sized from the trial count: an upper bound on what runs need, within 2.3x (plus 10,000)", () => {
    for (const [r, w, tMs] of [
      [1, 1, []],
      [2, 1, [0, 5, 10]],
      [3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]],
    ] as const) {
      const res = runPbsExperiment({
        model: PBS_LATENCY_MODELS["LNKD-SSD"],
        r,
        w,
        trials: 2000,
        tMs,
        seed: 3,
      });
      expect(res.maxEvents).toBe(pbsEventBudget({ n: 3, trials: 2000, readsPerTrial: 1 + tMs.length }));
      expect(res.eventsProcessed).toBeLessThanOrEqual(res.maxEvents);
      expect(res.maxEvents - 10_000).toBeLessThan(2.3 * res.eventsProcessed);
    }
    // The bound is the simulation's: a smaller one stops the run with sim-net's EventStormError.
    expect(() =>
      runPbsExperiment({
        model: PBS_LATENCY_MODELS["LNKD-SSD"],
        r: 1,
        w: 1,
        trials: 2000,
        seed: 3,
        maxEvents: 10_000,
      }),
    ).toThrow(EventStormError);
    // Runs that need more than sim-net's default of 50,000,000 events get a larger bound, linear in trials:
    // 300,000 writes read at 17 times need about 51 million events.
    const big = pbsEventBudget({ n: 3, trials: 300_000, readsPerTrial: 18 });
    expect(big).toBeGreaterThan(2 * 50_000_000);
    expect(pbsEventBudget({ n: 3, trials: 600_000, readsPerTrial: 18 }) - 10_000).toBe(2 * (big - 10_000));
  });
});

describe("quantileConfidenceInterval", () => {
  it("covers the true quantile at least as often as asked (uniform samples, 400 repetitions)", () => {
    const random = new SeededRandom(42);
    for (const [q, n] of [
      [0.999, 5000],
      [0.9, 300],
    ] as const) {
      let covered = 0;
      const reps = 400;
      for (let k = 0; k < reps; k++) {
        const xs = Float64Array.from({ length: n }, () => random.next()).sort();
        const ci = quantileConfidenceInterval(xs, q, 0.95);
        if (ci.low <= q && q <= ci.high) covered++;
      }
      // 95% nominal (the exact binomial interval is conservative); 400 repetitions: allow 3 sigma below.
      expect(covered / reps).toBeGreaterThan(0.95 - 3 * Math.sqrt((0.95 * 0.05) / reps));
    }
  });

  it("is unbounded where the sample is too small, and rejects bad arguments with a typed error", () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    const ci = quantileConfidenceInterval(xs, 0.999);
    expect(ci.high).toBe(Number.POSITIVE_INFINITY);
    expect(ci.estimate).toBe(998);
    const enough = quantileConfidenceInterval(
      Array.from({ length: 3688 }, (_, i) => i),
      0.999,
    );
    expect(Number.isFinite(enough.high)).toBe(true);
    expect(() => quantileConfidenceInterval(xs, 1)).toThrow(QuorumError);
    expect(() => quantileConfidenceInterval(xs, 0.5, 0)).toThrow(QuorumError);
    expect(quantileConfidenceInterval([], 0.5).samples).toBe(0);
  });
});
