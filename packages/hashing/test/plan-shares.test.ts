import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { JumpHash, MaglevHash, planRebalance, RendezvousHash } from "../src/index.js";
import { keys, memberIds } from "./helpers.js";

describe("plan shares", () => {
  test.prop(
    [
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 8 }),
      fc.integer({ min: 1, max: 5 }),
      fc.nat(),
    ],
    { numRuns: 50 },
  )(
    "rendezvous: one change moves exactly the ideal share (the weighted race is exponential)",
    (weights, w, pick) => {
      const before = RendezvousHash.create(weights.map((weight, i) => ({ id: `m${i}`, weight })));
      const victim = `m${pick % weights.length}`;
      for (const after of [
        before.withMember({ id: "new", weight: w }),
        before.withoutMember(victim),
        before.withWeight(victim, w),
      ]) {
        const plan = planRebalance(before, after);
        expect(plan.movedShare!).toBeCloseTo(plan.idealShare, 12);
      }
    },
  );

  it("rendezvous: measured movement matches the plan's expected share", () => {
    const before = RendezvousHash.create([
      { id: "a", weight: 1 },
      { id: "b", weight: 2 },
      { id: "c", weight: 3 },
    ]);
    const after = before.withWeight("a", 4);
    const plan = planRebalance(before, after);
    const ks = keys(20_000);
    let moved = 0;
    for (const k of ks) if (before.locate(k) !== after.locate(k)) moved++;
    // Binomial noise on 20k keys: about 0.003.
    expect(Math.abs(moved / ks.length - plan.movedShare!)).toBeLessThan(0.015);
    expect(plan.moves.every((m) => m.to === "a")).toBe(true);
  });

  it("jump: adding moves 1/(n + 1); removing a middle member moves 1/n + (n - 2)/(n(n - 1))", () => {
    for (const n of [2, 5, 10]) {
      const jump = JumpHash.create(memberIds(n));
      expect(planRebalance(jump, jump.withMember("x")).movedShare!).toBeCloseTo(1 / (n + 1), 12);
      const removeMiddle = planRebalance(jump, jump.withoutMember("node-0")).movedShare!;
      expect(removeMiddle).toBeCloseTo(1 / n + (n - 2) / (n * (n - 1)), 12);
      expect(planRebalance(jump, jump.withoutMember(`node-${n - 1}`)).movedShare!).toBeCloseTo(1 / n, 12);
    }
  });

  it("Maglev: entries follow weights, and a plan lists whole table runs", () => {
    const maglev = MaglevHash.create(
      [
        { id: "a", weight: 1 },
        { id: "b", weight: 2 },
      ],
      { tableSize: 10007 },
    );
    let b = 0;
    for (let s = 0; s < maglev.tableSize; s++) if (maglev.entryOwner(s) === "b") b++;
    expect(Math.abs(b - (2 * maglev.tableSize) / 3)).toBeLessThanOrEqual(2);
    const plan = planRebalance(maglev, maglev.withWeight("a", 2));
    expect(plan.movedShare!).toBeGreaterThanOrEqual(plan.idealShare - 2 / maglev.tableSize);
    expect(plan.movedShare!).toBeLessThan(plan.idealShare * 2);
  });
});
