import { describe, expect, it } from "vitest";
import {
  CheckError,
  HistoryRecorder,
  historyFromEvents,
  historyFromOperations,
  validateHistory,
} from "../src/index.js";

describe("HistoryRecorder", () => {
  it("records invocations and completions as operations", () => {
    const h = new HistoryRecorder<unknown, unknown>();
    const a = h.invoke(0, "write", 1, 0);
    const b = h.invoke(1, "read", null, 1);
    h.ok(b, 1, 3);
    h.fail(a, "timeout", 4);
    const c = h.invoke(2, "write", 2, 5);
    h.info(c, 9);
    h.invoke(3, "read", null, 6); // still pending
    const ops = h.history();
    expect(ops.map((o) => [o.id, o.status, o.callMs, o.returnMs])).toEqual([
      [0, "fail", 0, 4],
      [1, "ok", 1, 3],
      [2, "info", 5, Number.POSITIVE_INFINITY],
      [3, "info", 6, Number.POSITIVE_INFINITY],
    ]);
    expect(ops[1]!.output).toBe(1);
    expect(ops[2]!.output).toBeUndefined();
    expect(h.events().map((e) => e.type)).toEqual([
      "invoke",
      "invoke",
      "ok",
      "fail",
      "invoke",
      "info",
      "invoke",
    ]);
    expect(h.size).toBe(4);
    expect(h.isPending(3)).toBe(true);
    expect(h.isPending(0)).toBe(false);
  });

  it("rejects a second invocation of a busy process, double completion, and bad times", () => {
    const h = new HistoryRecorder();
    const a = h.invoke(0, "write", 1, 0);
    expect(() => h.invoke(0, "read", null, 1)).toThrow(
      expect.objectContaining({ code: "duplicate-invocation" }),
    );
    expect(() => h.ok(a, undefined, -1)).toThrow(expect.objectContaining({ code: "invalid-time" }));
    h.ok(a, undefined, 2);
    expect(() => h.ok(a, undefined, 3)).toThrow(expect.objectContaining({ code: "unmatched-completion" }));
    expect(() => h.invoke(1, "read", null, Number.NaN)).toThrow(CheckError);
    expect(() => h.ok({ id: 42, process: 9, f: "x" }, undefined, 3)).toThrow(/matches no pending invocation/);
  });
});

describe("historyFromEvents", () => {
  it("pairs events per process, keys inputs, and turns leftovers into info", () => {
    const ops = historyFromEvents([
      { process: 0, type: "invoke", f: "put", key: "x", value: "a" },
      { process: 1, type: "invoke", f: "get", key: "x", value: null },
      { process: "nemesis", type: "info", f: "start", value: null },
      { process: 0, type: "ok", f: "put", key: "x", value: "a" },
      { process: 1, type: "ok", f: "get", key: "x", value: "a" },
      { process: 2, type: "invoke", f: "get", key: "y", value: null },
    ]);
    expect(ops).toHaveLength(3);
    expect(ops[0]).toMatchObject({ process: 0, input: { key: "x", value: "a" }, callMs: 0, returnMs: 3 });
    expect(ops[1]).toMatchObject({ status: "ok", output: "a", callMs: 1, returnMs: 4 });
    expect(ops[2]).toMatchObject({ status: "info", returnMs: Number.POSITIVE_INFINITY });
  });

  it("names the line of an unmatched completion or mismatched function", () => {
    expect(() => historyFromEvents([{ process: 0, type: "ok", f: "read", value: 1, line: 7 }])).toThrow(
      /line 7 \(event 0\): ok read of process 0 has no pending invocation/,
    );
    expect(() =>
      historyFromEvents([
        { process: 0, type: "invoke", f: "read", value: null },
        { process: 0, type: "ok", f: "write", value: 1 },
      ]),
    ).toThrow(expect.objectContaining({ code: "invalid-operation" }));
    expect(() =>
      historyFromEvents([
        { process: 0, type: "invoke", f: "read", value: null, timeMs: 5 },
        { process: 0, type: "ok", f: "read", value: null, timeMs: 4 },
      ]),
    ).toThrow(expect.objectContaining({ code: "invalid-time" }));
  });
});

describe("validateHistory", () => {
  const base = { process: 0, f: "read", input: null, output: 1 } as const;
  it("rejects ids out of place, info with a finite return, return before call", () => {
    expect(() => validateHistory([{ ...base, id: 1, status: "ok", callMs: 0, returnMs: 1 }])).toThrow(
      /ids must equal/,
    );
    expect(() => validateHistory([{ ...base, id: 0, status: "info", callMs: 0, returnMs: 1 }])).toThrow(
      /Infinity/,
    );
    expect(() => validateHistory([{ ...base, id: 0, status: "ok", callMs: 2, returnMs: 1 }])).toThrow(
      CheckError,
    );
    expect(validateHistory([{ ...base, id: 0, status: "ok", callMs: 0, returnMs: 1 }])).toHaveLength(1);
  });
});

describe("historyFromOperations", () => {
  it("sorts by call time, numbers, and normalises info operations", () => {
    const h = historyFromOperations<unknown, unknown>([
      { process: "b", f: "read", input: null, output: 1, status: "ok", callMs: 5, returnMs: 6 },
      { process: "a", f: "write", input: 1, status: "info", callMs: 0, returnMs: 3, output: "x" },
      { process: "c", f: "write", input: 2, status: "fail", callMs: 5, returnMs: 9 },
    ]);
    expect(h.map((o) => [o.id, o.process, o.returnMs, o.output])).toEqual([
      [0, "a", Number.POSITIVE_INFINITY, undefined],
      [1, "b", 6, 1],
      [2, "c", 9, undefined],
    ]);
  });
  it("rejects a missing or early return time", () => {
    expect(() =>
      historyFromOperations([{ process: 0, f: "read", input: null, status: "ok", callMs: 1 }]),
    ).toThrow(expect.objectContaining({ code: "invalid-time" }));
    expect(() =>
      historyFromOperations([{ process: 0, f: "read", input: null, status: "ok", callMs: 3, returnMs: 2 }]),
    ).toThrow(CheckError);
  });
});
