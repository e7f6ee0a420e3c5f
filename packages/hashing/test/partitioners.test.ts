import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { HashingError, type MemberInput, movement, type Partitioner, planRebalance } from "../src/index.js";
import { expectPlanExact, families, keys, memberIds } from "./helpers.js";

const sampleKeys = keys(300, "sample");

const membership = fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 2, maxLength: 7 });

for (const family of families) {
  describe(`${family.name}: the Partitioner contract`, () => {
    const weight = (i: number) => (family.integerWeights ? 1 + (i % 3) : 0.5 + (i % 4) * 0.5);
    const inputs = (ids: readonly number[]): MemberInput[] =>
      ids.map((i) => ({ id: `m${i}`, weight: weight(i) }));

    test.prop([membership], { numRuns: 15 })("is deterministic: same members, same mapping", (ids) => {
      const a = family.create(inputs(ids));
      const b = family.create(inputs(ids));
      const shuffled = family.create(inputs([...ids].reverse()));
      for (const k of sampleKeys.slice(0, 100)) {
        expect(b.locate(k)).toBe(a.locate(k));
        if (!family.ordered) expect(shuffled.locate(k)).toBe(a.locate(k));
      }
    });

    test.prop([membership, fc.integer({ min: 1, max: 7 })], { numRuns: 15 })(
      "preference lists are n distinct members, the owner first",
      (ids, wanted) => {
        const p = family.create(inputs(ids));
        const n = Math.min(wanted, ids.length);
        const memberSet = new Set(p.members().map((m) => m.id));
        for (const k of sampleKeys.slice(0, 60)) {
          const list = p.preferenceList(k, n);
          expect(list.length).toBe(n);
          expect(new Set(list).size).toBe(n);
          expect(list[0]).toBe(p.locate(k));
          for (const id of list) expect(memberSet.has(id)).toBe(true);
        }
      },
    );

    test.prop(
      [
        membership,
        fc.oneof(
          fc.record({ op: fc.constant("add" as const), id: fc.integer({ min: 41, max: 60 }) }),
          fc.record({ op: fc.constant("remove" as const), index: fc.nat() }),
          fc.record({
            op: fc.constant("weight" as const),
            index: fc.nat(),
            weight: fc.integer({ min: 1, max: 4 }),
          }),
        ),
      ],
      { numRuns: 20 },
    )("a rebalancing plan applied to the old mapping gives exactly the new one", (ids, change) => {
      const before = family.create(inputs(ids));
      let after: Partitioner;
      if (change.op === "add") after = before.withMember({ id: `m${change.id}`, weight: weight(change.id) });
      else if (change.op === "remove") after = before.withoutMember(`m${ids[change.index % ids.length]}`);
      else after = before.withWeight(`m${ids[change.index % ids.length]}`, change.weight);
      expectPlanExact(before, after, sampleKeys.slice(0, 150));
    });

    it("is immutable: membership changes return new partitioners", () => {
      const p = family.create(memberIds(4));
      const owners = sampleKeys.map((k) => p.locate(k));
      p.withMember("node-9");
      p.withoutMember("node-1");
      p.withWeight("node-2", 2);
      expect(sampleKeys.map((k) => p.locate(k))).toEqual(owners);
      expect(p.size).toBe(4);
      expect(p.has("node-9")).toBe(false);
      expect(p.withMember("node-9").has("node-9")).toBe(true);
    });

    const moveKeys = keys(4000);
    test.prop([fc.integer({ min: 2, max: 12 }), fc.integer({ min: 0, max: 1000 })], { numRuns: 8 })(
      "adding a member moves a fraction within bounds of the ideal 1/(n + 1) (only to it when monotone)",
      (n, salt) => {
        const before = family.create(memberIds(n).map((id) => `${id}-${salt}`));
        const after = before.withMember(`newcomer-${salt}`);
        const report = movement(before, after, moveKeys);
        expect(report.idealFraction).toBeCloseTo(1 / (n + 1), 10);
        if (family.monotoneAdd) {
          for (const k of moveKeys) {
            const to = after.locate(k);
            if (to !== before.locate(k)) expect(to).toBe(`newcomer-${salt}`);
          }
        }
        if (family.addExcessBound !== null) {
          expect(report.movedFraction).toBeLessThanOrEqual(report.idealFraction * family.addExcessBound);
          expect(report.movedFraction).toBeGreaterThan(report.idealFraction * 0.5);
        } else {
          // The baseline: hash mod N moves about n/(n + 1) of the keys.
          expect(report.movedFraction).toBeGreaterThan(0.55);
        }
      },
    );

    it("rejects bad input with typed errors", () => {
      const code = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          expect(e).toBeInstanceOf(HashingError);
          return (e as HashingError).code;
        }
        return "no error";
      };
      expect(code(() => family.create([]))).toBe("empty-membership");
      expect(code(() => family.create(["a", "b", "a"]))).toBe("duplicate-member");
      expect(code(() => family.create(["a", ""]))).toBe("invalid-member-id");
      expect(code(() => family.create([{ id: "a", weight: 0 }]))).toBe("invalid-weight");
      expect(code(() => family.create([{ id: "a", weight: -1 }]))).toBe("invalid-weight");
      expect(code(() => family.create([{ id: "a", weight: Number.NaN }]))).toBe("invalid-weight");
      const p = family.create(["a", "b", "c"]);
      expect(code(() => p.preferenceList("k", 4))).toBe("too-many-replicas");
      expect(code(() => p.preferenceList("k", 0))).toBe("invalid-argument");
      expect(code(() => p.withMember("a"))).toBe("duplicate-member");
      expect(code(() => p.withoutMember("zz"))).toBe("unknown-member");
      expect(code(() => p.withWeight("a", 0))).toBe("invalid-weight");
      expect(code(() => p.withWeight("zz", 1))).toBe("unknown-member");
      expect(code(() => family.create(["solo"]).withoutMember("solo"))).toBe("empty-membership");
      expect(code(() => p.locate(42 as unknown as string))).toBe("invalid-key");
      const other = families.find(
        (f) => f.name !== family.name && f.name !== "slots-riak" && f.name !== "slots-redis",
      )!;
      if (other.create(["a"]).kind !== p.kind) {
        expect(code(() => planRebalance(p, other.create(["a", "b"])))).toBe("kind-mismatch");
      }
      if (family.integerWeights)
        expect(code(() => family.create([{ id: "a", weight: 1.5 }]))).toBe("invalid-weight");
    });

    it("gives heavier members proportionally more keys", () => {
      const p = family.create([
        { id: "light", weight: 1 },
        { id: "heavy", weight: 3 },
      ]);
      let heavy = 0;
      const ks = keys(4000);
      for (const k of ks) if (p.locate(k) === "heavy") heavy++;
      expect(heavy / ks.length).toBeGreaterThan(0.65);
      expect(heavy / ks.length).toBeLessThan(0.85);
    });
  });
}
