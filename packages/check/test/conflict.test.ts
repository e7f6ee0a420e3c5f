import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { checkLinearizable, HistoryRecorder, type Operation, registerModel } from "../src/index.js";
import { readData } from "./porcupine-data.js";
import { parseHistory } from "../src/index.js";

describe("LinearizabilityFailure.conflict: the few operations that make the failing one impossible", () => {
  it("names the write a stale read saw and the write that made it stale, not the 40 other operations", () => {
    const h = new HistoryRecorder();
    let t = 0;
    // 20 clean write/read pairs on their own processes, then write 100, then a read of the old value.
    for (let i = 0; i < 20; i++) {
      h.ok(h.invoke(`w${i}`, "write", i, t), undefined, t + 1);
      h.ok(h.invoke(`r${i}`, "read", null, t + 2), i, t + 3);
      t += 4;
    }
    const w = h.invoke("writer", "write", 100, t);
    h.ok(w, undefined, t + 1);
    h.ok(h.invoke("reader", "read", null, t + 2), 19, t + 3);
    const r = checkLinearizable(h.history(), registerModel());
    expect(r.verdict).toBe("not-linearizable");
    if (r.verdict !== "not-linearizable") return;
    const f = r.failures[0]!;
    expect(f.operation.process).toBe("reader");
    expect(f.longestPrefix.length).toBe(41);
    expect(f.conflict?.map((o) => o.process)).toEqual(["w19", "writer"]);
    expect(f.conflictMinimal).toBe(true);
    expect(r.explanation).not.toContain("op 3 ");
  });

  it("can be skipped with conflictSteps: 0", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "read", null, 0), 1, 1);
    const r = checkLinearizable(h.history(), registerModel(), { conflictSteps: 0 });
    if (r.verdict !== "not-linearizable") throw new Error(r.verdict);
    expect(r.failures[0]!.conflict).toBeUndefined();
    const s = checkLinearizable(h.history(), registerModel());
    if (s.verdict !== "not-linearizable") throw new Error(s.verdict);
    expect(s.failures[0]!.conflict).toEqual([]); // impossible on its own
    expect(s.explanation).toContain("impossible on its own");
  });

  /** Is the sub-history linearizable? (the checker itself, on the subset) */
  const linearizable = (ops: readonly Operation[]) =>
    checkLinearizable(
      ops.map((o, id) => ({ ...o, id })),
      registerModel(),
      { conflictSteps: 0 },
    ).verdict === "linearizable";
  /** Is `blocked` possible when every other operation of the set may or may not take effect? */
  const supported = (ops: readonly Operation[], blocked: Operation) =>
    linearizable(
      ops.map((o) =>
        o === blocked ? o : { ...o, status: "info", output: undefined, returnMs: Number.POSITIVE_INFINITY },
      ),
    );
  /** The conflict set is genuine and each of its operations is needed. */
  const expectGenuineAndMinimal = (
    core: readonly Operation[],
    f: { operation: Operation; conflict?: readonly Operation[] | undefined },
    what: string,
  ) => {
    const without = (set: readonly Operation[]) => set.filter((o) => o !== f.operation);
    expect(linearizable(core), what).toBe(false);
    expect(linearizable(without(core)), what).toBe(true);
    expect(supported(core, f.operation), what).toBe(true);
    for (const drop of f.conflict!) {
      const rest = core.filter((o) => o !== drop);
      const needed = linearizable(rest) || !supported(rest, f.operation) || !linearizable(without(rest));
      expect(needed, `${what}: op ${drop.id} is needed`).toBe(true);
    }
  };

  it("on Porcupine's non-linearizable etcd histories: a genuine, 1-minimal conflicting set", () => {
    for (const file of ["jepsen/etcd_000.log", "jepsen/etcd_001.log", "jepsen/etcd_003.log"]) {
      const history = parseHistory(readData(file));
      const r = checkLinearizable(history, registerModel());
      if (r.verdict !== "not-linearizable") continue;
      const f = r.failures[0]!;
      const core = [...f.conflict!, f.operation].sort((a, b) => a.id - b.id);
      expect(f.conflictMinimal, file).toBe(true);
      expectGenuineAndMinimal(core, f, file);
      expect(core.length, file).toBeLessThan(10);
    }
  });

  test.prop(
    [
      fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), {
        minLength: 1,
        maxLength: 8,
      }),
    ],
    {
      numRuns: 150,
    },
  )("on random register histories the conflicting set is genuine and 1-minimal", (spec) => {
    // Sequential-ish writes and reads with overlapping intervals and arbitrary read results.
    const h = new HistoryRecorder();
    spec.forEach(([kind, v], i) => {
      const op = h.invoke(i, kind === 0 ? "write" : "read", kind === 0 ? v : null, i * 2);
      h.ok(op, kind === 0 ? undefined : v === 0 ? null : v, i * 2 + 3);
    });
    const r = checkLinearizable(h.history(), registerModel());
    if (r.verdict !== "not-linearizable") return;
    const f = r.failures[0]!;
    if (f.conflict === undefined) {
      // Not found only when the rest has violations of its own, even before the failing op returned.
      const rest = h.history().filter((o) => o !== f.operation);
      expect(linearizable(rest)).toBe(false);
      expect(linearizable(rest.filter((o) => o.callMs <= f.operation.returnMs))).toBe(false);
      return;
    }
    const core = [...f.conflict!, f.operation].sort((a, b) => a.id - b.id);
    expect(f.conflictMinimal).toBe(true);
    if (f.conflict!.length === 0) {
      expect(supported([f.operation], f.operation)).toBe(false); // impossible on its own
      return;
    }
    expectGenuineAndMinimal(core, f, "random history");
  });
});
