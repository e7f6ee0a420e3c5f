import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import {
  checkLinearizable,
  checkSequentialConsistency,
  type History,
  kvModel,
  type Model,
  type Operation,
  queueModel,
  registerModel,
} from "../src/index.js";

/**
 * A brute-force oracle: tries every order that respects real time (an operation can go next when
 * every operation that returned before its invocation is already placed); `info` operations may be
 * left out. Exponential: only for tiny histories.
 */
function bruteForce<S>(history: History, model: Model<S>): boolean {
  const n = history.length;
  const placed = new Array<boolean>(n).fill(false);
  const mustPlace = history.filter((o) => o.status !== "info").length;
  const go = (state: S, count: number): boolean => {
    if (count === mustPlace && history.every((o, i) => placed[i] || o.status === "info")) return true;
    for (let i = 0; i < n; i++) {
      if (placed[i]) continue;
      const op = history[i]!;
      if (history.some((x, j) => !placed[j] && j !== i && x.returnMs < op.callMs)) continue;
      for (const next of model.step(state, op)) {
        placed[i] = true;
        const ok = go(next, count + (op.status === "info" ? 0 : 1));
        placed[i] = false;
        if (ok) return true;
      }
    }
    return false;
  };
  return go(model.init(), 0);
}

/**
 * Brute-force sequential consistency: any interleaving that keeps each process's order of definite
 * operations (by invocation time); an `info` operation may be placed once the definite operations
 * its process invoked before it are placed, or never.
 */
function bruteForceSC<S>(history: History, model: Model<S>): boolean {
  const n = history.length;
  const placed = new Array<boolean>(n).fill(false);
  const eligible = (i: number): boolean => {
    const op = history[i]!;
    return history.every(
      (x, j) =>
        j === i ||
        placed[j] ||
        x.process !== op.process ||
        x.status === "info" ||
        x.callMs > op.callMs ||
        (x.callMs === op.callMs && j > i),
    );
  };
  const go = (state: S): boolean => {
    if (history.every((o, i) => placed[i] || o.status === "info")) return true;
    for (let i = 0; i < n; i++) {
      if (placed[i] || !eligible(i)) continue;
      for (const next of model.step(state, history[i]!)) {
        placed[i] = true;
        const ok = go(next);
        placed[i] = false;
        if (ok) return true;
      }
    }
    return false;
  };
  return go(model.init());
}

/** The model without its pruning hint (so the plain Wing-Gong-Lowe search runs). */
function withoutReadOnly<S>(m: Model<S>): Model<S> {
  const { isReadOnly: _drop, ...rest } = m;
  return rest;
}

const small = fc.integer({ min: 0, max: 2 });
const opArb = fc.record({
  process: fc.integer({ min: 0, max: 3 }),
  call: fc.integer({ min: 0, max: 12 }),
  dur: fc.integer({ min: 0, max: 6 }),
  kind: fc.integer({ min: 0, max: 9 }),
  a: small,
  b: small,
  status: fc.constantFrom("ok", "ok", "ok", "ok", "fail", "info"),
});

type RawOp = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

function registerHistory(raw: readonly RawOp[]): History {
  const sorted = [...raw].sort((x, y) => x.call - y.call);
  // A process runs one operation at a time: an operation that would overlap its process's previous
  // one (or follow an info one) runs under a fresh process id instead.
  const freeAt = new Map<number, number>();
  return sorted.map((r, id): Operation => {
    const end = r.status === "info" ? Number.POSITIVE_INFINITY : r.call + r.dur;
    const proc = (freeAt.get(r.process) ?? 0) <= r.call ? r.process : 100 + id;
    freeAt.set(proc, end);
    const status = r.status as Operation["status"];
    const f = r.kind < 4 ? "read" : r.kind < 7 ? "write" : "cas";
    const input = f === "read" ? null : f === "write" ? r.a : [r.a, r.b];
    const output =
      status !== "ok"
        ? undefined
        : f === "read"
          ? r.b === 0
            ? null
            : r.b
          : f === "cas"
            ? r.b !== 2
            : undefined;
    return {
      id,
      process: proc,
      f,
      input,
      output,
      status,
      callMs: r.call,
      returnMs: status === "info" ? Number.POSITIVE_INFINITY : r.call + r.dur,
    };
  });
}

