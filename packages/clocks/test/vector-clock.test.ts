import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClocksError, DecodeError, reverseOrdering, VectorClock, VersionVector } from "../src/index.js";
import { entriesArb, referenceCompare, vcArb, vvArb } from "./arbitraries.js";

// The same laws hold for both types; they are run against each.
const kinds = [
  {
    name: "VectorClock",
    arb: vcArb,
    from: VectorClock.from,
    decode: VectorClock.decode,
    empty: VectorClock.empty,
  },
  {
    name: "VersionVector",
    arb: vvArb,
    from: VersionVector.from,
    decode: VersionVector.decode,
    empty: VersionVector.empty,
  },
] as const;

describe("VectorClock unit", () => {
  it("distinguishes equal from concurrent", () => {
    const a = VectorClock.from({ a: 1, b: 2 });
    expect(a.compare(VectorClock.from({ b: 2, a: 1 }))).toBe("equal");
    expect(a.compare(VectorClock.from({ a: 2, b: 1 }))).toBe("concurrent");
    expect(a.compare(VectorClock.from({ a: 1, b: 3 }))).toBe("before");
    expect(a.compare(VectorClock.from({ a: 1 }))).toBe("after");
    expect(VectorClock.empty().compare(VectorClock.empty())).toBe("equal");
  });

  it("implements send/receive", () => {
    const a1 = VectorClock.empty().increment("a");
    const b1 = VectorClock.empty().increment("b");
    const b2 = b1.receive("b", a1);
    expect(b2.toJSON()).toEqual({ a: 1, b: 2 });
    expect(a1.happenedBefore(b2)).toBe(true);
    expect(a1.isConcurrent(b1)).toBe(true);
    expect(b2.dominates(a1)).toBe(true);
    expect(b2.descends(b2)).toBe(true);
    expect(b2.dominates(b2)).toBe(false);
  });

  it("drops zero counters and rejects bad input with a typed error", () => {
    expect(VectorClock.from({ a: 0, b: 1 }).size).toBe(1);
    expect(VectorClock.from([["x", 2]]).get("x")).toBe(2);
    for (const bad of [{ a: -1 }, { a: 1.5 }, { a: Number.NaN }, { a: 2 ** 53 }]) {
      expect(() => VectorClock.from(bad)).toThrow(ClocksError);
    }
    expect(() =>
      VectorClock.from([
        ["a", 1],
        ["a", 2],
      ]),
    ).toThrow(/duplicate/);
    try {
      VectorClock.from({ a: -1 });
    } catch (e) {
      expect((e as ClocksError).code).toBe("invalid-argument");
    }
  });

  it("handles awkward ids in the JSON form", () => {
    const c = VectorClock.fromJSON(JSON.parse('{"__proto__": 2, "constructor": 1, "": 3}'));
    expect(c.get("__proto__")).toBe(2);
    expect(c.size).toBe(3);
    const back = VectorClock.fromJSON(JSON.parse(JSON.stringify(c)));
    expect(back.equals(c)).toBe(true);
  });

  it("encodes compactly", () => {
    // tag, version, count, len, 'a', counter
    expect([...VectorClock.from({ a: 1 }).encode()]).toEqual([0xc1, 1, 1, 1, 0x61, 1]);
    expect(VectorClock.empty().encode().length).toBe(3);
  });

  it("keeps the two types apart in encoding", () => {
    const bytes = VectorClock.from({ a: 1 }).encode();
    expect(() => VersionVector.decode(bytes)).toThrow(DecodeError);
  });

  it("version vectors track dots", () => {
    const vv = VersionVector.from({ r1: 2 });
    expect(vv.nextDot("r1")).toEqual({ replica: "r1", counter: 3 });
    expect(vv.includes({ replica: "r1", counter: 2 })).toBe(true);
    expect(vv.includes({ replica: "r1", counter: 3 })).toBe(false);
    expect(vv.includes({ replica: "r2", counter: 1 })).toBe(false);
    expect(vv.withDot({ replica: "r2", counter: 4 }).toJSON()).toEqual({ r1: 2, r2: 4 });
    expect(vv.withDot({ replica: "r1", counter: 1 })).toBe(vv);
  });
});

