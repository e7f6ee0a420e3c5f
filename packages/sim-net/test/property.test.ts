import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FaultSchedule, type NodeContext, type SimNode, Simulation } from "../src/index.js";
import { checkSeeds, faultScheduleArb, linkConfigArb } from "../src/testing.js";

type Data = { readonly type: "data"; readonly id: number };
type Ack = { readonly type: "ack"; readonly id: number };
type Msg = Data | Ack;

const TOTAL = 8;

/** Retransmits every unacknowledged message every 20 ms; progress is durable (synced). */
class Sender implements SimNode<Msg> {
  constructor(private readonly ctx: NodeContext<Msg>) {}
  onStart(): void {
    const tick = (): void => {
      for (let id = 1; id <= TOTAL; id++) {
        if (!this.ctx.storage.has(`acked/${id}`)) this.ctx.send("receiver", { type: "data", id });
      }
      this.ctx.setTimer(20, tick);
    };
    tick();
  }
  onMessage(_from: string, m: Msg): void {
    if (m.type === "ack") {
      this.ctx.storage.set(`acked/${m.id}`, true);
      this.ctx.storage.sync();
    }
  }
}

/** Persists each message before acknowledging it. */
class Receiver implements SimNode<Msg> {
  constructor(private readonly ctx: NodeContext<Msg>) {}
  onMessage(from: string, m: Msg): void {
    if (m.type !== "data") return;
    this.ctx.storage.set(`got/${m.id}`, true);
    this.ctx.storage.sync();
    this.ctx.send(from, { type: "ack", id: m.id });
  }
  received(): number {
    return this.ctx.storage.keys("got/").length;
  }
}

function run(seed: number, schedule: FaultSchedule): boolean {
  const sim = new Simulation({
    seed,
    trace: "off",
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 15 }, lossRate: 0.1, duplicateRate: 0.05 },
  });
  sim.addNode("sender", (ctx: NodeContext<Msg>) => new Sender(ctx));
  const receiver = sim.addNode("receiver", (ctx: NodeContext<Msg>) => new Receiver(ctx));
  sim.addNode("bystander", (ctx: NodeContext<Msg>) => ({ onMessage: () => ctx.log("unexpected") }));
  sim.applySchedule(schedule);
  sim.runFor(1000);
  // The schedule's recovery tail ran at 1000 ms: from here on the network is healed and all nodes up.
  return sim.runUntil(() => receiver.status === "up" && receiver.instance.received() === TOTAL, {
    timeoutMs: 20_000,
  });
}

describe("properties over random fault schedules", () => {
  it("a reliable-retransmit protocol delivers everything once faults stop", () => {
    checkSeeds(
      {
        numRuns: 40,
        schedule: { nodeIds: ["sender", "receiver", "bystander"], durationMs: 1000, maxFaults: 12 },
      },
      (seed, schedule) => run(seed, schedule),
    );
  });

  it("generated schedules are sorted, valid and end with recovery", () => {
    fc.assert(
      fc.property(faultScheduleArb({ nodeIds: ["a", "b", "c"], durationMs: 500 }), (schedule) => {
        const sim = new Simulation({ seed: 1, trace: "off" });
        for (const id of ["a", "b", "c"]) sim.addNode(id, () => ({ onMessage() {} }));
        sim.applySchedule(schedule); // validates every entry
        for (let i = 1; i < schedule.length; i++) {
          expect(schedule[i]?.atMs).toBeGreaterThanOrEqual(schedule[i - 1]?.atMs ?? 0);
        }
        const tail = schedule.filter((f) => f.atMs === 500);
        expect(tail[0]?.kind).toBe("heal");
        sim.runFor(600);
        for (const id of ["a", "b", "c"]) expect(sim.node(id).status).toBe("up");
        expect(sim.isCut("a", "b") || sim.isCut("b", "c") || sim.isCut("c", "a")).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it("every generated link config is accepted and the simulation stays deterministic under it", () => {
    fc.assert(
      fc.property(
        linkConfigArb({ allowClogged: true }),
        fc.integer({ min: 0, max: 1000 }),
        (config, seed) => {
          const digest = (): string => {
            const sim = new Simulation({ seed, network: config, trace: "digest" });
            sim.addNode("a", (ctx) => ({
              onStart: () => {
                for (let i = 0; i < 20; i++) ctx.send("b", { type: "m" });
              },
              onMessage() {},
            }));
            sim.addNode("b", (ctx) => ({ onMessage: (from) => ctx.send(from, { type: "r" }) }));
            sim.runFor(500);
            return sim.trace.digest();
          };
          expect(digest()).toBe(digest());
        },
      ),
      { numRuns: 40 },
    );
  });
});
