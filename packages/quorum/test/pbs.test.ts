import { SeededRandom } from "@distkit/sim-net";
import { describe, expect, it } from "vitest";
import { PBS_LATENCY_MODELS, QuorumError, runPbsExperiment, warsPrediction } from "../src/index.js";

describe("PBS t-visibility on the quorum store (small sample)", () => {
  const T = [0, 2, 10, 50, 200];

  it("LNKD-DISK, R = W = 1: stale right after commit, consistent later; agrees with the WARS model", () => {
    const res = runPbsExperiment({
      model: PBS_LATENCY_MODELS["LNKD-DISK"],
      r: 1,
      w: 1,
      trials: 600,
      tMs: T,
      seed: 3,
    });
    expect(res.trials).toBe(600);
    const p = res.consistency.map((c) => c.probability);
    // The paper: "immediately after write commit, LNKD-DISK had only a 43.9% probability of consistent reads".
    expect(p[0]).toBeGreaterThan(0.3);
    expect(p[0]).toBeLessThan(0.6);
    for (let i = 1; i < p.length; i++) expect(p[i]!).toBeGreaterThanOrEqual(p[i - 1]! - 0.03);
    expect(p[p.length - 1]).toBeGreaterThan(0.99);
    const model = warsPrediction(PBS_LATENCY_MODELS["LNKD-DISK"], 3, 1, 1, T, 20_000, new SeededRandom(9));
    // Binomial noise of 600 trials is about 2 percentage points; allow 3 sigma.
    p.forEach((x, i) => {
      expect(Math.abs(x - model[i]!)).toBeLessThan(0.065);
    });
  });

  it("strict quorums (R + W > N) are always consistent, and cost latency", () => {
    const strict = runPbsExperiment({
      model: PBS_LATENCY_MODELS.YMMR,
      r: 2,
      w: 2,
      trials: 300,
      tMs: [0],
      seed: 4,
    });
    expect(strict.consistency[0]!.probability).toBe(1);
    expect(strict.tVisibilityMs).toBe(0);
    const partial = runPbsExperiment({
      model: PBS_LATENCY_MODELS.YMMR,
      r: 1,
      w: 1,
      trials: 300,
      tMs: [0],
      seed: 4,
    });
    expect(partial.consistency[0]!.probability).toBeLessThan(1);
    expect(partial.readP999Ms).toBeLessThan(strict.readP999Ms);
    expect(partial.writeP999Ms).toBeLessThan(strict.writeP999Ms);
  });

  it("rejects a bad grid", () => {
    expect(() =>
      runPbsExperiment({ model: PBS_LATENCY_MODELS.YMMR, r: 1, w: 1, trials: 1, tMs: [5, 1], seed: 1 }),
    ).toThrow(QuorumError);
  });
});
