import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  type KvCommand,
  KvStateMachine,
  type KvWriteOperation,
  RaftError,
  validateKvOperation,
} from "../src/index.js";

const key = fc.constantFrom("a", "b", "c");
const value = fc.string({ maxLength: 3 });
const writeOp: fc.Arbitrary<KvWriteOperation> = fc.oneof(
  fc.record({ kind: fc.constant("put" as const), key, value }),
  fc.record({ kind: fc.constant("append" as const), key, value }),
  fc.record({ kind: fc.constant("cas" as const), key, expected: fc.option(value, { nil: null }), value }),
  fc.record({ kind: fc.constant("delete" as const), key }),
);
/** A client's commands, each possibly retried (duplicated) later, with stale retries mixed in. */
const commandsWithRetries = fc
  .array(fc.tuple(fc.constantFrom("c1", "c2", "c3"), writeOp), { maxLength: 40 })
  .chain((ops) => {
    const seqs = new Map<string, number>();
    const cmds: KvCommand[] = ops.map(([clientId, op]) => {
      const seq = (seqs.get(clientId) ?? 0) + 1;
      seqs.set(clientId, seq);
      return { clientId, seq, op };
    });
    return fc.tuple(
      fc.constant(cmds),
      fc.array(fc.nat({ max: 3 }), { minLength: cmds.length, maxLength: cmds.length }),
    );
  });

describe("KvStateMachine", () => {
  test.prop([commandsWithRetries], { numRuns: 200 })(
    "retried commands apply exactly once and return the first outcome",
    ([cmds, retries]) => {
      const once = new KvStateMachine();
      const outcomes = cmds.map((c) => once.apply(c));
      const retried = new KvStateMachine();
      cmds.forEach((c, i) => {
        const first = retried.apply(c);
        expect(first).toEqual(outcomes[i]);
        // Immediate retries (the client did not get the answer) return the recorded outcome.
        for (let r = 0; r < retries[i]!; r++) expect(retried.apply(c)).toEqual(outcomes[i]);
      });
      // Late retries of older commands change nothing.
      for (const c of cmds) retried.apply(c);
      for (const k of ["a", "b", "c"]) expect(retried.get(k)).toBe(once.get(k));
      expect(retried.appliedWrites).toBe(cmds.length);
    },
  );

  test.prop([commandsWithRetries, fc.nat({ max: 40 })], { numRuns: 100 })(
    "a snapshot taken at any point restores an equivalent state machine",
    ([cmds], cut) => {
      const a = new KvStateMachine();
      const at = Math.min(cut, cmds.length);
      for (const c of cmds.slice(0, at)) a.apply(c);
      const b = KvStateMachine.fromSnapshot(JSON.parse(JSON.stringify(a.toSnapshot())));
      for (const c of cmds.slice(at)) expect(b.apply(c)).toEqual(a.apply(c));
      for (const c of cmds) expect(b.apply(c)).toEqual(a.apply(c));
      expect(b.toSnapshot()).toEqual(a.toSnapshot());
    },
  );

  it("executes put, append, cas and delete", () => {
    const kv = new KvStateMachine();
    let seq = 0;
    const run = (op: KvWriteOperation) => kv.apply({ clientId: "c", seq: ++seq, op });
    expect(run({ kind: "append", key: "x", value: "a" })).toEqual({ ok: true, value: "a" });
    expect(run({ kind: "append", key: "x", value: "b" })).toEqual({ ok: true, value: "ab" });
    expect(run({ kind: "cas", key: "x", expected: "zz", value: "c" })).toEqual({ ok: false, value: "ab" });
    expect(run({ kind: "cas", key: "x", expected: "ab", value: "c" })).toEqual({ ok: true, value: "c" });
    expect(run({ kind: "cas", key: "y", expected: null, value: "1" })).toEqual({ ok: true, value: "1" });
    expect(run({ kind: "put", key: "x", value: "p" })).toEqual({ ok: true, value: "p" });
    expect(run({ kind: "delete", key: "x" })).toEqual({ ok: true, value: "p" });
    expect(kv.get("x")).toBeNull();
    expect(kv.size).toBe(1);
  });

  it("evicts the least recently used session beyond its bound, deterministically", () => {
    const kv = new KvStateMachine(2);
    kv.apply({ clientId: "a", seq: 1, op: { kind: "put", key: "k", value: "1" } });
    kv.apply({ clientId: "b", seq: 1, op: { kind: "put", key: "k", value: "2" } });
    kv.apply({ clientId: "a", seq: 2, op: { kind: "put", key: "k", value: "3" } });
    kv.apply({ clientId: "c", seq: 1, op: { kind: "put", key: "k", value: "4" } }); // evicts b
    expect(kv.appliedOutcome("b", 1)).toBeUndefined();
    expect(kv.appliedOutcome("a", 2)).toEqual({ ok: true, value: "3" });
    expect(kv.toSnapshot().sessions.map((s) => s[0])).toEqual(["a", "c"]);
  });

  it("validates operations and snapshots with typed errors", () => {
    expect(() => validateKvOperation({ kind: "put", key: "x" })).toThrow(/value must be a string/);
    expect(() => validateKvOperation({ kind: "scan", key: "x" })).toThrow(RaftError);
    expect(() => validateKvOperation(null)).toThrow(/accepted/);
    expect(validateKvOperation({ kind: "get", key: "x" })).toEqual({ kind: "get", key: "x" });
    expect(() => KvStateMachine.fromSnapshot({ entries: [[1, 2]], sessions: [] })).toThrow(RaftError);
    expect(() => new KvStateMachine(0)).toThrow(/maxSessions/);
  });
});
