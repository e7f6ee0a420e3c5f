import { describe, expect, it } from "vitest";
import { SimNetError, Simulation } from "../src/index.js";

describe("clocks", () => {
  it("offset and drift shape the local clock; the simulation keeps true time", () => {
    const sim = new Simulation({ seed: 1 });
    const fast = sim.addNode("fast", () => ({ onMessage() {} }), {
      clock: { offsetMs: 100, driftPpm: 1000 },
    });
    const slow = sim.addNode("slow", () => ({ onMessage() {} }), {
      clock: { offsetMs: -50, driftPpm: -2000 },
    });
    const plain = sim.addNode("plain", () => ({ onMessage() {} }));
    sim.runFor(10_000);
    expect(sim.nowMs).toBe(10_000);
    expect(plain.localTimeMs).toBe(10_000);
    expect(fast.localTimeMs).toBeCloseTo(100 + 10_000 * 1.001, 9);
    expect(slow.localTimeMs).toBeCloseTo(-50 + 10_000 * 0.998, 9);
  });

  it("timers measure local time: a fast clock fires early in true time", () => {
    const sim = new Simulation({ seed: 1 });
    const firedAt: Record<string, [number, number]> = {};
    for (const [id, driftPpm] of [
      ["fast", 100_000],
      ["slow", -100_000],
      ["exact", 0],
    ] as const) {
      sim.addNode(
        id,
        (ctx) => ({
          onStart: () => {
            ctx.setTimer(1000, () => {
              firedAt[id] = [sim.nowMs, ctx.now()];
            });
          },
          onMessage() {},
        }),
        { clock: { driftPpm } },
      );
    }
    sim.runFor(2000);
    expect(firedAt["exact"]).toEqual([1000, 1000]);
    expect(firedAt["fast"]?.[0]).toBeCloseTo(1000 / 1.1, 6);
    expect(firedAt["fast"]?.[1]).toBeCloseTo(1000, 6);
    expect(firedAt["slow"]?.[0]).toBeCloseTo(1000 / 0.9, 6);
    expect(firedAt["slow"]?.[1]).toBeCloseTo(1000, 6);
  });

  it("changing drift later is continuous; changing offset jumps", () => {
    const sim = new Simulation({ seed: 1 });
    const n = sim.addNode("n", () => ({ onMessage() {} }), { clock: { offsetMs: 10, driftPpm: 0 } });
    sim.runFor(1000);
    expect(n.localTimeMs).toBe(1010);
    sim.setClock("n", { driftPpm: 500_000 });
    expect(n.localTimeMs).toBe(1010);
    sim.runFor(100);
    expect(n.localTimeMs).toBeCloseTo(1160, 9);
    sim.setClock("n", { offsetMs: 1010 });
    expect(n.localTimeMs).toBeCloseTo(2160, 9);
    sim.applySchedule([{ atMs: 1200, kind: "clock", node: "n", driftPpm: 0 }]);
    sim.runFor(100);
    expect(n.localTimeMs).toBeCloseTo(2160 + 100 * 1.5, 9);
    const clockEvents = sim.trace.events.filter((e) => e.kind === "clock");
    expect(clockEvents.map((e) => (e.kind === "clock" ? [e.offsetMs, e.driftPpm] : []))).toEqual([
      [10, 500_000],
      [1010, 500_000],
      [1010, 0],
    ]);
  });

  it("rejects clocks that do not run forward", () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.addNode("n", () => ({ onMessage() {} }), { clock: { driftPpm: -1e6 } })).toThrow(
      SimNetError,
    );
    sim.addNode("m", () => ({ onMessage() {} }));
    expect(() => sim.setClock("m", { offsetMs: Number.NaN })).toThrow(/offsetMs must be a finite number/);
  });
});
