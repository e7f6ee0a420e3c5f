import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ClocksError,
  classifyVersion,
  compareLamport,
  IntervalClock,
  LamportClock,
  lamportTimestamp,
  readWithUncertainty,
  uncertaintyInterval,
} from "../src/index.js";

describe("LamportClock", () => {
  it("ticks and receives", () => {
    const p = new LamportClock();
    const q = new LamportClock(3);
    expect(p.tick()).toBe(1);
    expect(q.receive(p.time)).toBe(4);
    expect(p.receive(10)).toBe(11);
    expect(p.time).toBe(11);
    expect(() => p.receive(-1)).toThrow(ClocksError);
    expect(() => new LamportClock(1.5)).toThrow(ClocksError);
  });

  it("compareLamport is a total order", () => {
    const tsArb = fc.record({ time: fc.nat(5), node: fc.constantFrom("a", "b", "c") });
    fc.assert(
      fc.property(tsArb, tsArb, tsArb, (a, b, c) => {
        expect(compareLamport(a, b)).toBe(-compareLamport(b, a) || 0);
        expect(compareLamport(a, b) === 0).toBe(a.time === b.time && a.node === b.node);
        if (compareLamport(a, b) < 0 && compareLamport(b, c) < 0) expect(compareLamport(a, c)).toBe(-1);
      }),
    );
    expect(lamportTimestamp(1, "x")).toEqual({ time: 1, node: "x" });
  });
});

describe("IntervalClock (TrueTime style)", () => {
  it("brackets the local reading by the uncertainty", () => {
    let local = 1000;
    let eps = 5;
    const tt = new IntervalClock({ now: () => local, uncertaintyMs: () => eps });
    expect(tt.now()).toEqual({ earliestMs: 995, latestMs: 1005 });
    expect(tt.after(995)).toBe(true);
    expect(tt.after(995.5)).toBe(false);
    expect(tt.before(1005)).toBe(false);
    expect(tt.before(1005.5)).toBe(true);
    eps = 9;
    local = 2000;
    expect(tt.now()).toEqual({ earliestMs: 1991, latestMs: 2009 });
    eps = -1;
    expect(() => tt.now()).toThrow(ClocksError);
  });

  it("commit wait makes the commit timestamp certainly past, and no shorter wait does", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: -100, max: 100 }),
        (start, eps, tsDelta) => {
          let local = start;
          const tt = new IntervalClock({ now: () => local, uncertaintyMs: eps });
          const ts = tt.now().latestMs + tsDelta;
          const wait = tt.commitWaitMs(ts);
          expect(wait).toBeGreaterThanOrEqual(0);
          if (wait > 0) {
            local = start + wait - 0.5;
            expect(tt.after(ts)).toBe(false);
          }
          local = start + wait;
          expect(tt.after(ts)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("external consistency: with true skew within ε, a commit-waited write precedes later starts everywhere", () => {
    // Two nodes whose clocks differ from true time by at most eps. Node A commits at s = A.latest and
    // waits; any transaction starting on B after A's acknowledgement picks a timestamp greater than s.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        // dyadic fractions keep the arithmetic exact (no rounding between the two clocks' readings)
        fc
          .integer({ min: -8, max: 8 })
          .map((k) => k / 8),
        fc.integer({ min: -8, max: 8 }).map((k) => k / 8),
        fc.integer({ min: 0, max: 1000 }),
        (eps, skewA, skewB, trueStart) => {
          let trueTime = trueStart;
          const a = new IntervalClock({ now: () => trueTime + skewA * eps, uncertaintyMs: eps });
          const b = new IntervalClock({ now: () => trueTime + skewB * eps, uncertaintyMs: eps });
          const s = a.now().latestMs;
          trueTime += a.commitWaitMs(s);
          expect(a.after(s)).toBe(true);
          expect(b.now().latestMs).toBeGreaterThanOrEqual(s);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("uncertainty intervals (CockroachDB style)", () => {
  it("classifies versions", () => {
    const i = uncertaintyInterval(100, 10);
    expect(classifyVersion(i, 99)).toBe("visible");
    expect(classifyVersion(i, 100)).toBe("visible");
    expect(classifyVersion(i, 100.5)).toBe("uncertain");
    expect(classifyVersion(i, 110)).toBe("uncertain");
    expect(classifyVersion(i, 110.5)).toBe("future");
    expect(() => uncertaintyInterval(0, -1)).toThrow(ClocksError);
  });

  it("restarts at the highest uncertain version, keeping the limit, then reads", () => {
    const i = uncertaintyInterval(100, 10);
    const versions = [80, 95, 104, 108, 150];
    const r1 = readWithUncertainty(i, versions);
    expect(r1).toEqual({ kind: "restart", interval: { readTsMs: 108, limitMs: 110 } });
    if (r1.kind !== "restart") throw new Error("unreachable");
    expect(readWithUncertainty(r1.interval, versions)).toEqual({ kind: "read", versionTsMs: 108 });
    expect(readWithUncertainty(i, [])).toEqual({ kind: "read", versionTsMs: undefined });
  });

  it("a read never misses a write that finished before it started (property)", () => {
    // Writer and reader clocks are within maxOffset of each other. A write stamped by the writer's clock
    // that completed (in true time) before the read began is either visible or forces a restart that
    // makes it visible.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (maxOffset, sw, sr, writeTrue, gap) => {
          const writeTs = writeTrue + sw * maxOffset;
          const readTrue = writeTrue + gap;
          let interval = uncertaintyInterval(readTrue + sr * maxOffset, maxOffset);
          for (let k = 0; k < 10; k++) {
            const r = readWithUncertainty(interval, [writeTs]);
            if (r.kind === "read") {
              expect(r.versionTsMs).toBe(writeTs);
              return;
            }
            interval = r.interval;
          }
          throw new Error("too many restarts");
        },
      ),
      { numRuns: 300 },
    );
  });
});
