import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LatencyHistogram, SimNetError, Simulation } from "../src/index.js";

describe("LatencyHistogram", () => {
  it("percentiles are within the bucket resolution of the exact order statistics", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 0, max: 100 }),
        (xs, p) => {
          const h = new LatencyHistogram();
          for (const x of xs) h.record(x);
          const sorted = [...xs].sort((a, b) => a - b);
          const exact = sorted[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)] as number;
          const estimate = h.percentile(p);
          expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(0.13);
          expect(h.count).toBe(xs.length);
          expect(h.minMs).toBe(sorted[0]);
          expect(h.maxMs).toBe(sorted[sorted.length - 1]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("buckets partition the samples; zero has its own bucket; empty gives NaN", () => {
    const h = new LatencyHistogram();
    expect(h.percentile(50)).toBeNaN();
    expect(h.meanMs).toBeNaN();
    for (const x of [0, 0, 1, 1.1, 1.2, 2, 3, 1000]) h.record(x);
    const buckets = h.buckets();
    expect(buckets.reduce((s, b) => s + b.count, 0)).toBe(8);
    expect(buckets[0]).toEqual({ fromMs: 0, toMs: 0, count: 2 });
    expect(buckets.find((b) => b.fromMs <= 1.1 && 1.1 < b.toMs)?.count).toBe(2); // [1, 1.125) holds 1 and 1.1
    expect(buckets.find((b) => b.fromMs <= 1.2 && 1.2 < b.toMs)?.count).toBe(1);
    expect(buckets.find((b) => b.fromMs <= 1000 && 1000 < b.toMs)?.count).toBe(1);
    expect(h.meanMs).toBeCloseTo(1008.3 / 8, 9);
    expect(() => h.percentile(101)).toThrow(SimNetError);
  });
});

describe("sim.stats", () => {
  it("per-node and per-link counters add up", () => {
    const sim = new Simulation({ seed: 2, network: { lossRate: 0.3, duplicateRate: 0.2 } });
    for (const id of ["a", "b", "c"]) {
      sim.addNode(id, (ctx) => ({
        onStart: () => {
          for (let i = 0; i < 300; i++) ctx.send(ctx.peers[i % 2] as string, { type: "m" });
        },
        onMessage() {},
      }));
    }
    sim.run();
    const s = sim.stats;
    expect(s.messagesSent).toBe(900);
    const links = s.links;
    expect(links.length).toBe(6);
    expect(links.reduce((a, l) => a + l.sent, 0)).toBe(900);
    for (const l of links) expect(l.delivered + l.dropped).toBe(l.sent + l.duplicated);
    expect(s.messagesDelivered + s.messagesDropped).toBe(900 + s.messagesDuplicated);
    const nodes = Object.values(s.nodes);
    expect(nodes.reduce((a, n) => a + n.received, 0)).toBe(s.messagesDelivered);
    expect(nodes.reduce((a, n) => a + n.dropped, 0)).toBe(s.messagesDropped);
    expect(s.latency.count).toBe(s.messagesDelivered);
    expect(s.latency.percentile(50)).toBe(1);
  });
});
