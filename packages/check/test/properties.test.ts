import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import {
  checkLinearizable,
  checkSequentialConsistency,
  counterModel,
  type History,
  kvModel,
  type Model,
  type Operation,
  queueModel,
  registerModel,
} from "../src/index.js";
import { atomicHistory, counterImpl, kvImpl, plannedOps, queueImpl, registerImpl } from "./generators.js";
import { validateLinearization } from "./helpers.js";

function expectLinearizable<S>(history: History, model: Model<S>): void {
  const r = checkLinearizable(history, model, { allowEmpty: true });
  expect(r.verdict).toBe("linearizable");
  for (const p of r.partitions) {
    const idx = new Map(p.operationIds.map((id, i) => [id, i]));
    const local = p.operationIds.map((id, i) => ({ ...history[id]!, id: i }));
    const order = p.linearization.map((id) => idx.get(id)!);
    const definite = local.filter((o) => o.status !== "info").length;
    expect(order.length).toBeGreaterThanOrEqual(definite);
    expect(validateLinearization(local, model, order)).toBeUndefined();
  }
}

describe("histories executed atomically in real-time order are linearizable", () => {
  test.prop([plannedOps(40, 5)], { numRuns: 150 })("register read/write/cas", (plan) => {
    expectLinearizable(atomicHistory(plan, registerImpl(true)), registerModel());
  });
  test.prop([plannedOps(60, 6, 3)], { numRuns: 100 })("kv get/put/append over 3 keys", (plan) => {
    const h = atomicHistory(plan, kvImpl());
    expectLinearizable(h, kvModel());
    expect(checkLinearizable(h, kvModel({ partitioned: false }), { allowEmpty: true }).verdict).toBe(
      "linearizable",
    );
  });
  test.prop([plannedOps(30, 4)], { numRuns: 100 })("FIFO queue", (plan) => {
    expectLinearizable(atomicHistory(plan, queueImpl()), queueModel());
  });
  test.prop([plannedOps(30, 4)], { numRuns: 100 })("counter", (plan) => {
    expectLinearizable(atomicHistory(plan, counterImpl()), counterModel());
  });
});

/** Makes an ok read return a value that had been overwritten before the read began. */
function injectStaleRead(history: History): History {
  const writes = history.filter((o) => o.f === "write" && o.status === "ok");
  for (const r of history) {
    if (r.f !== "read" || r.status !== "ok") continue;
    for (const w1 of writes) {
      const overwritten = writes.some(
        (w2) => w2 !== w1 && w1.returnMs < w2.callMs && w2.returnMs < r.callMs && w2.input !== w1.input,
      );
      if (overwritten) return history.map((o) => (o.id === r.id ? { ...o, output: w1.input } : o));
    }
  }
  // No such triple: append one (two sequential writes, then a read of the first value).
  const t = Math.max(0, ...history.map((o) => (Number.isFinite(o.returnMs) ? o.returnMs : o.callMs))) + 1;
  const mk = (
    id: number,
    process: number,
    f: string,
    input: unknown,
    output: unknown,
    at: number,
  ): Operation => ({
    id,
    process,
    f,
    input,
    output,
    status: "ok",
    callMs: at,
    returnMs: at + 1,
  });
  const n = history.length;
  return [
    ...history,
    mk(n, 100, "write", -1, undefined, t),
    mk(n + 1, 101, "write", -2, undefined, t + 2),
    mk(n + 2, 102, "read", null, -1, t + 4),
  ];
}

describe("violations are caught", () => {
  test.prop([plannedOps(40, 5)], { numRuns: 150 })("an injected stale read is not linearizable", (plan) => {
    const h = injectStaleRead(atomicHistory(plan, registerImpl(false)));
    const r = checkLinearizable(h, registerModel(), { allowEmpty: true });
    expect(r.verdict).toBe("not-linearizable");
    if (r.verdict === "not-linearizable") {
      expect(
        validateLinearization(
          h,
          registerModel(),
          r.failures[0]!.longestPrefix.map((o) => o.id),
        ),
      ).toBeUndefined();
    }
  });

  test.prop([fc.integer({ min: 1, max: 8 })], { numRuns: 30 })(
    "a stale read by another process: sequentially consistent, not linearizable (real time matters)",
    (k) => {
      const ops: Operation[] = [];
      for (let i = 0; i < k; i++) {
        ops.push({
          id: i,
          process: 0,
          f: "write",
          input: i + 1,
          output: undefined,
          status: "ok",
          callMs: 2 * i,
          returnMs: 2 * i + 1,
        });
      }
      ops.push({
        id: k,
        process: 1,
        f: "read",
        input: null,
        output: k - 1 === 0 ? null : k - 1,
        status: "ok",
        callMs: 2 * k,
        returnMs: 2 * k + 1,
      });
      expect(checkLinearizable(ops, registerModel(), { allowEmpty: true }).verdict).toBe("not-linearizable");
      expect(checkSequentialConsistency(ops, registerModel()).verdict).toBe("sequentially-consistent");
    },
  );
});

describe("results do not depend on partition order", () => {
  const keyNames = ["a", "b", "c", "d"];
  const rename = (h: History, perm: readonly number[]): History =>
    h.map((o) => {
      const input = o.input as { key: string; value: unknown };
      const k = keyNames.indexOf(input.key.slice(1) === "" ? "a" : keyNames[Number(input.key.slice(1))]!);
      return { ...o, input: { ...input, key: keyNames[perm[k]!]! } };
    });
  test.prop([plannedOps(50, 5, 4), fc.boolean(), fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4 })], {
    numRuns: 80,
  })(
    "renaming keys (which reorders partitions) keeps the verdict and the failing keys",
    (plan, stale, perm) => {
      let h = atomicHistory(plan, kvImpl());
      if (stale) {
        // corrupt the last get of some key to an impossible value
        const g = [...h].reverse().find((o) => o.f === "get" && o.status === "ok");
        if (g !== undefined) h = h.map((o) => (o === g ? { ...o, output: "never-written" } : o));
      }
      const base = rename(h, [0, 1, 2, 3]);
      const renamed = rename(h, perm);
      const a = checkLinearizable(base, kvModel(), { allowEmpty: true });
      const b = checkLinearizable(renamed, kvModel(), { allowEmpty: true });
      expect(b.verdict).toBe(a.verdict);
      const failing = (r: typeof a, map: (k: string) => string) =>
        r.partitions
          .filter((p) => p.verdict === "not-linearizable")
          .map((p) => map(String(p.key)))
          .sort();
      const back = (k: string) => keyNames[perm.indexOf(keyNames.indexOf(k))]!;
      expect(failing(b, back)).toEqual(failing(a, (k) => k));
      expect(checkLinearizable(base, kvModel({ partitioned: false }), { allowEmpty: true }).verdict).toBe(
        a.verdict,
      );
    },
  );
});

describe("determinism", () => {
  test.prop([plannedOps(30, 5)], { numRuns: 40 })(
    "the same history and budget give the same result",
    (plan) => {
      const h = injectStaleRead(atomicHistory(plan, registerImpl(true)));
      expect(checkLinearizable(h, registerModel(), { maxSteps: 200, allowEmpty: true })).toEqual(
        checkLinearizable(h, registerModel(), { maxSteps: 200, allowEmpty: true }),
      );
    },
  );
});
