import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeededRandom, SimNetError, deriveSeed, fnv1a32 } from "../src/index.js";

describe("SeededRandom", () => {
  it("is reproducible and seed-sensitive", () => {
    const a = new SeededRandom(123);
    const b = new SeededRandom(123);
    const c = new SeededRandom(124);
    const xs = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 50 }, () => c.next())).not.toEqual(xs);
  });

  it("next is in [0, 1) and roughly uniform", () => {
    const r = new SeededRandom(5);
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      else buckets[Math.floor(x * 10)]!++;
    }
    expect(outside).toBe(0);
    for (const count of buckets) {
      expect(count).toBeGreaterThan(9_500);
      expect(count).toBeLessThan(10_500);
    }
  });

  it("int stays in range, chance respects its probability, pick picks members", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        (seed, min, width) => {
          const r = new SeededRandom(seed);
          const x = r.int(min, min + width);
          expect(Number.isInteger(x) && x >= min && x < min + width).toBe(true);
          expect(["a", "b"]).toContain(r.pick(["a", "b"]));
        },
      ),
      { numRuns: 200 },
    );
    const r = new SeededRandom(1);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) if (r.chance(0.3)) hits++;
    expect(hits).toBeGreaterThan(2800);
    expect(hits).toBeLessThan(3200);
    expect(r.chance(0)).toBe(false);
    expect(r.chance(1)).toBe(true);
  });

  it("rejects bad arguments", () => {
    const r = new SeededRandom(1);
    expect(() => r.int(5, 5)).toThrow(SimNetError);
    expect(() => r.int(0.5, 3)).toThrow(/safe integers/);
    expect(() => r.chance(1.5)).toThrow(/probability in \[0, 1\]/);
    expect(() => r.chance(Number.NaN)).toThrow(SimNetError);
    expect(() => r.pick([])).toThrow(/non-empty/);
    expect(() => new SeededRandom(1.5)).toThrow(/safe integer/);
  });

  it("derived stream seeds differ by name and by seed", () => {
    expect(deriveSeed(1, "n1")).not.toBe(deriveSeed(1, "n2"));
    expect(deriveSeed(1, "n1")).not.toBe(deriveSeed(2, "n1"));
    expect(deriveSeed(2 ** 40, "x")).not.toBe(deriveSeed(0, "x"));
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
  });
});
