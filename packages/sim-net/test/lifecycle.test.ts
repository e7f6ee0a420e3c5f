import { describe, expect, it } from "vitest";
import { type Message, type NodeContext, type SimNode, Simulation } from "../src/index.js";
import { Recorder } from "./helpers.js";

/** A node that counts deliveries in memory and writes every delivery to storage, syncing on demand. */
class Counter implements SimNode<Message> {
  count = 0;
  started = 0;
  timerFired = false;
  constructor(readonly ctx: NodeContext<Message>) {}
  onStart(): void {
    this.started++;
    this.ctx.setTimer(100, () => {
      this.timerFired = true;
    });
  }
  onMessage(_from: string, message: Message): void {
    this.count++;
    this.ctx.storage.set(`m${String(this.count).padStart(3, "0")}`, message.type);
    if (message.type === "sync") this.ctx.storage.sync();
  }
}

function setup(seed = 1) {
  const sim = new Simulation({ seed });
  const n = sim.addNode("n", (ctx) => new Counter(ctx));
  sim.addNode("c", (ctx) => new Recorder(ctx));
  return { sim, n };
}

describe("crash and restart", () => {
  it("loses memory, timers and unsynced writes; keeps synced writes; restart calls the factory again", () => {
    const { sim, n } = setup();
    sim.send("c", "n", { type: "a" });
    sim.send("c", "n", { type: "sync" });
    sim.send("c", "n", { type: "b" });
    sim.runFor(10);
    const before = n.instance;
    expect(before.count).toBe(3);
    expect(before.ctx.storage.keys()).toEqual(["m001", "m002", "m003"]);
    expect(before.ctx.storage.unsyncedWrites).toBe(1);
    expect(sim.crash("n")).toBe(true);
    expect(n.status).toBe("crashed");
    expect(sim.crash("n")).toBe(false);
    expect(n.durableEntries()).toEqual([
      ["m001", "a"],
      ["m002", "sync"],
    ]);
    sim.send("c", "n", { type: "while-down" });
    sim.runFor(200);
    expect(before.timerFired).toBe(false);
    expect(sim.stats.dropsByReason.crashed).toBe(1);
    expect(sim.restart("n")).toBe(true);
    expect(sim.restart("n")).toBe(false);
    const after = n.instance;
    expect(after).not.toBe(before);
    expect(after.count).toBe(0);
    expect(after.started).toBe(1);
    expect(after.ctx.storage.keys()).toEqual(["m001", "m002"]);
    sim.runFor(150);
    expect(after.timerFired).toBe(true);
    const kinds = sim.trace.events.map((e) => e.kind);
    expect(kinds).toContain("crash");
    expect(kinds).toContain("restart");
    const crash = sim.trace.events.find((e) => e.kind === "crash");
    expect(crash).toMatchObject({ node: "n", unsyncedWritesLost: 1, tornWritesKept: 0 });
  });

  it("a dead incarnation cannot act", () => {
    const { sim, n } = setup();
    sim.runFor(1);
    const dead = n.instance;
    sim.crash("n");
    dead.ctx.send("c", { type: "zombie" });
    dead.ctx.storage.set("zombie", 1);
    dead.ctx.setTimer(1, () => {
      throw new Error("zombie timer fired");
    });
    sim.restart("n");
    sim.runFor(50);
    expect(sim.node<Recorder>("c").instance.received).toEqual([]);
    expect(n.instance.ctx.storage.has("zombie")).toBe(false);
  });

  it("torn writes: a random prefix of the unsynced writes survives", () => {
    const survivors: number[] = [];
    for (let seed = 1; seed <= 30; seed++) {
      const { sim, n } = setup(seed);
      for (let i = 0; i < 10; i++) sim.send("c", "n", { type: `w${i}` });
      sim.runFor(5);
      sim.crash("n", { tornWrites: true });
      const kept = n.durableEntries();
      // Always a prefix, in write order.
      expect(kept.map(([k]) => k)).toEqual(
        Array.from({ length: kept.length }, (_, i) => `m${String(i + 1).padStart(3, "0")}`),
      );
      survivors.push(kept.length);
      const crash = sim.trace.events.find((e) => e.kind === "crash");
      expect(crash).toMatchObject({ tornWritesKept: kept.length, unsyncedWritesLost: 10 - kept.length });
    }
    expect(Math.min(...survivors)).toBeLessThan(3);
    expect(Math.max(...survivors)).toBeGreaterThan(7);
    expect(new Set(survivors).size).toBeGreaterThan(4);
  });

  it("lost syncs happen at the configured rate and lose the writes at the next crash", () => {
    const sim = new Simulation({ seed: 9 });
    const n = sim.addNode("n", (ctx) => new Counter(ctx), { lostSyncRate: 0.3 });
    sim.addNode("c", (ctx) => new Recorder(ctx));
    for (let i = 0; i < 2000; i++) sim.send("c", "n", { type: "sync" });
    sim.runFor(5);
    const syncs = sim.trace.events.filter((e) => e.kind === "sync");
    expect(syncs.length).toBe(2000);
    const lost = syncs.filter((e) => e.kind === "sync" && e.lost).length;
    expect(lost).toBeGreaterThan(520);
    expect(lost).toBeLessThan(680);
    sim.crash("n");
    expect(n.durableEntries().length).toBe(2000 - lost);
  });

  it("lostSyncRate 1 makes sync never persist (set with setStorageFaults)", () => {
    const { sim, n } = setup();
    sim.setStorageFaults("n", { lostSyncRate: 1 });
    sim.send("c", "n", { type: "sync" });
    sim.runFor(5);
    expect(n.instance.ctx.storage.unsyncedWrites).toBe(0); // the node believes it synced
    sim.crash("n");
    expect(n.durableEntries()).toEqual([]);
  });
});

describe("pause and resume", () => {
  it("holds deliveries and timers and runs them at resume, in order", () => {
    const sim = new Simulation({ seed: 1, network: { latency: { kind: "constant", ms: 5 } } });
    const order: string[] = [];
    const p = sim.addNode("p", (ctx) => ({
      onStart: () => {
        ctx.setTimer(20, () => order.push(`timer@${ctx.now()}`));
      },
      onMessage: (_from: string, m: Message) => order.push(`${m.type}@${ctx.now()}`),
    }));
    sim.addNode("c", (ctx) => new Recorder(ctx));
    sim.runFor(1);
    expect(sim.pause("p")).toBe(true);
    expect(p.status).toBe("paused");
    expect(sim.pause("p")).toBe(false);
    sim.send("c", "p", { type: "m1" });
    sim.schedule(10, () => sim.send("c", "p", { type: "m2" }));
    sim.runFor(99);
    expect(order).toEqual([]);
    expect(sim.resume("p")).toBe(true);
    sim.runFor(0);
    expect(order).toEqual(["m1@100", "m2@100", "timer@100"]);
    expect(sim.trace.events.filter((e) => e.kind === "hold" && e.reason === "paused").length).toBe(2);
  });

  it("a crash while paused drops what was held", () => {
    const sim = new Simulation({ seed: 1 });
    const p = sim.addNode("p", (ctx) => new Recorder(ctx));
    sim.addNode("c", (ctx) => new Recorder(ctx));
    sim.runFor(1);
    sim.pause("p");
    sim.send("c", "p", { type: "m" });
    sim.runFor(5);
    sim.crash("p");
    expect(sim.resume("p")).toBe(false);
    sim.restart("p");
    sim.runFor(5);
    expect(p.instance.received).toEqual([]);
    expect(sim.stats.dropsByReason.crashed).toBe(1);
  });
});
