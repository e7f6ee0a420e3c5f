import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  CheckError,
  checkConvergence,
  checkSequentialConsistency,
  checkSessionGuarantees,
  HistoryRecorder,
  kvModel,
  measureStaleness,
  registerModel,
} from "../src/index.js";
import { atomicHistory, plannedOps, registerImpl } from "./generators.js";

describe("checkSequentialConsistency", () => {
  it("keeps each process's order", () => {
    // p0 writes 1 then 2; p1 reads 2 then 1: impossible in any order that keeps p0's and p1's orders.
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "write", 1, 0), undefined, 1);
    h.ok(h.invoke(0, "write", 2, 2), undefined, 3);
    h.ok(h.invoke(1, "read", null, 10), 2, 11);
    h.ok(h.invoke(1, "read", null, 12), 1, 13);
    const r = checkSequentialConsistency(h.history(), registerModel());
    expect(r.verdict).toBe("not-sequentially-consistent");
    expect(r.stuck.length).toBeGreaterThan(0);
    expect(r.explanation).toMatch(/Not sequentially consistent/);
  });

  it("allows reordering across processes and info ops to be left out or placed late", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke(1, "read", null, 10), 2, 11);
    h.ok(h.invoke(0, "write", 1, 0), undefined, 1);
    h.info(h.invoke(2, "write", 2, 0), 1);
    h.ok(h.invoke(1, "read", null, 12), 1, 13);
    const r = checkSequentialConsistency(h.history(), registerModel());
    expect(r.verdict).toBe("sequentially-consistent");
    expect(r.order).toHaveLength(3);
  });

  it("returns unknown past its budget and rejects a bad budget", () => {
    const h = new HistoryRecorder();
    for (let p = 0; p < 6; p++) h.ok(h.invoke(p, "write", p, 0), undefined, 1);
    h.ok(h.invoke(9, "read", null, 2), 99, 3);
    expect(checkSequentialConsistency(h.history(), registerModel(), { maxSteps: 5 }).verdict).toBe("unknown");
    expect(() => checkSequentialConsistency([], registerModel(), { maxSteps: -1 })).toThrow(CheckError);
  });

  test.prop([plannedOps(25, 4)], { numRuns: 60 })(
    "every linearizable (atomic) history is sequentially consistent",
    (plan) => {
      const h = atomicHistory(plan, registerImpl(true));
      expect(checkSequentialConsistency(h, registerModel()).verdict).toBe("sequentially-consistent");
    },
  );

  it("works on kv histories without partitioning", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "put", { key: "x", value: "1" }, 0), undefined, 1);
    h.ok(h.invoke(0, "put", { key: "y", value: "1" }, 2), undefined, 3);
    h.ok(h.invoke(1, "get", { key: "y" }, 4), "1", 5);
    h.ok(h.invoke(1, "get", { key: "x" }, 6), "", 7); // saw y's put but not the earlier x put
    expect(checkSequentialConsistency(h.history(), kvModel()).verdict).toBe("not-sequentially-consistent");
  });
});

