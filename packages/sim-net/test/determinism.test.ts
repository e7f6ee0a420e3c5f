import { describe, expect, it } from "vitest";
import { type FaultSchedule, type NodeContext, Simulation, type TraceMode } from "../src/index.js";

type Note = { readonly type: "note"; readonly value: number };

const schedule: FaultSchedule = [
  {
    atMs: 50,
    kind: "partition",
    groups: [
      ["n0", "n1"],
      ["n2", "n3"],
    ],
  },
  { atMs: 80, kind: "crash", node: "n1", tornWrites: true },
  { atMs: 90, kind: "clog", from: "n2", to: "n3" },
  { atMs: 100, kind: "pause", node: "n3" },
  { atMs: 120, kind: "clock", node: "n0", driftPpm: 300, offsetMs: 5 },
  {
    atMs: 140,
    kind: "link",
    from: "n0",
    to: "n2",
    config: { latency: { kind: "pareto", scaleMs: 1, shape: 2 } },
  },
  { atMs: 150, kind: "heal" },
  { atMs: 160, kind: "restart", node: "n1" },
  { atMs: 170, kind: "resume", node: "n3" },
  { atMs: 175, kind: "unclog", from: "n2", to: "n3" },
  { atMs: 180, kind: "partition-one-way", from: ["n2"], to: ["n0"] },
  { atMs: 190, kind: "isolate", node: "n3" },
  { atMs: 200, kind: "network", config: { lossRate: 0.05 } },
  { atMs: 210, kind: "storage", node: "n2", lostSyncRate: 0.5 },
  { atMs: 220, kind: "heal" },
];

function scenario(seed: number, trace: TraceMode = "full", extraNode = false): Simulation {
  const sim = new Simulation({
    seed,
    trace,
    network: {
      latency: {
        kind: "mixture",
        components: [
          { weight: 9, distribution: { kind: "normal", meanMs: 3, stdDevMs: 1 } },
          { weight: 1, distribution: { kind: "exponential", meanMs: 20 } },
        ],
      },
      lossRate: 0.1,
      duplicateRate: 0.05,
    },
  });
  const ids = ["n0", "n1", "n2", "n3"];
  if (extraNode) ids.push("n4");
  for (const id of ids) {
    sim.addNode(
      id,
      (ctx: NodeContext<Note>) => ({
        onStart: () => {
          const tick = (): void => {
            const value = ctx.random.int(0, 1000);
            ctx.storage.set(`v${value}`, value);
            if (ctx.random.chance(0.5)) ctx.storage.sync();
            ctx.send(ctx.random.pick(ctx.peers), { type: "note", value });
            ctx.setTimer(ctx.random.int(3, 12), tick);
          };
          tick();
        },
        onMessage: (from, m) => ctx.log(`from ${from}`, { value: m.value, at: ctx.now() }),
      }),
      { clock: { driftPpm: ids.indexOf(id) * 10 } },
    );
  }
  sim.applySchedule(schedule);
  sim.runFor(300);
  return sim;
}

describe("determinism", () => {
  it("same seed: identical digest and JSON; another seed: another digest", () => {
    const a = scenario(42);
    const b = scenario(42);
    expect(a.trace.events.length).toBeGreaterThan(500);
    expect(a.trace.digest()).toBe(b.trace.digest());
    expect(JSON.stringify(a.trace.toJSON())).toBe(JSON.stringify(b.trace.toJSON()));
    expect(a.stats).toEqual(b.stats);
    const others = [43, 44, 45].map((s) => scenario(s).trace.digest());
    expect(new Set([a.trace.digest(), ...others]).size).toBe(4);
  });

  it("the schedule's faults all appear in the trace", () => {
    const kinds = new Set(scenario(1).trace.events.map((e) => e.kind));
    for (const k of [
      "partition",
      "crash",
      "clog",
      "pause",
      "clock",
      "link",
      "heal",
      "restart",
      "resume",
      "unclog",
    ]) {
      expect(kinds.has(k as never), k).toBe(true);
    }
    for (const k of [
      "partition-one-way",
      "isolate",
      "network",
      "send",
      "deliver",
      "drop",
      "duplicate",
      "timer",
      "log",
      "sync",
    ]) {
      expect(kinds.has(k as never), k).toBe(true);
    }
  });

  it("digest mode computes the same digest as full mode without keeping events", () => {
    const full = scenario(7, "full");
    const digestOnly = scenario(7, "digest");
    expect(digestOnly.trace.digest()).toBe(full.trace.digest());
    expect(digestOnly.trace.events.length).toBe(0);
    expect(digestOnly.trace.size).toBe(full.trace.events.length);
  });

  it("trace mode does not change the run", () => {
    expect(scenario(3, "off").stats).toEqual(scenario(3, "full").stats);
  });

  it("the JSON export is plain data that round-trips", () => {
    const exported = scenario(5).trace.toJSON();
    expect(JSON.parse(JSON.stringify(exported))).toEqual(exported);
    expect(exported.seed).toBe(5);
    expect(exported.nodes).toEqual(["n0", "n1", "n2", "n3"]);
  });

  it("adding a node does not perturb another node's random stream", () => {
    const draws = (extra: boolean): number[] => {
      const sim = new Simulation({ seed: 9 });
      const values: number[] = [];
      sim.addNode("a", (ctx) => ({
        onStart: () => {
          for (let i = 0; i < 5; i++) values.push(ctx.random.next());
        },
        onMessage() {},
      }));
      if (extra) sim.addNode("z", (ctx) => ({ onStart: () => void ctx.random.next(), onMessage() {} }));
      sim.runFor(1);
      return values;
    };
    expect(draws(true)).toEqual(draws(false));
  });

  it("traffic on other links does not perturb a link's random draws", () => {
    const latencies = (withNoise: boolean): number[] => {
      const sim = new Simulation({
        seed: 11,
        network: { latency: { kind: "exponential", meanMs: 5 }, lossRate: 0.2 },
      });
      const got: number[] = [];
      sim.addNode("a", () => ({ onMessage() {} }));
      sim.addNode("b", () => ({ onMessage: () => void got.push(sim.nowMs) }));
      sim.addNode("c", () => ({ onMessage() {} }));
      for (let i = 0; i < 50; i++) {
        sim.schedule(i, () => {
          if (withNoise) sim.send("c", "a", { type: "noise" });
          sim.send("a", "b", { type: "m" });
          if (withNoise) sim.send("b", "c", { type: "noise" });
        });
      }
      sim.run();
      return got;
    };
    const quiet = latencies(false);
    expect(quiet.length).toBeGreaterThan(30);
    expect(latencies(true)).toEqual(quiet);
  });
});
