import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Crdt } from "../src/index.js";
import { join, REPLICAS, runSteps, type Spec, seededShuffle, stepArb } from "./harness.js";
import * as specs from "./specs.js";

const NUM_RUNS = 60;

function lawSuite<C extends Crdt<C, unknown>>(spec: Spec<C>): void {
  describe(`${spec.name} laws`, () => {
    const history = fc.array(stepArb(spec), { maxLength: 24 });
    const longHistory = fc.array(stepArb(spec), { maxLength: 40 });

    it("merge is commutative, associative, idempotent and inflationary", () => {
      fc.assert(
        // a, b, c: three replicas of one run (they may have merged each other's states on the way);
        // dots are unique per replica within a run, as the types require.
        fc.property(longHistory, (h) => {
          const [a, b, c] = runSteps(spec, h).states as [C, C, C];
          expect(join(a, b).equals(join(b, a))).toBe(true);
          expect(join(join(a, b), c).equals(join(a, join(b, c)))).toBe(true);
          expect(join(a, a).equals(a)).toBe(true);
          const ab = join(a, b);
          expect(a.leq(ab)).toBe(true);
          expect(b.leq(ab)).toBe(true);
          // leq agrees with the join: a <= b iff a join b == b
          expect(a.leq(b)).toBe(join(a, b).equals(b));
          expect(JSON.stringify(join(a, b).value())).toBe(JSON.stringify(join(b, a).value()));
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it("replicas sharing states through merges stay consistent with each other", () => {
      fc.assert(
        fc.property(history, (h) => {
          const { states } = runSteps(spec, h);
          const all = states.reduce((acc, s) => acc.merge(s), spec.create("x"));
          for (const s of states) expect(s.leq(all)).toBe(true);
          const other = [...states].reverse().reduce((acc, s) => acc.merge(s), spec.create("y"));
          expect(other.equals(all)).toBe(true);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it("applying deltas equals the full mutation, however deltas are grouped and ordered", () => {
      fc.assert(
        fc.property(
          history,
          fc.array(spec.op, { minLength: 1, maxLength: 12 }),
          fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
          fc.nat(),
          (h, ops, cuts, seed) => {
            const base = runSteps(spec, h).states[0] as C;
            const start = base.clone();
            const deltas = ops.map((o) => o.apply(base));
            // group consecutive deltas (join inside a group), then deliver groups in a shuffled order
            const groups: C[] = [];
            let cur: C | undefined;
            deltas.forEach((d, i) => {
              cur = cur === undefined ? d.clone() : cur.merge(d);
              if (cuts[i] === true || i === deltas.length - 1) {
                groups.push(cur);
                cur = undefined;
              }
            });
            const viaDeltas = start.clone();
            for (const g of seededShuffle(groups, seed)) viaDeltas.merge(g);
            expect(viaDeltas.equals(base)).toBe(true);
            // a replica that only ever saw the base state reaches the same state from the deltas alone
            const remote = spec.create("remote").merge(start);
            for (const d of seededShuffle(deltas, seed + 1)) remote.merge(d);
            expect(remote.equals(base)).toBe(true);
            expect(JSON.stringify(remote.value())).toBe(JSON.stringify(base.value()));
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });

    it("encode/decode round-trips and decode rejects corrupted input", () => {
      fc.assert(
        fc.property(history, fc.nat(), fc.integer({ min: 1, max: 255 }), (h, pos, flip) => {
          for (const s of runSteps(spec, h).states) {
            const bytes = s.encode();
            const back = spec.decode(bytes, REPLICAS[1]);
            expect(back.equals(s)).toBe(true);
            expect(JSON.stringify(back.value())).toBe(JSON.stringify(s.value()));
            expect(back.encode()).toEqual(bytes);
            // truncation is always rejected
            expect(() => spec.decode(bytes.subarray(0, bytes.length - 1), "x")).toThrowError(
              expect.objectContaining({ code: "decode-error" }),
            );
            // a flipped byte is either rejected with decode-error or decodes to a well-formed state
            const bad = bytes.slice();
            const i = pos % bad.length;
            bad[i] = (bad[i] as number) ^ flip;
            try {
              const d = spec.decode(bad, "x");
              d.value();
              expect(d.equals(d.clone())).toBe(true);
            } catch (e) {
              expect((e as { code?: string }).code).toBe("decode-error");
            }
          }
        }),
        { numRuns: Math.ceil(NUM_RUNS / 2) },
      );
    });
  });
}

for (const spec of Object.values(specs)) lawSuite(spec as Spec<never>);
