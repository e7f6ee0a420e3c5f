import { describe, expect, it } from "vitest";
import { type FaultSchedule, Simulation } from "../src/index.js";
import { checkSeeds, faultScheduleArb, forEachSeed } from "../src/testing.js";

/** Fails whenever any message is dropped by a partition. */
function noPartitionDrops(seed: number, schedule: FaultSchedule): boolean {
  const sim = new Simulation({ seed, trace: "off" });
  for (const id of ["a", "b", "c"]) {
    sim.addNode(id, (ctx) => ({
      onStart: () => {
        const tick = (): void => {
          for (const p of ctx.peers) ctx.send(p, { type: "hb" });
          ctx.setTimer(5, tick);
        };
        tick();
      },
      onMessage() {},
    }));
  }
  sim.applySchedule(schedule);
  sim.runFor(300);
  return sim.stats.dropsByReason.partition === 0;
}

describe("checkSeeds", () => {
  it("reports the failing seed and the shrunk schedule as JSON, which replays the failure", () => {
    let message = "";
    try {
      checkSeeds(
        {
          numRuns: 100,
          fcSeed: 42,
          schedule: {
            nodeIds: ["a", "b", "c"],
            durationMs: 250,
            kinds: ["partition", "isolate", "crash", "heal"],
          },
        },
        noPartitionDrops,
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/property failed for simulation seed \d+/);
    expect(message).toMatch(/failure: .*returning false/);
    expect(message).toMatch(/replay the whole check with \{ fcSeed: 42, fcPath: "[\d:]+" \}/);
    const seed = Number(/simulation seed (\d+)/.exec(message)?.[1]);
    const json = message.split("\n").find((line) => line.startsWith("["));
    const schedule = JSON.parse(json ?? "null") as FaultSchedule;
    // Shrunk: one cutting fault, then the recovery tail at 250 ms.
    const faults = schedule.filter((f) => f.atMs < 250);
    expect(faults.length).toBe(1);
    expect(["partition", "isolate"]).toContain(faults[0]?.kind);
    expect(noPartitionDrops(seed, schedule)).toBe(false);
  });

  it("passes silently when the property holds", () => {
    expect(() =>
      checkSeeds(
        { numRuns: 5, schedule: { nodeIds: ["a", "b"], durationMs: 100, kinds: ["crash", "restart"] } },
        noPartitionDrops,
      ),
    ).not.toThrow();
  });

  it("wraps thrown errors with the seed", () => {
    expect(() =>
      checkSeeds({ numRuns: 3 }, (seed) => {
        if (seed >= 0) throw new Error("boom");
      }),
    ).toThrow(/simulation seed \d+[\s\S]*Error: boom[\s\S]*fault schedule \(JSON/);
  });
});

describe("forEachSeed", () => {
  it("names the failing seed", () => {
    const seen: number[] = [];
    expect(() =>
      forEachSeed(5, (seed) => {
        seen.push(seed);
        if (seed === 3) throw new Error("bad");
      }),
    ).toThrow("failed for seed 3: bad");
    expect(seen).toEqual([1, 2, 3]);
    expect(() => forEachSeed([7, 9], () => {})).not.toThrow();
  });
});

describe("faultScheduleArb input validation", () => {
  it("rejects bad options", () => {
    expect(() => faultScheduleArb({ nodeIds: [], durationMs: 10 })).toThrow(/at least one node id/);
    expect(() => faultScheduleArb({ nodeIds: ["a"], durationMs: 0 })).toThrow(/durationMs/);
    expect(() => faultScheduleArb({ nodeIds: ["a"], durationMs: 10, kinds: ["partition"] })).toThrow(
      /no usable fault kinds/,
    );
  });
});

describe("checkSeeds swarm mode", () => {
  it("draws a network config per case and prints it on failure", () => {
    const seen: unknown[] = [];
    let message = "";
    try {
      checkSeeds({ numRuns: 50, fcSeed: 7, network: { maxLossRate: 0.5 } }, (_seed, schedule, network) => {
        seen.push(network);
        expect(schedule).toEqual([]);
        return (network.lossRate ?? 0) < 0.25;
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(seen.length).toBeGreaterThan(1);
    expect(message).toMatch(/network config \(JSON\):\n\{.*"lossRate":/);
    const json = message.split("\n")[message.split("\n").indexOf("network config (JSON):") + 1] ?? "{}";
    expect((JSON.parse(json) as { lossRate: number }).lossRate).toBeGreaterThanOrEqual(0.25);
  });
});
