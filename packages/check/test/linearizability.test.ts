import { describe, expect, it } from "vitest";
import {
  CheckError,
  checkLinearizable,
  counterModel,
  HistoryRecorder,
  kvModel,
  type Model,
  queueModel,
  registerModel,
  setModel,
} from "../src/index.js";
import { validateLinearization } from "./helpers.js";

describe("checkLinearizable on hand-made histories", () => {
  it("accepts a read concurrent with a write seeing either value", () => {
    for (const seen of [null, 1]) {
      const h = new HistoryRecorder();
      const w = h.invoke(0, "write", 1, 0);
      h.ok(h.invoke(1, "read", null, 1), seen, 2);
      h.ok(w, undefined, 3);
      const r = checkLinearizable(h.history(), registerModel());
      expect(r.verdict).toBe("linearizable");
      expect(
        validateLinearization(h.history(), registerModel(), r.partitions[0]!.linearization),
      ).toBeUndefined();
    }
  });

  it("rejects a stale read after the write returned, and explains it", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "write", 1, 0), undefined, 10);
    h.ok(h.invoke(1, "read", null, 20), null, 30);
    const r = checkLinearizable(h.history(), registerModel());
    expect(r.verdict).toBe("not-linearizable");
    if (r.verdict !== "not-linearizable") return;
    const f = r.failures[0]!;
    expect(f.operation.id).toBe(1);
    expect(f.longestPrefix.map((o) => o.id)).toEqual([0]);
    expect(f.stateAfterPrefix).toBe("1");
    expect(f.candidates).toEqual([{ operation: h.history()[1], possible: false }]);
    expect(r.explanation).toContain("op 1 (process 1, read() -> nil, from 20 to 30 ms) cannot be linearized");
    expect(r.explanation).toContain("leaves the state 1");
    expect(f.conflict).toEqual([h.history()[0]]);
    expect(f.conflictMinimal).toBe(true);
    expect(r.explanation).toContain(
      "It conflicts with 1 operation(s): op 0 (process 0, write(1), from 0 to 10 ms)",
    );
  });

  it("treats touching intervals as concurrent (calls before returns at equal times)", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "write", 1, 0), undefined, 10);
    h.ok(h.invoke(1, "read", null, 10), null, 20);
    expect(checkLinearizable(h.history(), registerModel()).verdict).toBe("linearizable");
  });

  it("info operations may take effect late or never", () => {
    const late = new HistoryRecorder();
    late.info(late.invoke(0, "write", 1, 0), 5);
    late.ok(late.invoke(1, "read", null, 10), null, 11);
    late.ok(late.invoke(1, "read", null, 20), 1, 21);
    expect(checkLinearizable(late.history(), registerModel()).verdict).toBe("linearizable");
    const never = new HistoryRecorder();
    never.info(never.invoke(0, "write", 1, 0), 5);
    never.ok(never.invoke(1, "read", null, 10), null, 11);
    expect(checkLinearizable(never.history(), registerModel()).verdict).toBe("linearizable");
    // but it cannot take effect before it was invoked
    const early = new HistoryRecorder();
    early.ok(early.invoke(1, "read", null, 0), 1, 1);
    early.info(early.invoke(0, "write", 1, 5), 6);
    expect(checkLinearizable(early.history(), registerModel()).verdict).toBe("not-linearizable");
  });

  it("a failed cas means the compare failed; a failed write did not happen", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "write", 1, 0), undefined, 1);
    h.fail(h.invoke(0, "cas", [1, 2], 2), undefined, 3); // value was 1: the compare cannot have failed
    expect(checkLinearizable(h.history(), registerModel()).verdict).toBe("not-linearizable");
    const g = new HistoryRecorder();
    g.fail(g.invoke(0, "write", 5, 0), undefined, 1);
    g.ok(g.invoke(0, "read", null, 2), null, 3);
    g.ok(g.invoke(0, "cas", { from: null, to: 2 }, 4), true, 5);
    g.ok(g.invoke(0, "cas", [null, 3], 6), false, 7); // compare failed (value is 2)
    g.ok(g.invoke(0, "read", null, 8), 2, 9);
    expect(checkLinearizable(g.history(), registerModel()).verdict).toBe("linearizable");
  });

  it("supports nondeterministic models (several next states)", () => {
    // "flip" sets the bit to 0 or 1; reads must be consistent with one choice.
    const coin: Model<number> = {
      name: "coin",
      init: () => 0,
      step: (s, op) => (op.f === "flip" ? [0, 1] : op.output === s ? [s] : []),
    };
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "flip", null, 0), undefined, 1);
    h.ok(h.invoke(0, "read", null, 2), 1, 3);
    h.ok(h.invoke(1, "read", null, 4), 1, 5);
    expect(checkLinearizable(h.history(), coin).verdict).toBe("linearizable");
    h.ok(h.invoke(1, "read", null, 6), 0, 7);
    expect(checkLinearizable(h.history(), coin).verdict).toBe("not-linearizable");
  });

  it("checks counters, sets and queues", () => {
    const c = new HistoryRecorder();
    c.ok(c.invoke(0, "add", 2, 0), undefined, 5);
    c.ok(c.invoke(1, "increment", undefined, 1), undefined, 6);
    c.ok(c.invoke(2, "read", null, 2), 1, 3);
    expect(checkLinearizable(c.history(), counterModel()).verdict).toBe("linearizable");
    c.ok(c.invoke(2, "read", null, 7), 2, 8);
    expect(checkLinearizable(c.history(), counterModel()).verdict).toBe("not-linearizable");

    const s = new HistoryRecorder();
    s.ok(s.invoke(0, "add", "a", 0), undefined, 1);
    s.ok(s.invoke(0, "add", "b", 2), undefined, 3);
    s.ok(s.invoke(1, "read", null, 4), new Set(["b", "a"]), 5);
    s.ok(s.invoke(1, "contains", "a", 6), true, 7);
    s.ok(s.invoke(0, "remove", "a", 8), undefined, 9);
    s.ok(s.invoke(1, "read", null, 10), ["b"], 11);
    expect(checkLinearizable(s.history(), setModel()).verdict).toBe("linearizable");
    s.ok(s.invoke(1, "contains", "a", 12), true, 13);
    expect(checkLinearizable(s.history(), setModel()).verdict).toBe("not-linearizable");

    const q = new HistoryRecorder();
    const e1 = q.invoke(0, "enqueue", 1, 0);
    const e2 = q.invoke(1, "enqueue", 2, 0);
    q.ok(e1, undefined, 2);
    q.ok(e2, undefined, 2);
    q.ok(q.invoke(2, "dequeue", null, 3), 2, 4); // concurrent enqueues: either order
    q.ok(q.invoke(2, "dequeue", null, 5), 1, 6);
    q.ok(q.invoke(2, "dequeue", null, 7), null, 8); // empty
    expect(checkLinearizable(q.history(), queueModel()).verdict).toBe("linearizable");
    q.ok(q.invoke(2, "dequeue", null, 9), 1, 10);
    expect(checkLinearizable(q.history(), queueModel()).verdict).toBe("not-linearizable");
  });

  it("partitions kv histories per key and reports failures per key", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "put", { key: "a", value: "1" }, 0), undefined, 1);
    h.ok(h.invoke(1, "append", { key: "b", value: "x" }, 0), undefined, 1);
    h.ok(h.invoke(0, "get", { key: "a" }, 2), "", 3); // stale on a
    h.ok(h.invoke(1, "get", ["b", null], 2), "x", 3);
    const r = checkLinearizable(h.history(), kvModel());
    expect(r.partitions.map((p) => [p.key, p.verdict])).toEqual([
      ["a", "not-linearizable"],
      ["b", "linearizable"],
    ]);
    expect(r.verdict).toBe("not-linearizable");
    const whole = checkLinearizable(h.history(), kvModel(), { partition: false });
    expect(whole.partitions).toHaveLength(1);
    expect(whole.verdict).toBe("not-linearizable");
  });

  it("stops after the round that found a failure unless allFailures is set", () => {
    const h = new HistoryRecorder();
    // key "hard": many concurrent appends and an impossible read (needs a long search to refute)
    for (let p = 0; p < 7; p++) h.invoke(p, "append", { key: "hard", value: String.fromCharCode(97 + p) }, 0);
    for (let p = 0; p < 7; p++) h.ok({ id: p, process: p, f: "append" }, undefined, 1);
    h.ok(h.invoke(99, "get", { key: "hard" }, 2), "zz", 3);
    // key "easy": a plain stale read
    h.ok(h.invoke(100, "put", { key: "easy", value: "1" }, 0), undefined, 1);
    h.ok(h.invoke(101, "get", { key: "easy" }, 2), "", 3);
    const first = checkLinearizable(h.history(), kvModel());
    expect(first.verdict).toBe("not-linearizable");
    expect(first.partitions.map((p) => [p.key, p.verdict])).toEqual([
      ["easy", "not-linearizable"],
      ["hard", "unknown"],
    ]);
    const all = checkLinearizable(h.history(), kvModel(), { allFailures: true, maxSteps: 2_000_000 });
    expect(all.partitions.map((p) => p.verdict)).toEqual(["not-linearizable", "not-linearizable"]);
    if (all.verdict === "not-linearizable") expect(all.failures).toHaveLength(2);
  });

  it("returns unknown when the step budget runs out, deterministically", () => {
    const h = new HistoryRecorder();
    for (let p = 0; p < 12; p++) h.invoke(p, "write", p, 0);
    for (let p = 0; p < 12; p++) h.ok({ id: p, process: p, f: "write" }, undefined, 1);
    h.ok(h.invoke(99, "read", null, 2), 1000, 3); // impossible value: forces exhaustive search
    const a = checkLinearizable(h.history(), registerModel(), { maxSteps: 500 });
    const b = checkLinearizable(h.history(), registerModel(), { maxSteps: 500 });
    expect(a.verdict).toBe("unknown");
    expect(a).toEqual(b);
    if (a.verdict === "unknown") expect(a.reason).toBe("step-budget");
    expect(
      checkLinearizable(h.history(), registerModel(), { timeoutMs: 0, clock: () => 0 }).verdict,
    ).not.toBe("linearizable");
  });

  it("a timeout budget uses the injected clock", () => {
    const h = new HistoryRecorder();
    for (let p = 0; p < 14; p++) h.invoke(p, "write", p, 0);
    for (let p = 0; p < 14; p++) h.ok({ id: p, process: p, f: "write" }, undefined, 1);
    h.ok(h.invoke(99, "read", null, 2), 1000, 3);
    let now = 0;
    const r = checkLinearizable(h.history(), registerModel(), { timeoutMs: 10, clock: () => (now += 100) });
    expect(r.verdict).toBe("unknown");
    if (r.verdict === "unknown") expect(r.reason).toBe("time-budget");
  });

  it("rejects bad options and unknown functions with CheckError", () => {
    expect(() => checkLinearizable([], registerModel(), { maxSteps: 0 })).toThrow(CheckError);
    expect(() => checkLinearizable([], registerModel(), { timeoutMs: -1 })).toThrow(CheckError);
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "increment", null, 0), undefined, 1);
    expect(() => checkLinearizable(h.history(), registerModel())).toThrow(
      expect.objectContaining({
        code: "unknown-function",
        message: expect.stringContaining("read, write, cas"),
      }),
    );
    const k = new HistoryRecorder();
    k.ok(k.invoke(0, "get", 5, 0), "", 1);
    expect(() => checkLinearizable(k.history(), kvModel())).toThrow(
      expect.objectContaining({ code: "invalid-operation" }),
    );
  });

  it("an empty history is rejected unless allowEmpty is set, then it is linearizable", () => {
    expect(() => checkLinearizable([], registerModel())).toThrow(
      expect.objectContaining({ code: "empty-history", message: expect.stringMatching(/allowEmpty: true/) }),
    );
    expect(checkLinearizable([], registerModel(), { allowEmpty: true }).verdict).toBe("linearizable");
    expect(checkLinearizable([], kvModel(), { allowEmpty: true }).partitions).toEqual([]);
  });
});
