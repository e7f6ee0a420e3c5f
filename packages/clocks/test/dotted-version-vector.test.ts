import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClocksError, DecodeError, DottedVersionVector, type Ordering, VersionVector } from "../src/index.js";

function events(d: DottedVersionVector): Set<string> {
  const out = new Set<string>([`${d.dot.replica}:${d.dot.counter}`]);
  for (const [id, n] of d.context.entries()) for (let k = 1; k <= n; k++) out.add(`${id}:${k}`);
  return out;
}
function setOrdering(a: Set<string>, b: Set<string>): Ordering {
  const le = [...a].every((x) => b.has(x));
  const ge = [...b].every((x) => a.has(x));
  return le ? (ge ? "equal" : "before") : ge ? "after" : "concurrent";
}

const dvvArb = fc
  .record({
    ctx: fc.dictionary(fc.constantFrom("a", "b", "c"), fc.integer({ min: 0, max: 3 })),
    replica: fc.constantFrom("a", "b", "c"),
    gap: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ ctx, replica, gap }) => {
    const context = VersionVector.from(ctx);
    return DottedVersionVector.create({ replica, counter: context.get(replica) + gap }, context);
  });

describe("DottedVersionVector", () => {
  it("compare is inclusion of event sets", () => {
    fc.assert(
      fc.property(dvvArb, dvvArb, (x, y) => {
        expect(x.compare(y)).toBe(setOrdering(events(x), events(y)));
      }),
      { numRuns: 500 },
    );
  });

  it("update names a write that dominates exactly its context, and is concurrent with unseen siblings", () => {
    const r1 = DottedVersionVector.update(VersionVector.empty(), [], "r");
    const ctx1 = DottedVersionVector.join([r1]);
    const r2 = DottedVersionVector.update(VersionVector.empty(), [r1], "r"); // blind write
    const r3 = DottedVersionVector.update(ctx1, [r1, r2], "r"); // saw only r1
    expect(r3.dot).toEqual({ replica: "r", counter: 3 });
    expect(r3.compare(r1)).toBe("after");
    expect(r3.compare(r2)).toBe("concurrent");
    expect(DottedVersionVector.sync([r1, r2, r3])).toEqual([r2, r3]);
    expect(DottedVersionVector.join([r2, r3]).toJSON()).toEqual({ r: 3 });
    expect(r3.toVersionVector().toJSON()).toEqual({ r: 3 });
    expect(String(r3)).toBe('DVV(r:3 | {"r":1})');
  });

  it("rejects a dot not above its context", () => {
    expect(() =>
      DottedVersionVector.create({ replica: "a", counter: 1 }, VersionVector.from({ a: 1 })),
    ).toThrow(ClocksError);
  });

  it("encode/decode round-trip; bad bytes throw DecodeError", () => {
    fc.assert(
      fc.property(dvvArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (d, at, v) => {
        const bytes = d.encode();
        const back = DottedVersionVector.decode(bytes);
        expect(DottedVersionVector.fromJSON(JSON.parse(JSON.stringify(d))).toJSON()).toEqual(d.toJSON());
        expect(back.compare(d)).toBe("equal");
        expect(back.dot).toEqual(d.dot);
        expect(() => DottedVersionVector.decode(bytes.subarray(0, at % bytes.length))).toThrow(DecodeError);
        const bad = new Uint8Array(bytes);
        bad[at % bad.length] = v;
        try {
          expect([...DottedVersionVector.decode(bad).encode()]).toEqual([...bad]);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