describe("checkSessionGuarantees", () => {
  it("finds each kind of violation", () => {
    const h = new HistoryRecorder();
    // versions (by completion time): 1 at t=1, 2 at t=3, 3 at t=21
    h.ok(h.invoke("x", "write", 1, 0), undefined, 1);
    h.ok(h.invoke("y", "write", 2, 2), undefined, 3);
    // read-your-writes: alice writes 3 ... reads 2
    h.ok(h.invoke("alice", "write", 3, 20), undefined, 21);
    h.ok(h.invoke("alice", "read", null, 22), 2, 23);
    // monotonic reads: bob reads 2 then 1
    h.ok(h.invoke("bob", "read", null, 30), 2, 31);
    h.ok(h.invoke("bob", "read", null, 32), 1, 33);
    // garbage
    h.ok(h.invoke("carol", "read", null, 40), 42, 41);
    const r = checkSessionGuarantees(h.history());
    expect(r.ok).toBe(false);
    expect(r.counts["read-your-writes"]).toBe(1);
    expect(r.counts["monotonic-reads"]).toBe(1);
    expect(r.counts["unknown-value"]).toBe(1);
    expect(r.violations.find((v) => v.guarantee === "read-your-writes")?.client).toBe("alice");
  });

  it("uses a given version order for monotonic writes and writes-follow-reads", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke("a", "write", "a1", 0), undefined, 1);
    h.ok(h.invoke("a", "write", "a2", 2), undefined, 3);
    h.ok(h.invoke("b", "read", null, 4), "a2", 5);
    h.ok(h.invoke("b", "write", "b1", 6), undefined, 7);
    // the replica's log says: a2 was installed before a1, and b1 before a2
    const versionOrder = new Map([["", ["b1", "a2", "a1"]]]);
    const r = checkSessionGuarantees(h.history(), { versionOrder });
    expect(r.counts["monotonic-writes"]).toBe(1);
    expect(r.counts["writes-follow-reads"]).toBe(1);
    expect(checkSessionGuarantees(h.history()).ok).toBe(true);
  });

  it("groups processes into clients and checks kv keys separately", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke("c1-a", "put", { key: "k", value: "v1" }, 0), undefined, 1);
    h.ok(h.invoke("c1-b", "get", { key: "k" }, 2), null, 3);
    h.ok(h.invoke("c1-b", "get", { key: "other" }, 4), null, 5);
    const perProcess = checkSessionGuarantees(h.history());
    expect(perProcess.ok).toBe(true);
    const perClient = checkSessionGuarantees(h.history(), { clientOf: (p) => String(p).slice(0, 2) });
    expect(perClient.counts["read-your-writes"]).toBe(1);
  });

  it("requires unique written values and supported functions", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "write", 1, 0), undefined, 1);
    h.ok(h.invoke(1, "write", 1, 2), undefined, 3);
    expect(() => checkSessionGuarantees(h.history())).toThrow(/unique written values/);
    const a = new HistoryRecorder();
    a.ok(a.invoke(0, "append", { key: "k", value: "x" }, 0), undefined, 1);
    expect(() => measureStaleness(a.history())).toThrow(
      expect.objectContaining({ code: "unknown-function" }),
    );
  });

  test.prop([plannedOps(40, 5)], { numRuns: 60 })(
    "a sequential single-client history satisfies all guarantees",
    (plan) => {
      const h = atomicHistory(
        plan.map((p) => ({ ...p, proc: 0, info: 0 })),
        registerImpl(false),
      );
      expect(checkSessionGuarantees(h).ok).toBe(true);
      expect(measureStaleness(h).staleReads).toBe(0);
    },
  );
});

describe("measureStaleness", () => {
  it("counts versions and milliseconds behind", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "write", "a", 0), undefined, 10);
    h.ok(h.invoke(0, "write", "b", 20), undefined, 30);
    h.ok(h.invoke(1, "read", null, 50), "a", 51); // 1 behind, b completed at 30: 20 ms
    h.ok(h.invoke(1, "read", null, 60), null, 61); // 2 behind, a completed at 10: 50 ms
    h.ok(h.invoke(1, "read", null, 70), "b", 71);
    const c = h.invoke(2, "write", "c", 72);
    h.ok(h.invoke(1, "read", null, 73), "b", 74); // c not completed: up to date
    h.ok(c, undefined, 80);
    const r = measureStaleness(h.history());
    expect(r.reads.map((x) => [x.versionRead, x.versionsBehind, x.msBehind])).toEqual([
      [1, 1, 20],
      [0, 2, 50],
      [2, 0, 0],
      [2, 0, 0],
    ]);
    expect(r.staleReads).toBe(2);
    expect(r.maxVersionsBehind).toBe(2);
    expect(r.maxMsBehind).toBe(50);
    expect(r.meanVersionsBehind).toBe(0.75);
  });
});

describe("checkConvergence", () => {
  it("groups replicas by state", () => {
    expect(checkConvergence({ a: [1, 2], b: [1, 2] }).converged).toBe(true);
    const r = checkConvergence(
      new Map<string, number[]>([
        ["a", [1]],
        ["b", [2]],
        ["c", [2]],
      ]),
    );
    expect(r.converged).toBe(false);
    expect(r.groups.map((g) => g.replicas)).toEqual([["b", "c"], ["a"]]);
    expect(r.explanation).toContain("b, c hold [2]");
    const custom = checkConvergence(
      { a: "X", b: "x" },
      { equal: (p, q) => p.toLowerCase() === q.toLowerCase() },
    );
    expect(custom.converged).toBe(true);
    expect(() => checkConvergence({})).toThrow(CheckError);
  });
  test.prop([fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 10 })])(
    "converged iff all states are equal; groups partition the replicas",
    (states) => {
      const r = checkConvergence(new Map(states.map((s, i) => [i, s])));
      expect(r.converged).toBe(new Set(states).size === 1);
      expect(r.groups.flatMap((g) => g.replicas).sort((a, b) => Number(a) - Number(b))).toEqual(
        states.map((_, i) => i),
      );
    },
  );
});
