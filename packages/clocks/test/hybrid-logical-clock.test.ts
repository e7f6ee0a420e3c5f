import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ClockOffsetError,
  ClocksError,
  compareHlc,
  DecodeError,
  decodeHlc,
  encodeHlc,
  HLC_MAX_LOGICAL,
  HLC_MAX_PHYSICAL_MS,
  type HlcTimestamp,
  HybridLogicalClock,
  hlcFromBigInt,
  hlcFromString,
  hlcTimestamp,
  hlcToBigInt,
  hlcToString,
} from "../src/index.js";

const tsArb = fc.record({
  physicalMs: fc.oneof(fc.integer({ min: 0, max: HLC_MAX_PHYSICAL_MS }), fc.integer({ min: 0, max: 3 })),
  logical: fc.oneof(fc.integer({ min: 0, max: HLC_MAX_LOGICAL }), fc.integer({ min: 0, max: 3 })),
});

describe("HybridLogicalClock rules (Kulkarni et al. 2014)", () => {
  it("send/local: follows physical time, counts within a millisecond", () => {
    let t = 10.7;
    const hlc = new HybridLogicalClock({ now: () => t });
    expect(hlc.now()).toEqual({ physicalMs: 10, logical: 0 });
    expect(hlc.now()).toEqual({ physicalMs: 10, logical: 1 });
    t = 9; // physical clock stepped back: l stays, c counts
    expect(hlc.now()).toEqual({ physicalMs: 10, logical: 2 });
    t = 11;
    expect(hlc.now()).toEqual({ physicalMs: 11, logical: 0 });
  });

  it("receive: the four cases", () => {
    const t = 100;
    const mk = (l: number, c: number) =>
      new HybridLogicalClock({ now: () => t, initial: { physicalMs: l, logical: c }, maxOffsetMs: 50 });
    // pt largest
    expect(mk(90, 5).receive({ physicalMs: 95, logical: 9 })).toEqual({ physicalMs: 100, logical: 0 });
    // local and remote l equal and largest
    expect(mk(120, 5).receive({ physicalMs: 120, logical: 9 })).toEqual({ physicalMs: 120, logical: 10 });
    // local l largest
    expect(mk(130, 5).receive({ physicalMs: 120, logical: 9 })).toEqual({ physicalMs: 130, logical: 6 });
    // remote l largest
    expect(mk(110, 5).receive({ physicalMs: 120, logical: 9 })).toEqual({ physicalMs: 120, logical: 10 });
  });

  it("rejects a remote timestamp beyond maxOffsetMs with a typed error and leaves the clock untouched", () => {
    const hlc = new HybridLogicalClock({ now: () => 1000, maxOffsetMs: 100 });
    hlc.now();
    const before = hlc.peek();
    expect(() => hlc.receive({ physicalMs: 1101, logical: 0 })).toThrow(ClockOffsetError);
    try {
      hlc.receive({ physicalMs: 1500, logical: 0 });
    } catch (e) {
      expect((e as ClockOffsetError).code).toBe("max-offset-exceeded");
      expect((e as ClockOffsetError).offsetMs).toBe(500);
    }
    expect(hlc.peek()).toEqual(before);
    expect(hlc.receive({ physicalMs: 1100, logical: 0 })).toEqual({ physicalMs: 1100, logical: 1 });
  });

  it("logical overflow is a typed error", () => {
    const hlc = new HybridLogicalClock({
      now: () => 5,
      initial: { physicalMs: 5, logical: HLC_MAX_LOGICAL - 1 },
    });
    expect(hlc.now()).toEqual({ physicalMs: 5, logical: HLC_MAX_LOGICAL });
    expect(() => hlc.now()).toThrow(ClocksError);
    try {
      hlc.now();
    } catch (e) {
      expect((e as ClocksError).code).toBe("logical-overflow");
    }
    expect(hlc.peek()).toEqual({ physicalMs: 5, logical: HLC_MAX_LOGICAL });
  });

  it("validates its inputs", () => {
    expect(new HybridLogicalClock({ now: () => -1 }).now()).toEqual({ physicalMs: 0, logical: 1 });
    expect(() => new HybridLogicalClock({ now: () => Number.NaN }).now()).toThrow(ClocksError);
    expect(() => new HybridLogicalClock({ now: () => 2 ** 49 }).now()).toThrow(/48 bits/);
    expect(() => new HybridLogicalClock({ now: () => 0, maxOffsetMs: -1 })).toThrow(ClocksError);
    expect(() => hlcTimestamp(1.5, 0)).toThrow(ClocksError);
    expect(() => hlcTimestamp(0, HLC_MAX_LOGICAL + 1)).toThrow(ClocksError);
  });

  it("is monotonic and every result is above the previous state and the remote (property)", () => {
    const stepArb = fc.oneof(
      fc.record({ kind: fc.constant("tick" as const), advanceMs: fc.integer({ min: -5, max: 20 }) }),
      fc.record({
        kind: fc.constant("recv" as const),
        advanceMs: fc.integer({ min: -5, max: 20 }),
        remoteDeltaMs: fc.integer({ min: -50, max: 60 }),
        logical: fc.integer({ min: 0, max: 100 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
        let t = 1000;
        const hlc = new HybridLogicalClock({ now: () => t, maxOffsetMs: 50 });
        let prev: HlcTimestamp = hlc.peek();
        for (const s of steps) {
          t = Math.max(0, t + s.advanceMs);
          if (s.kind === "tick") {
            const ts = hlc.now();
            expect(compareHlc(ts, prev)).toBe(1);
            expect(ts.physicalMs).toBeGreaterThanOrEqual(Math.floor(t));
            prev = ts;
          } else {
            const remote = { physicalMs: Math.max(0, t + s.remoteDeltaMs), logical: s.logical };
            if (remote.physicalMs - t > 50) {
              expect(() => hlc.receive(remote)).toThrow(ClockOffsetError);
              expect(hlc.peek()).toEqual(prev);
              continue;
            }
            const ts = hlc.receive(remote);
            expect(compareHlc(ts, prev)).toBe(1);
            expect(compareHlc(ts, remote)).toBe(1);
            prev = ts;
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("HLC encodings", () => {
  it("bigint, bytes and string forms round-trip and preserve order", () => {
    fc.assert(
      fc.property(tsArb, tsArb, (a, b) => {
        expect(hlcFromBigInt(hlcToBigInt(a))).toEqual(a);
        expect(decodeHlc(encodeHlc(a))).toEqual(a);
        expect(hlcFromString(hlcToString(a))).toEqual(a);
        const c = compareHlc(a, b);
        const big = hlcToBigInt(a) < hlcToBigInt(b) ? -1 : hlcToBigInt(a) > hlcToBigInt(b) ? 1 : 0;
        const sa = hlcToString(a);
        const sb = hlcToString(b);
        const str = sa < sb ? -1 : sa > sb ? 1 : 0;
        const ea = Buffer.from(encodeHlc(a));
        const eb = Buffer.from(encodeHlc(b));
        expect(big).toBe(c);
        expect(str).toBe(c);
        expect(Buffer.compare(ea, eb)).toBe(c);
      }),
      { numRuns: 300 },
    );
  });

  it("known values", () => {
    expect(hlcToBigInt({ physicalMs: 1, logical: 2 })).toBe(65538n);
    expect([...encodeHlc({ physicalMs: 0x010203040506, logical: 0x0708 })]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(hlcToString({ physicalMs: 1_700_000_000_000, logical: 3 })).toBe("001700000000000.00003");
    expect(hlcFromBigInt((1n << 64n) - 1n)).toEqual({
      physicalMs: HLC_MAX_PHYSICAL_MS,
      logical: HLC_MAX_LOGICAL,
    });
  });

  it("bad input throws typed errors", () => {
    expect(() => decodeHlc(new Uint8Array(7))).toThrow(DecodeError);
    expect(() => decodeHlc(new Uint8Array(9))).toThrow(DecodeError);
    expect(() => hlcFromString("1.2")).toThrow(DecodeError);
    expect(() => hlcFromString("999999999999999.00000")).toThrow(DecodeError);
    expect(() => hlcFromString("000000000000001.99999")).toThrow(DecodeError);
    expect(() => hlcFromBigInt(-1n)).toThrow(ClocksError);
    expect(() => hlcFromBigInt(1n << 64n)).toThrow(ClocksError);
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        try {
          expect(hlcToString(hlcFromString(s))).toBe(s);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 200 },
    );
  });
});
