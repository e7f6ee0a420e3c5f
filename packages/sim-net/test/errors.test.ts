import { describe, expect, it } from "vitest";
import {
  type FaultSchedule,
  type LinkConfig,
  SimNetError,
  type SimNetErrorCode,
  Simulation,
} from "../src/index.js";

function sim(): Simulation {
  const s = new Simulation({ seed: 1 });
  s.addNode("a", () => ({ onMessage() {} }));
  s.addNode("b", () => ({ onMessage() {} }));
  return s;
}

function expectError(f: () => unknown, code: SimNetErrorCode, message: RegExp): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SimNetError);
  expect((error as SimNetError).code).toBe(code);
  expect((error as SimNetError).message).toMatch(message);
}

describe("bad input throws SimNetError saying what is accepted", () => {
  it("simulation options", () => {
    expectError(() => new Simulation({ seed: 1.5 }), "invalid-argument", /seed must be a safe integer/);
    expectError(
      () => new Simulation({ seed: 1, trace: "verbose" as never }),
      "invalid-argument",
      /"full", "digest" or "off"/,
    );
    expectError(
      () => new Simulation({ seed: 1, maxEventsPerRun: 0 }),
      "invalid-argument",
      /positive integer/,
    );
    expectError(
      () => new Simulation({ seed: 1, network: { lossRate: -0.1 } }),
      "invalid-probability",
      /\[0, 1\]/,
    );
    expectError(
      () => new Simulation({ seed: 1, network: { loss: 0.1 } as Partial<LinkConfig> }),
      "invalid-argument",
      /unknown link config field "loss"; accepted: latency, lossRate/,
    );
  });

  it("nodes", () => {
    const s = sim();
    expectError(() => s.addNode("a", () => ({ onMessage() {} })), "duplicate-node", /already exists/);
    expectError(() => s.addNode("", () => ({ onMessage() {} })), "invalid-argument", /non-empty string/);
    expectError(() => s.node("nope"), "unknown-node", /unknown node "nope"; known nodes: a, b/);
    expectError(() => s.restart("nope"), "unknown-node", /unknown node/);
    expectError(() => s.addNode("c", () => ({}) as never).instance, "invalid-argument", /onMessage/);
    expectError(
      () => s.addNode("d", () => ({ onMessage() {} }), { lostSyncRate: 2 }),
      "invalid-probability",
      /lostSyncRate/,
    );
  });

  it("time and probabilities", () => {
    const s = sim();
    expectError(() => s.runFor(-1), "invalid-argument", />= 0/);
    expectError(() => s.runFor(Number.NaN), "invalid-argument", /finite number >= 0, got NaN/);
    expectError(() => s.schedule(-5, () => {}), "invalid-argument", /delayMs/);
    expectError(() => s.runUntil(() => true, { timeoutMs: -1 }), "invalid-argument", /timeoutMs/);
    expectError(() => s.setNetwork({ duplicateRate: 1.01 }), "invalid-probability", /duplicateRate/);
    expectError(
      () => s.setLink("a", "b", { fifo: "yes" as never }),
      "invalid-argument",
      /fifo must be a boolean/,
    );
    expectError(
      () => s.setStorageFaults("a", { lostSyncRate: Number.NaN }),
      "invalid-probability",
      /lostSyncRate/,
    );
    expectError(() => s.runFor(1, { maxEvents: 0 }), "invalid-argument", /maxEvents/);
    const t = new Simulation({ seed: 1 });
    t.addNode("x", (ctx) => ({ onStart: () => void ctx.setTimer(-1, () => {}), onMessage() {} }));
    expectError(
      () => t.runFor(1),
      "invalid-argument",
      /setTimer delayMs on "x" must be a finite number >= 0, got -1/,
    );
  });

  it("messages", () => {
    const s = sim();
    expectError(() => s.send("a", "b", { kind: "x" } as never), "invalid-message", /string "type"/);
    expectError(() => s.send("a", "b", null as never), "invalid-message", /string "type"/);
  });

  it("fault schedules are validated before anything is scheduled", () => {
    const s = sim();
    const bad: FaultSchedule = [
      { atMs: 10, kind: "crash", node: "a" },
      { atMs: 20, kind: "crash", node: "zz" },
    ];
    expectError(() => s.applySchedule(bad), "unknown-node", /entry 1: node "zz"/);
    expect(s.pendingEvents).toBe(2); // only the two start events
    expectError(() => s.applySchedule([{ atMs: -1, kind: "heal" }]), "invalid-schedule", /atMs must be/);
    expectError(
      () => s.applySchedule([{ atMs: 1, kind: "explode" } as never]),
      "invalid-schedule",
      /accepted: partition/,
    );
    expectError(
      () => s.applySchedule([{ atMs: 1, kind: "clock", node: "a", driftPpm: -2e6 }]),
      "invalid-argument",
      /driftPpm/,
    );
    s.runFor(5);
    expectError(
      () => s.applySchedule([{ atMs: 1, kind: "heal" }]),
      "invalid-schedule",
      /before the current time/,
    );
  });
});
