import { describe, expect, it } from "vitest";
import {
  CheckError,
  checkLinearizable,
  type HistoryEvent,
  HistoryRecorder,
  historyFromEvents,
  historyFromOperations,
  type Model,
  ParseError,
  parseHistory,
  registerModel,
  validateHistory,
} from "../src/index.js";

/** Expects `fn` to throw a CheckError with `code` whose message matches every pattern. */
function expectCheckError(fn: () => unknown, code: string, ...patterns: RegExp[]): CheckError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected a CheckError").toBeInstanceOf(CheckError);
  const e = caught as CheckError;
  expect(e.code).toBe(code);
  for (const p of patterns) expect(e.message).toMatch(p);
  return e;
}

const inv = (process: number, f: string, value: unknown, timeMs?: number): HistoryEvent => ({
  process,
  type: "invoke",
  f,
  value,
  ...(timeMs !== undefined ? { timeMs } : {}),
});
const ok = (process: number, f: string, value: unknown, timeMs?: number): HistoryEvent => ({
  process,
  type: "ok",
  f,
  value,
  ...(timeMs !== undefined ? { timeMs } : {}),
});

describe("parseHistory never turns garbage into a history", () => {
  it("rejects text in neither Jepsen format with a ParseError naming the line", () => {
    const e = expectCheckError(
      () => parseHistory("this is not a jepsen log\n{:foo"),
      "parse-error",
      /line 1/,
      /EDN map lines/,
      /jepsen\.util log lines/,
    );
    expect(e).toBeInstanceOf(ParseError);
    expect((e as ParseError).lineNumber).toBe(1);
  });

  it("rejects a malformed EDN line after a good one", () => {
    const text = "{:process 0, :type :invoke, :f :read, :value nil}\n{:foo";
    const e = expectCheckError(() => parseHistory(text), "parse-error", /line 2/);
    expect((e as ParseError).lineText).toBe("{:foo");
  });

  it("rejects a blank text unless allowEmpty is set", () => {
    expectCheckError(() => parseHistory("\n  \n"), "empty-history", /allowEmpty: true/);
    expect(parseHistory("\n  \n", { allowEmpty: true })).toEqual([]);
  });

  it("rejects a history with only nemesis events unless allowEmpty is set", () => {
    const text = "{:process :nemesis, :type :info, :f :start, :value nil}\n";
    expectCheckError(() => parseHistory(text), "empty-history");
    expect(parseHistory(text, { allowEmpty: true })).toEqual([]);
  });
});

describe("checkLinearizable rejects what it cannot judge", () => {
  it("rejects an empty history unless allowEmpty is set", () => {
    expectCheckError(() => checkLinearizable([], registerModel()), "empty-history", /allowEmpty/);
    expect(checkLinearizable([], registerModel(), { allowEmpty: true }).verdict).toBe("linearizable");
  });

  it("rejects a non-array history and a null operation, naming the position", () => {
    expectCheckError(
      () => checkLinearizable({ length: 1 } as never, registerModel()),
      "invalid-argument",
      /array of operations/,
    );
    const good = {
      id: 0,
      process: 0,
      f: "read",
      input: null,
      output: null,
      status: "ok",
      callMs: 0,
      returnMs: 1,
    };
    expectCheckError(
      () => checkLinearizable([good, null] as never, registerModel()),
      "invalid-operation",
      /operation 1 is null/,
    );
  });

  it("rejects a model without step (or init) instead of a bare TypeError", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "read", null, 0), null, 1);
    expectCheckError(
      () => checkLinearizable(h.history(), { name: "broken", init: () => 0 } as unknown as Model<number>),
      "invalid-argument",
      /"broken" has no step function/,
      /registerModel\(\)/,
    );
    expectCheckError(
      () => checkLinearizable(h.history(), null as never),
      "invalid-argument",
      /model is null/,
    );
    expectCheckError(
      () => checkLinearizable(h.history(), { ...registerModel(), hash: 3 } as never),
      "invalid-argument",
      /hash is number/,
    );
  });

  it("rejects a process with two overlapping operations, naming both", () => {
    expectCheckError(
      () =>
        historyFromOperations([
          { process: 0, f: "write", input: 1, status: "ok", callMs: 0, returnMs: 10 },
          { process: 0, f: "read", input: null, output: 1, status: "ok", callMs: 5, returnMs: 6 },
        ]),
      "duplicate-invocation",
      /operation 1 .*overlaps operation 0/,
    );
  });

  it("keeps accepting a process that goes on after an info operation (a crashed client)", () => {
    const h = new HistoryRecorder();
    h.info(h.invoke(0, "write", 1, 0), 5);
    h.ok(h.invoke(0, "read", null, 6), 1, 7);
    h.invoke(1, "write", 2, 8); // never completes
    expect(() => validateHistory(h.history())).not.toThrow();
    expect(checkLinearizable(h.history(), registerModel()).verdict).toBe("linearizable");
  });
});

