import { describe, expect, it } from "vitest";
import { HashingError, HashRing, loadReport, movement } from "../src/index.js";
import { keys } from "./helpers.js";

describe("HashRing", () => {
  const members = Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}:6379`);
  const ks = keys(20_000);

  it("vnode-count correction evens out the arcs that random positions leave uneven", () => {
    const plain = HashRing.create(members, { vnodesPerWeight: 160 });
    const balanced = HashRing.create(members, { vnodesPerWeight: 160, balanceRounds: 2 });
    const a = loadReport(plain, ks);
    const b = loadReport(balanced, ks);
    expect(b.maxOverMean).toBeLessThan(a.maxOverMean);
    expect(b.maxOverMean).toBeLessThan(1.1);
    expect(b.relativeStdDev).toBeLessThan(a.relativeStdDev);
    // The price: a change also shifts a few points of other members, so more than the ideal moves.
    const m = movement(balanced, balanced.withMember("10.0.0.11:6379"), ks);
    expect(m.excess).toBeGreaterThan(1);
    expect(m.excess).toBeLessThan(1.8);
  });

  it("gives each member round(vnodes x weight) points", () => {
    const ring = HashRing.create(["a", { id: "b", weight: 2.5 }, { id: "c", weight: 0.001 }], {
      vnodesPerWeight: 10,
    });
    expect(ring.pointCount).toBe(10 + 25 + 1);
    expect(ring.tableSizeBytes).toBeGreaterThan(36 * 6);
  });

  it("rejects bad options", () => {
    expect(() => HashRing.create(["a"], { balanceRounds: -1 })).toThrow(HashingError);
    expect(() => HashRing.create(["a"], { balanceRounds: 1.5 })).toThrow(HashingError);
    expect(() => HashRing.create(["a"], { vnodesPerWeight: 0 })).toThrow(HashingError);
    expect(() => HashRing.create(["a"], { seed: -1 })).toThrow(HashingError);
  });
});