describe("agreement with a brute-force oracle on tiny histories", () => {
  test.prop([fc.array(opArb, { maxLength: 7 })], { numRuns: 400 })(
    "register (read/write/cas, fail, info)",
    (raw) => {
      const h = registerHistory(raw);
      const expected = bruteForce(h, registerModel()) ? "linearizable" : "not-linearizable";
      expect(checkLinearizable(h, registerModel(), { allowEmpty: true }).verdict).toBe(expected);
      expect(checkLinearizable(h, withoutReadOnly(registerModel()), { allowEmpty: true }).verdict).toBe(
        expected,
      );
      const sc = bruteForceSC(h, registerModel()) ? "sequentially-consistent" : "not-sequentially-consistent";
      expect(checkSequentialConsistency(h, registerModel()).verdict).toBe(sc);
      expect(checkSequentialConsistency(h, withoutReadOnly(registerModel())).verdict).toBe(sc);
      // The Knossos convention for failed cas: the oracle agrees, and it is the weaker reading.
      const knossos = registerModel({ failedCas: "did-not-happen" });
      const expectedK = bruteForce(h, knossos) ? "linearizable" : "not-linearizable";
      expect(checkLinearizable(h, knossos, { allowEmpty: true }).verdict).toBe(expectedK);
      if (expected === "linearizable") expect(expectedK).toBe("linearizable");
    },
  );

  test.prop([fc.array(opArb, { maxLength: 7 })], { numRuns: 300 })(
    "kv (get/put/append over 2 keys)",
    (raw) => {
      const h: History = [...raw]
        .sort((x, y) => x.call - y.call)
        .map((r, id): Operation => {
          const status = r.status as Operation["status"];
          const f = r.kind < 4 ? "get" : r.kind < 6 ? "put" : "append";
          const key = r.a === 0 ? "x" : "y";
          const output = status === "ok" && f === "get" ? ["", "a", "ab"][r.b] : undefined;
          return {
            id,
            process: id, // one process per operation: processes run one operation at a time
            f,
            input: { key, value: f === "get" ? null : f === "put" ? "a" : "b" },
            output,
            status,
            callMs: r.call,
            returnMs: status === "info" ? Number.POSITIVE_INFINITY : r.call + r.dur,
          };
        });
      const expected = bruteForce(h, kvModel({ partitioned: false })) ? "linearizable" : "not-linearizable";
      expect(checkLinearizable(h, kvModel(), { allowEmpty: true }).verdict).toBe(expected);
      expect(checkLinearizable(h, kvModel({ partitioned: false }), { allowEmpty: true }).verdict).toBe(
        expected,
      );
      expect(checkLinearizable(h, withoutReadOnly(kvModel()), { allowEmpty: true }).verdict).toBe(expected);
    },
  );

  test.prop([fc.array(opArb, { maxLength: 7 })], { numRuns: 200 })("queue", (raw) => {
    const h: History = [...raw]
      .sort((x, y) => x.call - y.call)
      .map((r, id): Operation => {
        const status = r.status as Operation["status"];
        const f = r.kind < 5 ? "enqueue" : "dequeue";
        return {
          id,
          process: id, // one process per operation: processes run one operation at a time
          f,
          input: f === "enqueue" ? r.a : null,
          output: status === "ok" && f === "dequeue" ? (r.b === 2 ? null : r.b) : undefined,
          status,
          callMs: r.call,
          returnMs: status === "info" ? Number.POSITIVE_INFINITY : r.call + r.dur,
        };
      });
    const expected = bruteForce(h, queueModel()) ? "linearizable" : "not-linearizable";
    expect(checkLinearizable(h, queueModel(), { allowEmpty: true }).verdict).toBe(expected);
  });
});