for (const k of kinds) {
  // biome-ignore lint/suspicious/noExplicitAny: the two kinds share a structural API in these laws
  type C = any;
  const arb = k.arb as fc.Arbitrary<C>;
  describe(`${k.name} laws`, () => {
    it("compare agrees with the entrywise reference and is antisymmetric", () => {
      fc.assert(
        fc.property(entriesArb, entriesArb, (x, y) => {
          const a = k.from(x) as C;
          const b = k.from(y) as C;
          expect(a.compare(b)).toBe(referenceCompare(x, y));
          expect(b.compare(a)).toBe(reverseOrdering(a.compare(b)));
          expect(a.equals(b)).toBe(a.compare(b) === "equal");
          // merge is the entrywise maximum
          const max: Record<string, number> = {};
          for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
            const m = Math.max(x[k] ?? 0, y[k] ?? 0);
            if (m > 0) max[k] = m;
          }
          expect(a.merge(b).toJSON()).toEqual(max);
        }),
        { numRuns: 300 },
      );
    });

    it("compare is a partial order (reflexive, transitive)", () => {
      fc.assert(
        fc.property(arb, arb, arb, (a, b, c) => {
          expect(a.compare(a)).toBe("equal");
          if (a.descends(b) && b.descends(c)) expect(a.descends(c)).toBe(true);
          if (a.dominates(b) && b.dominates(c)) expect(a.dominates(c)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });

    it("merge is commutative, associative, idempotent, the least upper bound", () => {
      fc.assert(
        fc.property(arb, arb, arb, (a, b, c) => {
          const ab = a.merge(b);
          expect(ab.equals(b.merge(a))).toBe(true);
          expect(ab.merge(c).equals(a.merge(b.merge(c)))).toBe(true);
          expect(a.merge(a).equals(a)).toBe(true);
          expect(ab.descends(a) && ab.descends(b)).toBe(true);
          // least: any upper bound of a and b descends from the merge
          const ub = ab.merge(c);
          expect(ub.descends(ab)).toBe(true);
          if (c.descends(a) && c.descends(b)) expect(c.descends(ab)).toBe(true);
          // consistent with compare: a <= b iff merge(a, b) == b
          expect(b.descends(a)).toBe(ab.equals(b));
        }),
        { numRuns: 300 },
      );
    });

    it("increment strictly advances, only in its own entry", () => {
      fc.assert(
        fc.property(arb, fc.constantFrom("a", "b", "q", "é"), (a, id) => {
          const n = a.increment(id);
          expect(n.compare(a)).toBe("after");
          expect(n.get(id)).toBe(a.get(id) + 1);
          for (const [other, cnt] of a.entries()) if (other !== id) expect(n.get(other)).toBe(cnt);
        }),
        { numRuns: 200 },
      );
    });

    it("encode/decode round-trips; JSON round-trips", () => {
      fc.assert(
        fc.property(arb, (a) => {
          const d = k.decode(a.encode()) as C;
          expect(d.equals(a)).toBe(true);
          expect((k.from(JSON.parse(JSON.stringify(a))) as C).equals(a)).toBe(true);
        }),
        { numRuns: 200 },
      );
    });

    it("decoding truncated bytes throws decode-truncated", () => {
      fc.assert(
        fc.property(arb, fc.nat(), (a, cut) => {
          const bytes: Uint8Array = a.encode();
          const n = cut % bytes.length;
          expect(() => k.decode(bytes.subarray(0, n))).toThrow(DecodeError);
          try {
            k.decode(bytes.subarray(0, n));
          } catch (e) {
            expect((e as DecodeError).code).toBe("decode-truncated");
          }
        }),
        { numRuns: 200 },
      );
    });

    it("decoding corrupted bytes either throws DecodeError or yields a canonical value", () => {
      fc.assert(
        fc.property(
          arb,
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
          (a, flips) => {
            const bytes = new Uint8Array(a.encode());
            for (const [at, v] of flips) bytes[at % bytes.length] = v;
            let decoded: C;
            try {
              decoded = k.decode(bytes);
            } catch (e) {
              expect(e).toBeInstanceOf(DecodeError);
              return;
            }
            // canonical: re-encoding reproduces the same bytes exactly
            expect([...decoded.encode()]).toEqual([...bytes]);
          },
        ),
        { numRuns: 400 },
      );
    });

    it("decoding arbitrary bytes never throws anything but DecodeError", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
          try {
            const d = k.decode(bytes) as C;
            expect([...d.encode()]).toEqual([...bytes]);
          } catch (e) {
            expect(e).toBeInstanceOf(DecodeError);
          }
        }),
        { numRuns: 400 },
      );
    });
  });
}
