// Ground truth: over random message-passing runs, the happened-before relation computed from the
// recorded trace (process order + send -> receive, transitively closed) must equal what vector clocks
// and interval tree clocks report for every pair of events, and Lamport and HLC order must extend it.
// Runs over sim-net when it is installed in this package, and always over the tiny driver in
// support/mini-sim.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareHlc } from "../src/index.js";
import {
  ClockNode,
  happenedBefore,
  itcIds,
  type MiniContext,
  type Recorder,
  type RecordedEvent,
} from "./support/clock-node.js";
import { MiniSim } from "./support/mini-sim.js";

interface ClockConfig {
  offsetMs: number;
  driftPpm: number;
}

/** Largest difference between any two node clocks during [0, endMs]. */
function skewBoundMs(clocks: readonly ClockConfig[], endMs: number): number {
  const off = clocks.map((c) => c.offsetMs);
  const drift = clocks.map((c) => c.driftPpm);
  return Math.max(...off) - Math.min(...off) + (endMs * (Math.max(...drift) - Math.min(...drift))) / 1e6;
}

function checkRun(events: readonly RecordedEvent[], skewMs: number): void {
  const hb = happenedBefore(events);
  let ordered = 0;
  let concurrent = 0;
  for (let a = 0; a < events.length; a++) {
    const ea = events[a]!;
    for (let b = 0; b < events.length; b++) {
      if (a === b) continue;
      const eb = events[b]!;
      const truth = hb[a]![b] ? "before" : hb[b]![a] ? "after" : "concurrent";
      if (ea.vc.compare(eb.vc) !== truth || ea.itc.compare(eb.itc) !== truth) {
        throw new Error(
          `events ${a} (${ea.node} ${ea.kind}) and ${b} (${eb.node} ${eb.kind}): truth ${truth}, vector clock ${ea.vc.compare(eb.vc)}, ITC ${ea.itc.compare(eb.itc)}`,
        );
      }
      if (truth === "before") {
        ordered++;
        if (!(ea.lamport < eb.lamport)) throw new Error(`Lamport order does not extend hb at ${a} -> ${b}`);
        if (compareHlc(ea.hlc, eb.hlc) >= 0) throw new Error(`HLC order does not extend hb at ${a} -> ${b}`);
      } else if (truth === "concurrent") concurrent++;
    }
  }
  for (const e of events) {
    // l >= pt (floored) and l - pt bounded by the largest clock skew of the run
    expect(e.hlc.physicalMs).toBeGreaterThanOrEqual(Math.floor(e.ptMs));
    expect(e.hlc.physicalMs - e.ptMs).toBeLessThanOrEqual(skewMs + 1e-9);
  }
  // the runs must exercise both outcomes, or the test proves little
  expect(ordered).toBeGreaterThan(0);
  expect(concurrent).toBeGreaterThan(0);
}

const runArb = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  nodes: fc.integer({ min: 2, max: 5 }),
  clocks: fc.array(
    fc.record({ offsetMs: fc.integer({ min: -30, max: 30 }), driftPpm: fc.integer({ min: -200, max: 200 }) }),
    { minLength: 5, maxLength: 5 },
  ),
  maxLatencyMs: fc.integer({ min: 1, max: 40 }),
  duplicateRate: fc.constantFrom(0, 0.1),
});

describe("happens-before ground truth (deterministic mini driver)", () => {
  it("vector clocks and ITC equal the trace's happened-before; Lamport and HLC extend it", () => {
    fc.assert(
      fc.property(runArb, (r) => {
        const sim = new MiniSim(r.seed, { minMs: 0.1, maxMs: r.maxLatencyMs }, r.duplicateRate);
        const ids = Array.from({ length: r.nodes }, (_, i) => `n${i}`);
        const itc = itcIds(r.nodes);
        const rec: Recorder = { events: [], rejectedOffsets: 0 };
        const budget = { events: 90 };
        ids.forEach((id, i) => {
          sim.addNode(id, ids, r.clocks[i]!, (ctx) => new ClockNode(ctx, itc[i]!, rec, budget, 1_000));
        });
        sim.run(100_000);
        expect(rec.rejectedOffsets).toBe(0);
        checkRun(rec.events, skewBoundMs(r.clocks.slice(0, r.nodes), sim.nowMs));
      }),
      { numRuns: 12 },
    );
  });

  it("the HLC offset guard rejects a node whose clock runs too far ahead, keeping l - pt <= maxOffsetMs", () => {
    const sim = new MiniSim(7, { minMs: 1, maxMs: 5 });
    const ids = ["n0", "n1", "n2"];
    const itc = itcIds(3);
    const rec: Recorder = { events: [], rejectedOffsets: 0 };
    const clocks = [
      { offsetMs: 0, driftPpm: 0 },
      { offsetMs: 10, driftPpm: 0 },
      { offsetMs: 400, driftPpm: 0 }, // n2 is 400 ms ahead
    ];
    ids.forEach((id, i) => {
      sim.addNode(id, ids, clocks[i]!, (ctx) => new ClockNode(ctx, itc[i]!, rec, { events: 40 }, 100));
    });
    sim.run(100_000);
    expect(rec.rejectedOffsets).toBeGreaterThan(0);
    for (const e of rec.events) {
      if (e.node !== "n2") expect(e.hlc.physicalMs - e.ptMs).toBeLessThanOrEqual(100);
    }
  });
});

// ---- the same over sim-net, when resolvable from this package ----

interface SimLike {
  addNode(id: string, factory: (ctx: MiniContext) => ClockNode, options?: { clock?: ClockConfig }): unknown;
  runFor(ms: number): number;
  readonly nowMs: number;
}
interface SimNetModule {
  Simulation: new (options: {
    seed: number;
    network?: {
      latency?: { kind: "uniform"; minMs: number; maxMs: number };
      duplicateRate?: number;
      fifo?: boolean;
    };
    trace?: "off" | "full";
  }) => SimLike;
}

const simNetSpecifier = "@distkit/sim-net";
const simNet = (await import(/* @vite-ignore */ simNetSpecifier).catch(() => undefined)) as
  | SimNetModule
  | undefined;
if (simNet === undefined) {
  console.warn(
    '[clocks] "@distkit/sim-net" is not resolvable from packages/clocks (run pnpm install): the sim-net variant of the happens-before test is skipped; the mini-driver variant ran.',
  );
}

describe.skipIf(simNet === undefined)("happens-before ground truth over sim-net", () => {
  it("vector clocks and ITC equal the trace's happened-before; Lamport and HLC extend it", () => {
    const { Simulation } = simNet!;
    fc.assert(
      fc.property(runArb, (r) => {
        const sim = new Simulation({
          seed: r.seed,
          network: {
            latency: { kind: "uniform", minMs: 0.1, maxMs: r.maxLatencyMs },
            duplicateRate: r.duplicateRate,
            fifo: false,
          },
          trace: "off",
        });
        const ids = Array.from({ length: r.nodes }, (_, i) => `n${i}`);
        const itc = itcIds(r.nodes);
        const rec: Recorder = { events: [], rejectedOffsets: 0 };
        const budget = { events: 90 };
        ids.forEach((id, i) => {
          sim.addNode(id, (ctx) => new ClockNode(ctx, itc[i]!, rec, budget, 1_000), { clock: r.clocks[i]! });
        });
        sim.runFor(10_000);
        expect(budget.events).toBe(0);
        expect(rec.rejectedOffsets).toBe(0);
        checkRun(rec.events, skewBoundMs(r.clocks.slice(0, r.nodes), sim.nowMs));
      }),
      { numRuns: 12 },
    );
  });
});
