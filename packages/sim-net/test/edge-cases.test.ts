import { describe, expect, it } from "vitest";
import { type Message, SimNetError, Simulation } from "../src/index.js";
import { Recorder, type Seq } from "./helpers.js";

describe("edge cases", () => {
  it("FIFO holds with duplicates: copies never overtake later messages", () => {
    const sim = new Simulation({
      seed: 3,
      network: { latency: { kind: "exponential", meanMs: 10 }, duplicateRate: 0.3, fifo: true },
    });
    sim.addNode("a", (ctx) => new Recorder(ctx));
    const b = sim.addNode("b", (ctx) => new Recorder(ctx));
    for (let i = 0; i < 300; i++) sim.schedule(i, () => sim.send("a", "b", { type: "seq", i } as Seq));
    sim.run();
    const got = b.instance.received.map((r) => (r.message as Seq).i);
    expect(got.length).toBeGreaterThan(350);
    for (let k = 1; k < got.length; k++) expect(got[k]).toBeGreaterThanOrEqual(got[k - 1] as number);
  });

  it("a node paused before it starts starts at resume", () => {
    const sim = new Simulation({ seed: 1 });
    const started: number[] = [];
    sim.addNode("a", () => ({ onStart: () => void started.push(sim.nowMs), onMessage() {} }));
    sim.pause("a");
    sim.runFor(50);
    expect(started).toEqual([]);
    sim.resume("a");
    sim.runFor(1);
    expect(started).toEqual([50]);
  });

  it("a node crashed before it starts starts only when restarted", () => {
    const sim = new Simulation({ seed: 1 });
    let starts = 0;
    sim.addNode("a", () => ({ onStart: () => void starts++, onMessage() {} }));
    sim.crash("a");
    sim.runFor(10);
    expect(starts).toBe(0);
    sim.restart("a");
    sim.runFor(10);
    expect(starts).toBe(1);
  });

  it("faults at the same time apply in schedule order", () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode("a", (ctx) => new Recorder(ctx));
    sim.addNode("b", (ctx) => new Recorder(ctx));
    sim.applySchedule([
      { atMs: 10, kind: "heal" },
      { atMs: 5, kind: "isolate", node: "a" },
      { atMs: 10, kind: "partition", groups: [["a"], ["b"]] },
    ]);
    sim.runFor(20);
    expect(sim.trace.events.filter((e) => e.atMs > 0).map((e) => e.kind)).toEqual([
      "isolate",
      "heal",
      "partition",
    ]);
    expect(sim.isCut("a", "b")).toBe(true);
  });

  it("trace truncation keeps the digest going", () => {
    const make = (maxTraceEvents: number) => {
      const sim = new Simulation({ seed: 1, maxTraceEvents });
      sim.addNode("a", (ctx) => new Recorder(ctx));
      sim.addNode("b", (ctx) => new Recorder(ctx));
      for (let i = 0; i < 50; i++) sim.send("a", "b", { type: "m" });
      sim.run();
      return sim;
    };
    const small = make(10);
    const big = make(1000);
    expect(small.trace.truncated).toBe(true);
    expect(small.trace.events.length).toBe(10);
    expect(small.trace.toJSON().truncated).toBe(true);
    expect(big.trace.truncated).toBe(false);
    expect(small.trace.digest()).toBe(big.trace.digest());
  });

  it("the pending-event bound throws queue-overflow", () => {
    const sim = new Simulation({ seed: 1, maxPendingEvents: 100 });
    sim.addNode("a", (ctx) => new Recorder(ctx));
    let error: unknown;
    try {
      for (let i = 0; i < 200; i++) sim.send("a", "a", { type: "m" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimNetError);
    expect((error as SimNetError).code).toBe("queue-overflow");
  });

  it("a custom sampler can use the link's random stream deterministically", () => {
    const latencies = (seed: number): number[] => {
      const sim = new Simulation({
        seed,
        network: { latency: { kind: "custom", sample: (random) => random.int(1, 100) } },
      });
      sim.addNode("a", (ctx) => new Recorder(ctx));
      const b = sim.addNode("b", (ctx) => new Recorder(ctx));
      for (let i = 0; i < 20; i++) sim.send("a", "b", { type: "m" } as Message);
      sim.run();
      return b.instance.received.map((r) => r.localMs);
    };
    expect(latencies(1)).toEqual(latencies(1));
    expect(latencies(1)).not.toEqual(latencies(2));
    expect(latencies(1).every((ms) => Number.isInteger(ms) && ms >= 1 && ms < 100)).toBe(true);
  });

  it("nodes can be added while running and see everyone", () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode("a", (ctx) => new Recorder(ctx));
    let latePeers: readonly string[] = [];
    sim.schedule(10, () => {
      sim.addNode("late", (ctx) => ({
        onStart: () => {
          latePeers = ctx.peers;
          ctx.send("a", { type: "hi" });
        },
        onMessage() {},
      }));
    });
    sim.runFor(20);
    expect(latePeers).toEqual(["a"]);
    expect(sim.node<Recorder>("a").instance.received.map((r) => [r.from, r.localMs])).toEqual([["late", 11]]);
  });

  it("re-armed and cancelled timers do not grow the queue without bound", () => {
    const sim = new Simulation({ seed: 1, trace: "off" });
    let fired = 0;
    let maxPending = 0;
    sim.addNode("a", (ctx) => {
      let election = ctx.setTimer(10_000, () => fired++);
      const heartbeat = (): void => {
        // Like a Raft follower: every heartbeat resets a long election timer.
        ctx.cancelTimer(election);
        election = ctx.setTimer(10_000, () => fired++);
        ctx.setTimer(1, heartbeat);
      };
      return { onStart: heartbeat, onMessage() {} };
    });
    sim.onEvent(() => {
      maxPending = Math.max(maxPending, sim.pendingEvents);
    });
    sim.runFor(50_000);
    expect(fired).toBe(0);
    expect(maxPending).toBeLessThan(3000);
    expect(sim.stats.timersFired).toBe(50_000);
  });

  it("freezeMessages makes mutation after send fail loudly", () => {
    const sim = new Simulation({ seed: 1, freezeMessages: true });
    sim.addNode("a", (ctx) => new Recorder(ctx));
    const b = sim.addNode("b", () => ({
      onMessage: (_from: string, m: Message) => {
        (m as unknown as { entries: number[] }).entries.push(4);
      },
    }));
    const message = { type: "append", entries: [1, 2, 3] };
    sim.send("a", "b", message);
    expect(Object.isFrozen(message.entries)).toBe(true);
    expect(() => sim.runFor(5)).toThrow(TypeError);
    expect(b.status).toBe("up");
  });
});
