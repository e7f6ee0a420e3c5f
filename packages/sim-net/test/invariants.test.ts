import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FaultSchedule, type LinkConfig, type NodeContext, Simulation } from "../src/index.js";
import { faultScheduleArb, linkConfigArb } from "../src/testing.js";

const IDS = ["a", "b", "c", "d"];

type Chat = { readonly type: "chat"; readonly n: number };

function build(seed: number, network: Partial<LinkConfig>, schedule: FaultSchedule): Simulation {
  const sim = new Simulation({ seed, network, maxHeldPerLink: 50 });
  for (const id of IDS) {
    sim.addNode(id, (ctx: NodeContext<Chat>) => ({
      onStart: () => {
        let n = 0;
        const tick = (): void => {
          ctx.storage.set(`n${n}`, n);
          if (n % 3 === 0) ctx.storage.sync();
          ctx.send(ctx.random.pick(ctx.peers), { type: "chat", n: n++ });
          ctx.setTimer(ctx.random.int(1, 20), tick);
        };
        tick();
      },
      onMessage: () => {},
    }));
  }
  sim.applySchedule(schedule);
  return sim;
}

const scheduleArb = faultScheduleArb({
  nodeIds: IDS,
  durationMs: 300,
  maxFaults: 15,
  kinds: [
    "partition",
    "partition-one-way",
    "isolate",
    "heal",
    "crash",
    "restart",
    "pause",
    "resume",
    "clock",
    "clog",
    "unclog",
    "storage",
    "link",
  ],
});

describe("simulator invariants under random faults and networks", () => {
  it("no delivery across a cut link, to a down node, or back in time; counters are conserved", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        linkConfigArb(),
        scheduleArb,
        (seed, network, schedule) => {
          const sim = build(seed, network, schedule);
          let lastMs = 0;
          let inFlight = 0;
          sim.onEvent((e) => {
            expect(e.atMs).toBeGreaterThanOrEqual(lastMs);
            lastMs = e.atMs;
            if (e.kind === "deliver") {
              expect(sim.isCut(e.from, e.to)).toBe(false);
              expect(sim.node(e.to).status).toBe("up");
              expect(e.atMs).toBeGreaterThanOrEqual(e.sentAtMs);
            }
          });
          sim.runFor(400);
          const s = sim.stats;
          // Every copy is delivered, dropped, or still somewhere (queue, clogged link, paused node).
          for (const e of sim.trace.events) {
            if (e.kind === "send") inFlight++;
            else if (e.kind === "duplicate") inFlight++;
            else if (e.kind === "deliver" || e.kind === "drop") inFlight--;
          }
          expect(inFlight).toBeGreaterThanOrEqual(0);
          expect(s.messagesDelivered + s.messagesDropped + inFlight).toBe(
            s.messagesSent + s.messagesDuplicated,
          );
          expect(s.latency.count).toBe(s.messagesDelivered);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("the same seed and schedule replay to the same digest and leave everyone up", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        linkConfigArb(),
        scheduleArb,
        (seed, network, schedule) => {
          const one = build(seed, network, schedule);
          const two = build(seed, network, schedule);
          one.runFor(400);
          two.runFor(400);
          expect(one.trace.digest()).toBe(two.trace.digest());
          for (const id of IDS) expect(one.node(id).status).toBe("up"); // the recovery tail ran at 300 ms
        },
      ),
      { numRuns: 20 },
    );
  });
});
