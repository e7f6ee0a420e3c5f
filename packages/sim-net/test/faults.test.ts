import { describe, expect, it } from "vitest";
import { type LinkConfig, type Message, Simulation } from "../src/index.js";
import { Recorder, type Seq } from "./helpers.js";

function pair(network: Partial<LinkConfig>, seed = 1, extra: string[] = []) {
  const sim = new Simulation({ seed, network });
  const a = sim.addNode("a", (ctx) => new Recorder(ctx));
  const b = sim.addNode("b", (ctx) => new Recorder(ctx));
  for (const id of extra) sim.addNode(id, (ctx) => new Recorder(ctx));
  return { sim, a, b };
}

function sendMany(sim: Simulation, from: string, to: string, n: number): void {
  for (let i = 0; i < n; i++) sim.send(from, to, { type: "seq", i } as Seq);
}

describe("network faults happen at their configured rates", () => {
  it("loss", () => {
    for (const seed of [1, 2]) {
      const { sim, b } = pair({ lossRate: 0.2 }, seed);
      sendMany(sim, "a", "b", 10_000);
      sim.run();
      const got = b.instance.received.length;
      expect(got).toBeGreaterThan(7700);
      expect(got).toBeLessThan(8300);
      expect(sim.stats.dropsByReason.loss).toBe(10_000 - got);
      expect(sim.stats.nodes["b"]?.dropped).toBe(10_000 - got);
      expect(sim.trace.events.filter((e) => e.kind === "drop" && e.reason === "loss").length).toBe(
        10_000 - got,
      );
    }
  });

  it("duplication delivers a second copy with its own latency", () => {
    const { sim, b } = pair({ duplicateRate: 0.1, latency: { kind: "uniform", minMs: 1, maxMs: 100 } });
    sendMany(sim, "a", "b", 10_000);
    sim.run();
    const got = b.instance.received.length;
    expect(got).toBeGreaterThan(10_800);
    expect(got).toBeLessThan(11_200);
    expect(sim.stats.messagesDuplicated).toBe(got - 10_000);
    const times = new Map<number, number[]>();
    for (const e of sim.trace.events) {
      if (e.kind === "deliver") times.set(e.msgId, [...(times.get(e.msgId) ?? []), e.atMs]);
    }
    const doubles = [...times.values()].filter((t) => t.length === 2);
    expect(doubles.length).toBe(got - 10_000);
    expect(doubles.some(([x, y]) => x !== y)).toBe(true);
  });

  it("non-FIFO links reorder under variable latency; FIFO links never do", () => {
    const order = (fifo: boolean): number[] => {
      const { sim, b } = pair({ latency: { kind: "uniform", minMs: 1, maxMs: 20 }, fifo });
      for (let i = 0; i < 500; i++)
        sim.schedule(i * 0.1, () => sim.send("a", "b", { type: "seq", i } as Seq));
      sim.run();
      return b.instance.received.map((r) => (r.message as Seq).i);
    };
    const loose = order(false);
    const strict = order(true);
    expect(loose.length).toBe(500);
    expect(loose).not.toEqual([...loose].sort((x, y) => x - y));
    expect(strict).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it("per-link config overrides the network config", () => {
    const { sim, a, b } = pair({ latency: { kind: "constant", ms: 1 } });
    sim.setLink("a", "b", { latency: { kind: "constant", ms: 30 }, lossRate: 0 });
    sim.send("a", "b", { type: "x" });
    sim.send("b", "a", { type: "y" });
    sim.run();
    expect(b.instance.received[0]?.localMs).toBe(30);
    expect(a.instance.received[0]?.localMs).toBe(1);
    expect(sim.linkConfig("a", "b").latency).toEqual({ kind: "constant", ms: 30 });
    sim.resetLink("a", "b");
    expect(sim.linkConfig("a", "b").latency).toEqual({ kind: "constant", ms: 1 });
    sim.setNetwork({ lossRate: 1 });
    sim.send("a", "b", { type: "z" });
    sim.run();
    expect(b.instance.received.length).toBe(1);
  });
});

describe("partitions", () => {
  it("symmetric partition cuts both ways between groups only, heal restores", () => {
    const { sim, a, b } = pair({}, 1, ["c"]);
    const c = sim.node<Recorder>("c");
    sim.partition(["a", "b"], ["c"]);
    expect(sim.isCut("a", "c")).toBe(true);
    expect(sim.isCut("c", "b")).toBe(true);
    expect(sim.isCut("a", "b")).toBe(false);
    sim.send("a", "c", { type: "1" });
    sim.send("c", "a", { type: "2" });
    sim.send("a", "b", { type: "3" });
    sim.runFor(10);
    expect(c.instance.received).toEqual([]);
    expect(a.instance.received).toEqual([]);
    expect(b.instance.received.map((r) => r.message.type)).toEqual(["3"]);
    expect(sim.stats.dropsByReason.partition).toBe(2);
    sim.heal();
    sim.send("a", "c", { type: "4" });
    sim.runFor(10);
    expect(c.instance.received.map((r) => r.message.type)).toEqual(["4"]);
  });

  it("one-way partition cuts one direction", () => {
    const { sim, a, b } = pair({});
    sim.partitionOneWay(["a"], ["b"]);
    sim.send("a", "b", { type: "lost" });
    sim.send("b", "a", { type: "arrives" });
    sim.runFor(10);
    expect(b.instance.received).toEqual([]);
    expect(a.instance.received.map((r) => r.message.type)).toEqual(["arrives"]);
  });

  it("isolate cuts a node from everyone; in-flight messages are dropped on arrival", () => {
    const { sim, a, b } = pair({ latency: { kind: "constant", ms: 10 } }, 1, ["c"]);
    sim.send("b", "a", { type: "in-flight" });
    sim.runFor(5);
    sim.isolate("a");
    sim.send("c", "b", { type: "unaffected" });
    sim.runFor(20);
    expect(a.instance.received).toEqual([]);
    expect(b.instance.received.map((r) => r.message.type)).toEqual(["unaffected"]);
    const drop = sim.trace.events.find((e) => e.kind === "drop");
    expect(drop).toMatchObject({
      kind: "drop",
      reason: "partition",
      atMs: 10,
      sentAtMs: 0,
      from: "b",
      to: "a",
    });
  });

  it("rejects overlapping groups and unknown nodes", () => {
    const { sim } = pair({});
    expect(() => sim.partition(["a"], ["a", "b"])).toThrow(/more than one partition group/);
    expect(() => sim.partition(["a"])).toThrow(/at least 2 groups/);
    expect(() => sim.partition(["a"], ["nope"])).toThrow(/unknown node "nope"/);
  });
});

describe("clogging", () => {
  it("holds messages until unclog, then delivers them in arrival order", () => {
    const { sim, b } = pair({ latency: { kind: "uniform", minMs: 1, maxMs: 5 } });
    sim.clog("a", "b");
    sendMany(sim, "a", "b", 20);
    sim.runFor(100);
    expect(b.instance.received).toEqual([]);
    expect(sim.trace.events.filter((e) => e.kind === "hold").length).toBe(20);
    sim.unclog("a", "b");
    sim.runFor(0);
    expect(b.instance.received.length).toBe(20);
    expect(new Set(b.instance.received.map((r) => r.localMs))).toEqual(new Set([100]));
    expect(sim.stats.messagesDropped).toBe(0);
  });

  it("a full clogged link drops with reason clogged", () => {
    const sim = new Simulation({ seed: 1, maxHeldPerLink: 5 });
    sim.addNode("a", (ctx) => new Recorder(ctx));
    const b = sim.addNode("b", (ctx) => new Recorder(ctx));
    sim.setNetwork({ clogged: true });
    sendMany(sim, "a", "b", 8);
    sim.runFor(10);
    expect(sim.stats.dropsByReason.clogged).toBe(3);
    sim.setNetwork({ clogged: false });
    sim.runFor(1);
    expect(b.instance.received.length).toBe(5);
  });
});

describe("unknown nodes", () => {
  it("sending to or from an unknown node throws", () => {
    const { sim } = pair({});
    expect(() => sim.send("zz", "a", { type: "x" })).toThrow(/unknown node "zz"; known nodes: a, b/);
    const bad = new Simulation({ seed: 1 });
    bad.addNode("a", (ctx) => ({
      onStart: () => ctx.send("ghost", { type: "x" } as Message),
      onMessage() {},
    }));
    expect(() => bad.runFor(1)).toThrow(/unknown node "ghost"/);
  });
});
