import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type LatencyDistribution,
  type Message,
  SeededRandom,
  SimNetError,
  Simulation,
  sampleLatency,
  validateLatency,
} from "../src/index.js";
import { latencyDistributionArb } from "../src/testing.js";
import { Recorder, mean } from "./helpers.js";

function samples(d: LatencyDistribution, n: number, seed = 11): number[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => sampleLatency(d, random));
}

function fraction(xs: readonly number[], pred: (x: number) => boolean): number {
  return xs.filter(pred).length / xs.length;
}

/** Latencies observed on the network a -> b for `n` messages. */
function observed(d: LatencyDistribution, n: number, seed = 5): number[] {
  const sim = new Simulation({ seed, network: { latency: d } });
  sim.addNode("a", () => ({ onMessage() {} }));
  sim.addNode("b", (ctx) => new Recorder(ctx));
  for (let i = 0; i < n; i++) sim.send("a", "b", { type: "m" });
  sim.run();
  return sim.trace.events.flatMap((e) => (e.kind === "deliver" ? [e.atMs - e.sentAtMs] : []));
}

describe("latency distributions", () => {
  it("constant", () => {
    expect(new Set(observed({ kind: "constant", ms: 3.5 }, 200))).toEqual(new Set([3.5]));
  });

  it("uniform: mean, bounds and quartile", () => {
    const xs = observed({ kind: "uniform", minMs: 2, maxMs: 6 }, 4000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...xs)).toBeLessThanOrEqual(6);
    expect(mean(xs)).toBeGreaterThan(3.9);
    expect(mean(xs)).toBeLessThan(4.1);
    expect(fraction(xs, (x) => x < 3)).toBeGreaterThan(0.22);
    expect(fraction(xs, (x) => x < 3)).toBeLessThan(0.28);
  });

  it("normal: mean, standard deviation, one-sigma mass", () => {
    const xs = samples({ kind: "normal", meanMs: 10, stdDevMs: 2 }, 20_000);
    const m = mean(xs);
    const sd = Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
    expect(m).toBeGreaterThan(9.9);
    expect(m).toBeLessThan(10.1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
    const within = fraction(xs, (x) => Math.abs(x - 10) <= 2);
    expect(within).toBeGreaterThan(0.66);
    expect(within).toBeLessThan(0.7);
  });

  it("normal: never negative (clamped at 0)", () => {
    const xs = samples({ kind: "normal", meanMs: 1, stdDevMs: 2 }, 5000);
    expect(Math.min(...xs)).toBe(0);
    expect(fraction(xs, (x) => x === 0)).toBeGreaterThan(0.25); // P(N(1,2) < 0) ~ 0.31
  });

  it("exponential: mean and median", () => {
    const xs = samples({ kind: "exponential", meanMs: 5 }, 20_000);
    expect(mean(xs)).toBeGreaterThan(4.8);
    expect(mean(xs)).toBeLessThan(5.2);
    const belowMedian = fraction(xs, (x) => x < 5 * Math.LN2);
    expect(belowMedian).toBeGreaterThan(0.48);
    expect(belowMedian).toBeLessThan(0.52);
  });

  it("pareto: minimum, mean and tail mass", () => {
    const xs = samples({ kind: "pareto", scaleMs: 1, shape: 3 }, 40_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(1);
    expect(mean(xs)).toBeGreaterThan(1.4); // shape * scale / (shape - 1) = 1.5
    expect(mean(xs)).toBeLessThan(1.6);
    const tail = fraction(xs, (x) => x > 2); // 2^-3
    expect(tail).toBeGreaterThan(0.11);
    expect(tail).toBeLessThan(0.14);
  });

  it("mixture: components chosen by weight", () => {
    const xs = samples(
      {
        kind: "mixture",
        components: [
          { weight: 3, distribution: { kind: "constant", ms: 1 } },
          { weight: 1, distribution: { kind: "constant", ms: 10 } },
        ],
      },
      8000,
    );
    expect(new Set(xs)).toEqual(new Set([1, 10]));
    const slow = fraction(xs, (x) => x === 10);
    expect(slow).toBeGreaterThan(0.23);
    expect(slow).toBeLessThan(0.27);
  });

  it("custom: sees the message and the link", () => {
    const sim = new Simulation({
      seed: 1,
      network: {
        latency: {
          kind: "custom",
          sample: (_r, m, from, to) => (m.type === "bulk" ? 50 : 1) + (from === "a" && to === "b" ? 0.5 : 0),
        },
      },
    });
    const b = sim.addNode("b", (ctx) => new Recorder(ctx));
    sim.addNode("a", () => ({ onMessage() {} }));
    sim.send("a", "b", { type: "bulk" });
    sim.send("a", "b", { type: "small" });
    sim.run();
    expect(b.instance.received.map((r) => [r.message.type, r.localMs])).toEqual([
      ["small", 1.5],
      ["bulk", 50.5],
    ]);
  });

  it("custom: a bad sample throws a SimNetError", () => {
    const sim = new Simulation({
      seed: 1,
      network: { latency: { kind: "custom", sample: () => Number.NaN } },
    });
    sim.addNode("a", () => ({ onMessage() {} }));
    expect(() => sim.send("a", "a", { type: "x" } as Message)).toThrow(/custom latency sampler returned NaN/);
  });

  it("rejects bad parameters with a message saying what is accepted", () => {
    const bad: unknown[] = [
      { kind: "constant", ms: -1 },
      { kind: "constant", ms: Number.NaN },
      { kind: "uniform", minMs: 5, maxMs: 1 },
      { kind: "normal", meanMs: 1, stdDevMs: -1 },
      { kind: "exponential", meanMs: 0 },
      { kind: "pareto", scaleMs: 1, shape: 0 },
      { kind: "pareto", scaleMs: 0, shape: 2 },
      { kind: "mixture", components: [] },
      { kind: "mixture", components: [{ weight: 0, distribution: { kind: "constant", ms: 1 } }] },
      { kind: "mixture", components: [{ weight: 1, distribution: { kind: "bogus" } }] },
      { kind: "custom", sample: 3 },
      { kind: "gamma" },
      null,
    ];
    for (const d of bad) {
      let error: unknown;
      try {
        validateLatency(d as LatencyDistribution);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(d)).toBeInstanceOf(SimNetError);
      expect((error as SimNetError).code).toBe("invalid-distribution");
      expect((error as SimNetError).message).toMatch(/accepted/);
    }
    expect(
      () => new Simulation({ seed: 1, network: { latency: { kind: "uniform", minMs: 3, maxMs: 2 } } }),
    ).toThrow(/uniform.maxMs: accepted a finite number >= minMs \(3\), got 2/);
  });

  it("every generated distribution validates and samples finite non-negative latencies", () => {
    fc.assert(
      fc.property(latencyDistributionArb(50), fc.integer({ min: 0, max: 1000 }), (d, seed) => {
        validateLatency(d);
        const xs = samples(d, 50, seed);
        expect(xs.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
        if (d.kind === "constant") expect(new Set(xs)).toEqual(new Set([d.ms]));
        if (d.kind === "uniform") expect(xs.every((x) => x >= d.minMs && x <= d.maxMs)).toBe(true);
        if (d.kind === "pareto") expect(xs.every((x) => x >= d.scaleMs)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
