import { describe, expect, it } from "vitest";
import {
  HashingError,
  HashRing,
  idealMovedShare,
  JumpHash,
  loadReport,
  loadReportFromCounts,
  ModNPartitioner,
  movement,
  weightShares,
} from "../src/index.js";
import { keys, memberIds } from "./helpers.js";

describe("quality metrics", () => {
  it("summarizes counts: max/mean, standard deviation, weighted max", () => {
    const members = [
      { id: "a", weight: 1 },
      { id: "b", weight: 1 },
      { id: "c", weight: 2 },
    ];
    const r = loadReportFromCounts(
      members,
      new Map([
        ["a", 10],
        ["b", 30],
        ["c", 80],
      ]),
    );
    expect(r.keyCount).toBe(120);
    expect(r.mean).toBe(40);
    expect(r.max).toBe(80);
    expect(r.min).toBe(10);
    expect(r.maxOverMean).toBe(2);
    // Deviations -30, -10, 40: variance (900 + 100 + 1600) / 3.
    expect(r.stdDev).toBeCloseTo(Math.sqrt(2600 / 3), 12);
    expect(r.relativeStdDev).toBeCloseTo(Math.sqrt(2600 / 3) / 40, 12);
    // Expectations 30, 30, 60: b is at 1, c at 80/60.
    expect(r.maxOverExpected).toBeCloseTo(80 / 60, 12);
    expect(() => loadReportFromCounts(members, new Map())).toThrow(HashingError);
    expect(() => loadReportFromCounts(members, new Map([["zz", 1]]))).toThrow(HashingError);
  });

  it("ideal movement is the weight share that must change hands", () => {
    const three = memberIds(3).map((id) => ({ id, weight: 1 }));
    expect(idealMovedShare(three, [...three, { id: "x", weight: 1 }])).toBeCloseTo(1 / 4, 12);
    expect(idealMovedShare(three, three.slice(1))).toBeCloseTo(1 / 3, 12);
    expect(idealMovedShare(three, three)).toBe(0);
    expect(
      weightShares([
        { id: "a", weight: 1 },
        { id: "b", weight: 3 },
      ]).get("b"),
    ).toBe(0.75);
  });

  it("measures the baseline's disruption against consistent algorithms", () => {
    const ks = keys(5000);
    const modN = ModNPartitioner.create(memberIds(10));
    const jump = JumpHash.create(memberIds(10));
    const m1 = movement(modN, modN.withMember("x"), ks);
    const m2 = movement(jump, jump.withMember("x"), ks);
    expect(m1.idealFraction).toBeCloseTo(1 / 11, 12);
    expect(m1.excess).toBeGreaterThan(8);
    expect(m2.excess).toBeLessThan(1.25);
    expect(m1.keyCount).toBe(5000);
    expect(() => movement(modN, jump, [])).toThrow(HashingError);
  });

  it("load reports count every key once", () => {
    const ring = HashRing.create(memberIds(5));
    const r = loadReport(ring, keys(2000));
    expect([...r.perMember.values()].reduce((a, b) => a + b, 0)).toBe(2000);
    expect(r.perMember.size).toBe(5);
  });
});
