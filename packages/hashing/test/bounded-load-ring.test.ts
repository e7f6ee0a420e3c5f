import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  BoundedLoadRing,
  HashingError,
  HashRing,
  loadReportFromCounts,
  planRebalance,
} from "../src/index.js";
import { expectPlanExact, keys, memberIds } from "./helpers.js";

describe("BoundedLoadRing (consistent hashing with bounded loads)", () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 6 }),
      fc.constantFrom(0.05, 0.1, 0.25, 1),
      fc.integer({ min: 1, max: 50 }),
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 400 })), { minLength: 1, maxLength: 600 }),
    ],
    { numRuns: 40 },
  )("no assignment ever takes a member past ceil((1 + eps) m w / W)", (n, epsilon, vnodes, ops) => {
    const ring = BoundedLoadRing.create(
      memberIds(n).map((id, i) => ({ id, weight: 1 + (i % 2) })),
      { epsilon, vnodesPerWeight: vnodes },
    );
    for (const [isAssign, k] of ops) {
      const key = `k${k}`;
      if (isAssign) {
        const already = ring.ownerOf(key);
        const predicted = ring.locate(key);
        const owner = ring.assign(key);
        expect(owner).toBe(predicted);
        if (already === undefined) {
          expect(ring.loads().get(owner)!).toBeLessThanOrEqual(ring.capacity(owner, ring.assignedCount));
        } else expect(owner).toBe(already);
      } else {
        const had = ring.ownerOf(key) !== undefined;
        expect(ring.release(key)).toBe(had);
      }
      let total = 0;
      for (const c of ring.loads().values()) total += c;
      expect(total).toBe(ring.assignedCount);
    }
  });

  it("caps the load even when the ring itself is badly unbalanced", () => {
    // One point per member: the plain ring gives some member far more than its share.
    const members = memberIds(8);
    const plain = HashRing.create(members, { vnodesPerWeight: 1 });
    const bounded = BoundedLoadRing.create(members, { vnodesPerWeight: 1, epsilon: 0.1 });
    const ks = keys(4000);
    const plainCounts = new Map<string, number>();
    for (const k of ks) {
      const o = plain.locate(k);
      plainCounts.set(o, (plainCounts.get(o) ?? 0) + 1);
      bounded.assign(k);
    }
    const cap = Math.ceil((1.1 * ks.length) / members.length);
    expect(loadReportFromCounts(plain.members(), plainCounts).max).toBeGreaterThan(cap);
    const report = loadReportFromCounts(bounded.members(), bounded.loads());
    expect(report.max).toBeLessThanOrEqual(cap);
    expect(report.keyCount).toBe(ks.length);
  });

  it("keeps its keys on membership changes, moving few, and plans exactly the keys that move", () => {
    const ks = keys(3000);
    const ring = BoundedLoadRing.create(memberIds(6), { epsilon: 0.25 });
    for (const k of ks) ring.assign(k);
    const grown = ring.withMember("node-new");
    expect(grown.assignedCount).toBe(ks.length);
    expect(ring.has("node-new")).toBe(false);
    expect(ring.assignedCount).toBe(ks.length);
    let moved = 0;
    for (const k of ks) if (ring.locate(k) !== grown.locate(k)) moved++;
    // The ideal is 1/7 of the keys; bounded loads cascade a little more, far from mod-N's 6/7.
    expect(moved / ks.length).toBeGreaterThan(0.1);
    expect(moved / ks.length).toBeLessThan(0.35);
    const plan = planRebalance(ring, grown);
    expect(plan.movedShare).toBeCloseTo(moved / ks.length, 10);
    expectPlanExact(ring, grown, ks.slice(0, 500));
    const shrunk = grown.withoutMember("node-2");
    expect(shrunk.loads().has("node-2")).toBe(false);
    for (const [id, load] of shrunk.loads()) expect(load).toBeLessThanOrEqual(shrunk.capacity(id));
  });

  it("rejects bad options with typed errors", () => {
    for (const epsilon of [0, -0.5, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(() => BoundedLoadRing.create(["a"], { epsilon })).toThrow(HashingError);
    }
    expect(() => BoundedLoadRing.create(["a"], { vnodesPerWeight: 0 })).toThrow(HashingError);
    const ring = BoundedLoadRing.create(["a", "b"]);
    expect(() => ring.capacity("zz")).toThrow(HashingError);
    expect(() => ring.capacity("a", -1)).toThrow(HashingError);
    expect(() => planRebalance(ring, BoundedLoadRing.create(["a"], { seed: 9 }))).toThrow(HashingError);
  });
});
