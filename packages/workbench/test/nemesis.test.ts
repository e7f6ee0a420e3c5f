import { type FaultEvent, type FaultSchedule, Simulation } from "@distkit/sim-net";
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NEMESIS_KINDS,
  WorkbenchError,
  describeSchedule,
  nemesisArb,
  parseNemesis,
  scheduleForSeed,
} from "../src/index.js";

const ids = ["n1", "n2", "n3", "n4", "n5"];

/** Who can reach whom after applying the partition events of `events` to a fresh simulation. */
function reach(events: readonly FaultEvent[], nodeIds: readonly string[]) {
  const sim = new Simulation({ seed: 1, trace: "off" });
  for (const id of nodeIds) sim.addNode(id, () => ({ onMessage() {} }));
  for (const e of events) sim.applyFault(e);
  return (a: string, b: string) => !sim.isCut(a, b);
}

describe("nemesisArb", () => {
  it("every drawn schedule is accepted by the simulator and ends with the recovery tail", () => {
    fc.assert(
      fc.property(nemesisArb({ nodeIds: ids, durationMs: 1000 }), (schedule) => {
        const sim = new Simulation({ seed: 1, trace: "off" });
        for (const id of ids) sim.addNode(id, () => ({ onMessage() {} }));
        sim.applySchedule(schedule);
        sim.runFor(1001);
        const tail = schedule.filter((e) => e.atMs === 1000);
        expect(tail.map((e) => e.kind)).toEqual([
          "heal",
          ...ids.map(() => "resume"),
          ...ids.map(() => "restart"),
        ]);
        expect(schedule.every((e) => e.atMs <= 1000)).toBe(true);
        for (const a of ids) for (const b of ids) if (a !== b) expect(sim.isCut(a, b)).toBe(false);
        for (const id of ids) expect(sim.node(id).status).toBe("up");
        // Loss and duplication periods are undone before the end.
        for (const a of ids)
          for (const b of ids)
            if (a !== b) {
              expect(sim.linkConfig(a, b).lossRate).toBe(0);
              expect(sim.linkConfig(a, b).duplicateRate).toBe(0);
            }
      }),
      { numRuns: 60 },
    );
  });

  it("partition shapes: halves split everyone, a majorities ring gives every node a different majority, a bridge node sees both sides", () => {
    const shapes = { halves: 0, ring: 0, bridge: 0, isolate: 0 };
    fc.assert(
      fc.property(
        nemesisArb({ nodeIds: ids, durationMs: 1000, kinds: ["partition"], maxFaults: 1 }),
        (schedule) => {
          const first = schedule.filter((e) => e.kind === "partition" && e.atMs === schedule[0]?.atMs);
          if (first.length === 0) return;
          const can = reach(first, ids);
          const views = ids.map((a) => ids.filter((b) => a === b || can(a, b)));
          const majority = Math.floor(ids.length / 2) + 1;
          if (first.length > 1) {
            shapes.ring++;
            for (const v of views) expect(v.length).toBe(majority);
            expect(new Set(views.map((v) => v.join())).size).toBe(ids.length);
          } else {
            const [a, b] = (first[0] as FaultEvent & { groups: string[][] }).groups;
            if ((a?.length ?? 0) + (b?.length ?? 0) < ids.length) {
              shapes.bridge++;
              const bridge = ids.find((id) => !a?.includes(id) && !b?.includes(id)) as string;
              for (const id of ids) expect(can(bridge, id) || bridge === id).toBe(true);
            } else if (a?.length === 1 || b?.length === 1) shapes.isolate++;
            else shapes.halves++;
          }
        },
      ),
      { numRuns: 200 },
    );
    expect(shapes.ring).toBeGreaterThan(0);
    expect(shapes.bridge).toBeGreaterThan(0);
    expect(shapes.halves + shapes.isolate).toBeGreaterThan(0);
  });

  it("a seed always draws the same schedule, and different seeds draw different ones", () => {
    const arb = nemesisArb({ nodeIds: ids, durationMs: 500 });
    expect(scheduleForSeed(arb, 7)).toEqual(scheduleForSeed(arb, 7));
    const distinct = new Set(
      Array.from({ length: 20 }, (_, i) => JSON.stringify(scheduleForSeed(arb, i + 1))),
    );
    expect(distinct.size).toBeGreaterThan(15);
  });

  it("each nemesis kind draws only its own faults", () => {
    const kindsOf: Record<string, readonly string[]> = {
      partition: ["partition", "heal"],
      crash: ["crash", "restart"],
      pause: ["pause", "resume"],
      clock: ["clock"],
      loss: ["link"],
      duplicate: ["link"],
    };
    for (const kind of NEMESIS_KINDS) {
      const arb = nemesisArb({ nodeIds: ["n1", "n2", "n3"], durationMs: 400, kinds: [kind] });
      for (const schedule of fc.sample(arb, { seed: 3, numRuns: 20 })) {
        for (const e of schedule.filter((x: FaultEvent) => x.atMs < 400))
          expect(kindsOf[kind]).toContain(e.kind);
      }
    }
  });

  it("describeSchedule folds the tail and link periods into one line each", () => {
    const s: FaultSchedule = [
      { atMs: 5, kind: "partition", groups: [["n1"], ["n2", "n3"]] },
      { atMs: 6, kind: "link", from: "n1", to: "n2", config: { lossRate: 0.2 } },
      { atMs: 6, kind: "link", from: "n2", to: "n1", config: { lossRate: 0.2 } },
      { atMs: 9, kind: "heal" },
      { atMs: 20, kind: "heal" },
      { atMs: 20, kind: "resume", node: "n1" },
      { atMs: 20, kind: "restart", node: "n1" },
    ];
    expect(describeSchedule(s)).toEqual([
      "5 ms: partition {n1} | {n2,n3}",
      '6 ms: links (2 between nodes) {"lossRate":0.2}',
      "9 ms: heal",
      "20 ms: heal, every node resumed and restarted (recovery)",
    ]);
  });

  it("parseNemesis accepts names, all and none, and rejects the rest with a typed error", () => {
    expect(parseNemesis("partition, crash")).toEqual(["partition", "crash"]);
    expect(parseNemesis("all")).toEqual([...NEMESIS_KINDS]);
    expect(parseNemesis("none")).toEqual([]);
    expect(() => parseNemesis("partition,meteor")).toThrow(WorkbenchError);
    try {
      parseNemesis("meteor");
    } catch (e) {
      expect((e as WorkbenchError).code).toBe("unknown-nemesis");
      expect((e as Error).message).toMatch(/accepted: partition, crash, pause, clock, loss, duplicate/);
    }
  });
});
