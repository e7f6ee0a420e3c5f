import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue, SimNetError } from "../src/index.js";

describe("EventQueue", () => {
  it("pops in (time, seq) order, like a stable sort by time", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 20 }).map((t) => ({ push: t / 2 })),
            fc.constant({ pop: true }),
          ),
          {
            maxLength: 300,
          },
        ),
        (ops) => {
          const q = new EventQueue<number>(16);
          const model: { t: number; s: number }[] = [];
          let seq = 0;
          for (const op of ops) {
            if ("push" in op) {
              q.push(op.push, seq, seq);
              model.push({ t: op.push, s: seq });
              seq++;
            } else {
              model.sort((a, b) => a.t - b.t || a.s - b.s);
              const expected = model.shift();
              expect(q.peekTime()).toBe(expected === undefined ? Number.POSITIVE_INFINITY : expected.t);
              expect(q.pop()).toBe(expected?.s);
            }
            expect(q.size).toBe(model.length);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("grows and enforces its bound", () => {
    const q = new EventQueue<number>(16, 100);
    for (let i = 0; i < 100; i++) q.push(100 - i, i, i);
    expect(q.size).toBe(100);
    expect(q.peek()).toBe(99);
    expect(() => {
      for (let i = 0; i < 200; i++) q.push(0, 1000 + i, i);
    }).toThrow(SimNetError);
    q.clear();
    expect(q.size).toBe(0);
    expect(q.pop()).toBeUndefined();
  });

  it("compact removes filtered items and keeps the order of the rest", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }),
        fc.integer({ min: 2, max: 5 }),
        (times, mod) => {
          const q = new EventQueue<number>(16);
          times.forEach((t, seq) => {
            q.push(t, seq, seq);
          });
          const removed = q.compact((seq) => seq % mod !== 0);
          const expected = times
            .map((t, seq) => ({ t, seq }))
            .filter((e) => e.seq % mod !== 0)
            .sort((a, b) => a.t - b.t || a.seq - b.seq)
            .map((e) => e.seq);
          expect(removed).toBe(times.length - expected.length);
          const popped: number[] = [];
          for (let x = q.pop(); x !== undefined; x = q.pop()) popped.push(x);
          expect(popped).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
