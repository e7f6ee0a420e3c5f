import { describe, expect, it } from "vitest";
import {
  EventStormError,
  type Message,
  type NodeContext,
  SimNetError,
  Simulation,
  type SimulationOptions,
  type TraceEvent,
} from "../src/index.js";
import { Recorder } from "./helpers.js";

type Ping = { readonly type: "ping"; readonly n: number };

function pingPong(options: SimulationOptions, rounds = 50): Simulation {
  const sim = new Simulation(options);
  sim.addNode("a", (ctx: NodeContext<Ping>) => ({
    onStart: () => ctx.send("b", { type: "ping", n: 0 }),
    onMessage: (from, m) => {
      if (m.n < rounds) ctx.send(from, { type: "ping", n: m.n + 1 });
    },
  }));
  sim.addNode("b", (ctx: NodeContext<Ping>) => ({
    onMessage: (from, m) => ctx.send(from, { type: "ping", n: m.n + 1 }),
  }));
  return sim;
}

describe("Simulation basics", () => {
  it("delivers messages with constant latency and advances virtual time", () => {
    const sim = pingPong({ seed: 1, network: { latency: { kind: "constant", ms: 2 } } }, 9);
    const deliveries: number[] = [];
    sim.onEvent((e) => {
      if (e.kind === "deliver") deliveries.push(e.atMs);
    });
    sim.run();
    // a sends n=0 at t=0; each hop takes 2 ms; b always replies n+1; a stops when it receives n=9
    expect(deliveries).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(sim.nowMs).toBe(20);
    expect(sim.stats.messagesDelivered).toBe(10);
    expect(sim.stats.nodes["a"]?.sent).toBe(5);
    expect(sim.stats.nodes["b"]?.sent).toBe(5);
    expect(sim.stats.latency.meanMs).toBe(2);
  });

  it("gives every node the full sorted peer list in its factory and onStart", () => {
    const sim = new Simulation({ seed: 1 });
    const seen: Record<string, readonly string[]> = {};
    for (const id of ["c", "a", "b"]) {
      sim.addNode(id, (ctx) => {
        seen[id] = ctx.peers;
        return { onMessage() {} };
      });
    }
    sim.runFor(0);
    expect(seen).toEqual({ a: ["b", "c"], b: ["a", "c"], c: ["a", "b"] });
    expect(sim.nodeIds).toEqual(["c", "a", "b"]);
  });

  it("runFor stops at the horizon and sets the time to it", () => {
    const sim = new Simulation({ seed: 1 });
    const fired: number[] = [];
    sim.addNode("a", (ctx) => ({
      onStart: () => {
        for (const d of [5, 10, 15]) ctx.setTimer(d, () => fired.push(ctx.now()));
      },
      onMessage() {},
    }));
    sim.runFor(10);
    expect(fired).toEqual([5, 10]);
    expect(sim.nowMs).toBe(10);
    sim.runFor(10);
    expect(fired).toEqual([5, 10, 15]);
    expect(sim.nowMs).toBe(20);
  });

  it("runUntil returns true when the predicate holds and false on timeout", () => {
    const sim = pingPong({ seed: 3 }, 1_000_000);
    const node = sim.node<Recorder>("a");
    expect(node.id).toBe("a");
    expect(sim.runUntil(() => sim.stats.messagesDelivered >= 10, { timeoutMs: 1000 })).toBe(true);
    expect(sim.stats.messagesDelivered).toBe(10);
    expect(sim.nowMs).toBe(10);
    expect(sim.runUntil(() => false, { timeoutMs: 50 })).toBe(false);
    expect(sim.nowMs).toBe(60);
  });

  it("runUntil returns false when the queue empties", () => {
    const sim = pingPong({ seed: 3 }, 3);
    expect(sim.runUntil(() => false)).toBe(false);
    expect(sim.pendingEvents).toBe(0);
  });

  it("step processes one event at a time", () => {
    const sim = pingPong({ seed: 1 }, 2);
    const kinds: string[] = [];
    sim.onEvent((e) => kinds.push(e.kind));
    let steps = 0;
    while (sim.step()) steps++;
    expect(steps).toBe(kinds.length);
    expect(kinds).toEqual(["start", "start", "deliver", "deliver", "deliver", "deliver"]);
    expect(sim.step()).toBe(false);
  });

  it("schedule runs external actions at the given time and records them", () => {
    const sim = new Simulation({ seed: 1 });
    const rec = sim.addNode("a", (ctx) => new Recorder(ctx));
    sim.addNode("b", (ctx) => new Recorder(ctx));
    sim.schedule(7, () => sim.send("b", "a", { type: "hello" }), "client");
    sim.runFor(100);
    expect(rec.instance.received).toEqual([{ from: "b", message: { type: "hello" }, localMs: 8 }]);
    const action = sim.trace.events.find((e) => e.kind === "action");
    expect(action).toEqual({ kind: "action", atMs: 7, label: "client" });
  });

  it("cancelTimer prevents the timer from firing", () => {
    const sim = new Simulation({ seed: 1 });
    const fired: string[] = [];
    sim.addNode("a", (ctx) => ({
      onStart: () => {
        const t = ctx.setTimer(5, () => fired.push("cancelled"));
        ctx.setTimer(6, () => fired.push("kept"), "kept-label");
        ctx.setTimer(1, () => ctx.cancelTimer(t));
      },
      onMessage() {},
    }));
    sim.runFor(10);
    expect(fired).toEqual(["kept"]);
    expect(sim.stats.timersFired).toBe(2);
    expect(
      sim.trace.events.filter((e) => e.kind === "timer").map((e) => (e as { label: string | null }).label),
    ).toEqual([null, "kept-label"]);
  });

  it("an event storm throws a typed error naming the bound", () => {
    const sim = new Simulation({ seed: 1, trace: "off" });
    sim.addNode("a", (ctx) => {
      const loop = (): void => {
        ctx.setTimer(0, loop);
      };
      return { onStart: loop, onMessage() {} };
    });
    let error: unknown;
    try {
      sim.runFor(1, { maxEvents: 1000 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EventStormError);
    expect((error as EventStormError).code).toBe("event-storm");
    expect((error as Error).message).toMatch(/event storm: more than 1000 events/);
    const sim2 = new Simulation({ seed: 1, trace: "off", maxEventsPerRun: 500 });
    sim2.addNode("a", (ctx) => {
      const loop = (): void => {
        ctx.setTimer(0, loop);
      };
      return { onStart: loop, onMessage() {} };
    });
    expect(() => sim2.runUntil(() => false)).toThrow(EventStormError);
  });

  it("forbids re-entrant runs from inside handlers", () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode("a", () => ({ onStart: () => sim.runFor(1), onMessage() {} }));
    expect(() => sim.runFor(1)).toThrow(/inside an event handler/);
  });

  it("listeners see events after the handler ran and can be removed", () => {
    const sim = pingPong({ seed: 1 }, 4);
    const seen: TraceEvent[] = [];
    const stop = sim.onEvent((e) => seen.push(e));
    sim.runFor(2);
    stop();
    sim.run();
    expect(seen.map((e) => e.kind)).toEqual(["start", "start", "deliver", "deliver"]);
  });

  it("trace off still counts stats but refuses digests", () => {
    const sim = pingPong({ seed: 1, trace: "off" }, 10);
    sim.run();
    expect(sim.stats.messagesDelivered).toBe(12); // n = 0..11: a stops on receiving 11
    expect(sim.stats.messagesSent).toBe(12);
    expect(sim.trace.events).toEqual([]);
    expect(() => sim.trace.digest()).toThrow(SimNetError);
    expect(() => sim.trace.toSVG()).toThrow(/trace mode "full"/);
  });

  it("delivers a message sent to self", () => {
    const sim = new Simulation({ seed: 1 });
    const a = sim.addNode("a", (ctx) => {
      const r = new Recorder(ctx);
      return Object.assign(r, { onStart: () => ctx.send("a", { type: "self" } as Message) });
    });
    sim.runFor(5);
    expect(a.instance.received.map((r) => r.from)).toEqual(["a"]);
  });

  it("ref.instance before the run creates the instance once", () => {
    const sim = new Simulation({ seed: 1 });
    let created = 0;
    const ref = sim.addNode("a", (ctx) => {
      created++;
      return new Recorder(ctx);
    });
    const early = ref.instance;
    sim.runFor(1);
    expect(ref.instance).toBe(early);
    expect(created).toBe(1);
  });
});