describe("historyFromEvents rejects malformed events, naming the event index", () => {
  it("rejects a non-array and a null event", () => {
    expectCheckError(() => historyFromEvents("x" as never), "invalid-argument", /array of events/);
    expectCheckError(
      () => historyFromEvents([inv(0, "read", null), null as never]),
      "invalid-event",
      /event 1 is null/,
      /\{ process, type, f, value, timeMs\? \}/,
    );
  });

  it("rejects an unknown event type instead of taking it as a completion", () => {
    expectCheckError(
      () =>
        historyFromEvents([inv(0, "write", 1), { process: 0, type: "done", f: "write", value: 1 } as never]),
      "invalid-event",
      /event 1: unknown event type "done"; accepted types are invoke, ok, fail, info/,
    );
  });

  it("rejects events mixing given and missing times", () => {
    expectCheckError(
      () => historyFromEvents([inv(0, "write", 1, 0), ok(0, "write", 1)]),
      "invalid-time",
      /event 1 has no timeMs but event 0 has one/,
    );
    expectCheckError(
      () => historyFromEvents([inv(0, "write", 1), ok(0, "write", 1, 3)]),
      "invalid-time",
      /event 1 has a timeMs but event 0 has none/,
    );
  });

  it("rejects events out of time order", () => {
    expectCheckError(
      () => historyFromEvents([inv(0, "write", 1, 5), inv(1, "read", null, 2), ok(0, "write", 1, 6)]),
      "invalid-time",
      /event 1: events are out of time order: timeMs 2 is earlier than 5 of event 0/,
    );
  });

  it("rejects a completion whose key differs from its invocation's", () => {
    expectCheckError(
      () =>
        historyFromEvents([
          { process: 0, type: "invoke", f: "put", key: "x", value: "a" },
          { process: 0, type: "ok", f: "put", key: "y", value: "a" },
        ]),
      "invalid-event",
      /event 1: ok put of process 0 names key "y" but its invocation \(event 0\) named "x"/,
    );
  });

  it("rejects a completion whose written value differs from its invocation's", () => {
    expectCheckError(
      () => historyFromEvents([inv(0, "write", 1), ok(0, "write", 2)]),
      "invalid-event",
      /event 1: ok write of process 0 carries 2 but its invocation \(event 0\) wrote 1/,
    );
    expectCheckError(
      () => historyFromEvents([inv(0, "cas", [1, 2]), { process: 0, type: "fail", f: "cas", value: [1, 3] }]),
      "invalid-event",
      /carries \[1 3\]/,
    );
    // Accepted: the value repeated, omitted (null), false for an ok cas, anything on info.
    const accepted = historyFromEvents([
      inv(0, "write", 1),
      ok(0, "write", 1),
      inv(0, "write", 2),
      ok(0, "write", null),
      inv(0, "cas", [1, 2]),
      ok(0, "cas", false),
      inv(0, "write", 3),
      { process: 0, type: "info", f: "write", value: "timed-out" },
    ]);
    expect(accepted.map((o) => o.status)).toEqual(["ok", "ok", "ok", "info"]);
  });

  it("reads times from timeMs only and rejects a time field with a message that says so", () => {
    expectCheckError(
      () => historyFromEvents([{ process: 0, type: "invoke", f: "read", value: null, time: 5 } as never]),
      "invalid-event",
      /event 0: the event has a `time` field, which historyFromEvents does not read; give the time in milliseconds as `timeMs`/,
    );
    const ops = historyFromEvents([inv(0, "read", null, 5), ok(0, "read", null, 9)]);
    expect(ops[0]).toMatchObject({ callMs: 5, returnMs: 9 });
  });

  it("rejects a non-finite timeMs, a bad process and a missing f", () => {
    expectCheckError(() => historyFromEvents([inv(0, "read", null, Number.NaN)]), "invalid-time", /event 0/);
    expectCheckError(
      () => historyFromEvents([{ process: null, type: "invoke", f: "read", value: null } as never]),
      "invalid-event",
      /process null/,
    );
    expectCheckError(
      () => historyFromEvents([{ process: 0, type: "invoke", value: null } as never]),
      "invalid-event",
      /f undefined/,
    );
  });
});
