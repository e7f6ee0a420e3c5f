import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ShardCommand, type ShardOutcome, ShardStateMachine } from "../src/index.js";

const scheme = { kind: "range" } as const;
const op = (
  clientId: string,
  seq: number,
  key: string,
  value: string,
  asking = false,
  epoch: number | null = null,
): ShardCommand => ({
  type: "op",
  clientId,
  seq,
  epoch,
  asking,
  op: { kind: "append", key, value },
});
const get = (key: string): ShardCommand => ({
  type: "op",
  clientId: "r",
  seq: 0,
  epoch: null,
  asking: false,
  op: { kind: "get", key },
});
const outcome = (sm: ShardStateMachine, c: ShardCommand): ShardOutcome => {
  const r = sm.apply(c);
  if (r.kind !== "op") throw new Error("not an op result");
  return r.outcome;
};

describe("ShardStateMachine", () => {
  it("writes apply once per request id; stale config and wrong shard are refused", () => {
    const sm = new ShardStateMachine(scheme, [{ start: "", end: "m", epoch: 3 }]);
    expect(outcome(sm, op("c", 1, "a", "x"))).toEqual({ kind: "ok", value: "x" });
    expect(outcome(sm, op("c", 1, "a", "x"))).toEqual({ kind: "ok", value: "x" }); // retry: same outcome
    expect(outcome(sm, get("a"))).toMatchObject({ value: "x" });
    expect(outcome(sm, op("c", 2, "a", "y", false, 2))).toEqual({ kind: "stale-config", epoch: 3 });
    expect(outcome(sm, op("c", 3, "z", "y"))).toMatchObject({ kind: "wrong-shard" });
    expect(outcome(sm, op("c", 1, "a", "x"))).toEqual({ kind: "ok", value: "x" }); // refusals do not advance the session
    expect(outcome(sm, op("c", 4, "b", "w"))).toEqual({ kind: "ok", value: "w" });
    expect(outcome(sm, op("c", 1, "a", "x"))).toMatchObject({ kind: "stale-request", latestSeq: 4 });
    expect(
      outcome(sm, {
        type: "op",
        clientId: "c",
        seq: 9,
        epoch: null,
        asking: false,
        op: {
          kind: "mput",
          entries: [
            ["a", "1"],
            ["q", "2"],
          ],
        },
      }),
    ).toMatchObject({ kind: "cross-shard" });
    expect(outcome(sm, get("a"))).toMatchObject({ value: "x" });
  });

  it("cas compares and sets", () => {
    const sm = new ShardStateMachine(scheme, [{ start: "", end: null, epoch: 1 }]);
    const cas = (seq: number, expected: string | null, value: string): ShardCommand => ({
      type: "op",
      clientId: "c",
      seq,
      epoch: 1,
      asking: false,
      op: { kind: "cas", key: "k", expected, value },
    });
    expect(outcome(sm, cas(1, null, "a"))).toMatchObject({ swapped: true, value: "a" });
    expect(outcome(sm, cas(2, "b", "c"))).toMatchObject({ swapped: false, value: "a" });
    expect(outcome(sm, cas(3, "a", "c"))).toMatchObject({ swapped: true, value: "c" });
  });

  it("a frozen source cannot abort unless the target aborted; a final target refuses to abort", () => {
    const s = new ShardStateMachine(scheme, [{ start: "", end: null, epoch: 1 }]);
    const t = new ShardStateMachine(scheme, []);
    s.apply({ type: "mig-begin", id: "m1", start: "k", end: null, to: "t" });
    s.apply({ type: "mig-freeze", id: "m1" });
    expect(s.apply({ type: "mig-abort", id: "m1", targetAborted: false })).toMatchObject({
      refused: expect.any(String),
    });
    t.apply({ type: "in-begin", id: "m1", start: "k", end: null, from: "s" });
    t.apply({ type: "in-items", id: "m1", from: 0, items: [] });
    expect(t.apply({ type: "in-final", id: "m1", total: 0 })).toMatchObject({ final: true });
    expect(t.apply({ type: "in-abort", id: "m1" })).toMatchObject({ refused: "past the point of no return" });
    // a late begin after an abort cannot resurrect a migration
    const t2 = new ShardStateMachine(scheme, []);
    t2.apply({ type: "in-abort", id: "m2" });
    expect(t2.apply({ type: "in-begin", id: "m2", start: "k", end: null, from: "s" })).toMatchObject({
      refused: "aborted",
    });
  });

  /**
   * Model-based property: client appends interleaved with a migration of ["k", +inf) from S to T that may
   * commit or abort at any step, with retries of every request on the other shard. Afterwards each key is
   * owned by exactly one shard, its value is the model's (every acknowledged append once, in order), and
   * retried requests never applied twice.
   */
  it("migration interleaved with writes and retries: nothing lost, nothing doubled (property)", () => {
    const stepArb = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          t: fc.constant("write" as const),
          key: fc.constantFrom("a", "c", "k", "p", "x", "z"),
          retry: fc.boolean(),
        }),
      },
      { weight: 3, arbitrary: fc.record({ t: fc.constant("mig" as const) }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant("abort" as const) }) },
    );
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 80 }), fc.integer({ min: 1, max: 4 }), (steps, batch) => {
        const s = new ShardStateMachine(scheme, [{ start: "", end: null, epoch: 1 }]);
        const t = new ShardStateMachine(scheme, []);
        const model = new Map<string, string>();
        let seq = 0;
        // migration driver state: 0 none, 1 begun, 2 frozen, 3 final, 4 committed (done+activated), 5 aborted
        let phase = 0;
        let cursor = 0;
        const tryWrite = (sm: ShardStateMachine, c: ShardCommand) => outcome(sm, c);
        for (const st of steps) {
          if (st.t === "write") {
            seq++;
            const c = op("c1", seq, st.key, `${seq};`);
            let o = tryWrite(s, c);
            if (o.kind !== "ok") o = tryWrite(t, { ...c, asking: true } as ShardCommand);
            if (o.kind === "ok") {
              model.set(st.key, (model.get(st.key) ?? "") + `${seq};`);
              if (st.retry) {
                // The same request retried at both shards: same outcome, applied once.
                for (const sm of [s, t]) {
                  const again = tryWrite(sm, { ...c, asking: true } as ShardCommand);
                  if (again.kind === "ok") expect(again).toEqual(o);
                }
              }
            }
          } else if (st.t === "abort") {
            if (phase === 1 || phase === 2) {
              const r = t.apply({ type: "in-abort", id: "m" });
              if (r.kind === "migration" && r.refused === null) {
                s.apply({ type: "mig-abort", id: "m", targetAborted: true });
                phase = 5;
              }
            }
          } else if (phase === 0) {
            s.apply({ type: "mig-begin", id: "m", start: "k", end: null, to: "t" });
            t.apply({ type: "in-begin", id: "m", start: "k", end: null, from: "s" });
            phase = 1;
            cursor = 0;
          } else if (phase === 1 || phase === 2) {
            const out = s.outgoingMigrations()[0]!;
            if (cursor < out.items.length) {
              const r = t.apply({
                type: "in-items",
                id: "m",
                from: cursor,
                items: out.items.slice(cursor, cursor + batch),
              });
              if (r.kind === "migration") cursor = r.cursor;
            } else if (phase === 1) {
              s.apply({ type: "mig-freeze", id: "m" });
              phase = 2;
            } else {
              const r = t.apply({ type: "in-final", id: "m", total: out.items.length });
              if (r.kind === "migration" && r.final) phase = 3;
            }
          } else if (phase === 3) {
            s.apply({ type: "mig-done", id: "m", epoch: 2 });
            t.apply({ type: "in-activate", id: "m", epoch: 2 });
            phase = 4;
          }
        }
        // Every key is owned by exactly one shard, and its value is the model's.
        for (const key of ["a", "c", "k", "p", "x", "z"]) {
          const fromS = outcome(s, get(key));
          const fromT = outcome(t, get(key));
          const owners = [fromS, fromT].filter((o) => o.kind === "ok");
          if (phase === 2 || phase === 3) {
            if (key >= "k") {
              expect(fromS.kind).toBe("migrating");
              continue;
            }
          }
          expect(owners).toHaveLength(1);
          expect(owners[0]).toMatchObject({ value: model.get(key) ?? null });
        }
      }),
      { numRuns: 300 },
    );
  });
});
