import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ERROR_CODES,
  LatencyBuckets,
  WorkbenchError,
  assertWorkload,
  echo,
  errorName,
  gCounter,
  isDefiniteError,
  jsonProblem,
  parseSeeds,
  percentiles,
  renderReportHtml,
  replayWorkload,
  runWorkload,
  seedList,
  workloadByName,
  workloadProperty,
} from "../src/index.js";
import { crdtCounterNode, echoNode, localCounterNode } from "./nodes.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof WorkbenchError ? e.code : `not a WorkbenchError: ${String(e)}`;
  }
  return undefined;
}

describe("seeds", () => {
  it("counts, ranges and lists", () => {
    expect(seedList(3)).toEqual([1, 2, 3]);
    expect(seedList({ from: 10, to: 12 })).toEqual([10, 11, 12]);
    expect(parseSeeds("5..7")).toEqual({ from: 5, to: 7 });
    expect(parseSeeds("1000")).toBe(1000);
    expect(parseSeeds("4,8,15")).toEqual([4, 8, 15]);
  });
  it("bad seeds are typed errors that say what is accepted", () => {
    expect(codeOf(() => parseSeeds("10..1"))).toBe("invalid-seeds");
    expect(codeOf(() => parseSeeds("abc"))).toBe("invalid-seeds");
    expect(codeOf(() => seedList(0))).toBe("invalid-seeds");
    expect(codeOf(() => seedList([]))).toBe("invalid-seeds");
    expect(codeOf(() => seedList([1.5]))).toBe("invalid-seeds");
    expect(() => parseSeeds("x")).toThrow(
      /accepted: a count \(1000\), a range \(A\.\.B, inclusive\) or a list/,
    );
  });
});

describe("protocol helpers", () => {
  it("error codes: definite ones fail, indefinite and unknown ones are info", () => {
    expect(isDefiniteError(ERROR_CODES["precondition-failed"].code)).toBe(true);
    expect(isDefiniteError(ERROR_CODES.timeout.code)).toBe(false);
    expect(isDefiniteError(ERROR_CODES.crash.code)).toBe(false);
    expect(isDefiniteError(999)).toBe(false);
    expect(errorName(20)).toBe("key-does-not-exist");
    expect(errorName(999)).toBe("unknown");
  });
  it("jsonProblem accepts exactly what JSON.parse(JSON.stringify(x)) keeps", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(jsonProblem(v)).toBeNull();
      }),
      { numRuns: 200 },
    );
    const cyclic: Record<string, unknown> = { type: "x" };
    cyclic.self = cyclic;
    expect(jsonProblem(cyclic)).toMatch(/self: a cycle/);
    expect(jsonProblem({ a: [1, { b: new Map() }] })).toBe("a[1].b: a Map is not JSON data");
    expect(jsonProblem({ a: undefined })).toMatch(/a: a undefined is not JSON data/);
    expect(jsonProblem({ n: 10n })).toMatch(/n: a bigint/);
  });
  it("LatencyBuckets: percentiles within 2% of the exact ones, merge = record all", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 5000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        (xs) => {
          const h = new LatencyBuckets();
          const a = new LatencyBuckets();
          const b = new LatencyBuckets();
          xs.forEach((x, i) => {
            h.record(x);
            (i % 2 === 0 ? a : b).record(x);
          });
          a.merge(b);
          expect(a.toJSON()).toEqual(h.toJSON());
          const exact = percentiles(xs);
          for (const p of [50, 99] as const) {
            const got = h.percentile(p);
            const want = exact[p === 50 ? "p50" : "p99"];
            expect(got).toBeGreaterThanOrEqual(want * 0.999 - 0.001);
            expect(got).toBeLessThanOrEqual(want * 1.021 + 0.001);
          }
          expect(LatencyBuckets.fromJSON(h.toJSON()).toJSON()).toEqual(h.toJSON());
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("runWorkload input checks", () => {
  it("bad options are typed errors", () => {
    expect(codeOf(() => runWorkload({ workload: echo(), nodes: echoNode, nodeCount: 0 }))).toBe(
      "invalid-argument",
    );
    expect(codeOf(() => runWorkload({ workload: {} as never, nodes: echoNode }))).toBe("invalid-argument");
    expect(codeOf(() => runWorkload({ workload: echo(), nodes: 5 as never }))).toBe("invalid-argument");
    expect(
      codeOf(() => runWorkload({ workload: echo(), nodes: echoNode, nemesis: ["meteor" as never] })),
    ).toBe("unknown-nemesis");
    expect(
      codeOf(() =>
        runWorkload({
          workload: echo(),
          nodes: echoNode,
          nodeCount: 2,
          nemesis: { schedule: [{ atMs: 1, kind: "crash", node: "n7" }] },
        }),
      ),
    ).toBe("invalid-schedule");
    expect(codeOf(() => workloadByName("kafak"))).toBe("unknown-workload");
    expect(codeOf(() => runWorkload({ workload: echo(), nodes: echoNode, durationMs: -1 }))).toBe(
      "invalid-argument",
    );
  });
});

describe("determinism, replay and fixed schedules", () => {
  it("the same seed and schedule give the same trace digest and history", () => {
    const options = {
      workload: gCounter(),
      nodes: crdtCounterNode,
      nodeCount: 3,
      nemesis: ["partition", "crash"] as const,
      durationMs: 600,
    };
    const a = replayWorkload(options, 11);
    const b = replayWorkload(options, 11);
    expect(a.simulation.trace.digest()).toBe(b.simulation.trace.digest());
    expect(a.operations).toEqual(b.operations);
    expect(replayWorkload(options, 12).simulation.trace.digest()).not.toBe(a.simulation.trace.digest());
  });

  it("a fixed schedule is shrunk by removing faults that do not matter", () => {
    const r = runWorkload({
      workload: gCounter(),
      nodes: localCounterNode,
      nodeCount: 3,
      seeds: 1,
      durationMs: 600,
      nemesis: {
        schedule: [
          { atMs: 100, kind: "clock", node: "n1", offsetMs: 50 },
          { atMs: 200, kind: "pause", node: "n2" },
          { atMs: 300, kind: "resume", node: "n2" },
        ],
      },
    });
    expect(r.valid).toBe(false); // the local counter fails with or without faults
    expect(r.failure?.shrunkSchedule).toEqual([]);
    expect(r.failure?.shrinkSteps).toBe(3);
  });

  it("assertWorkload throws workload-failed with the seed and the problems; workloadProperty works with fc.assert", () => {
    expect(() =>
      assertWorkload({ workload: gCounter(), nodes: localCounterNode, seeds: 2, durationMs: 400 }),
    ).toThrow(/g-counter: FAIL[\s\S]*failing seed 1[\s\S]*after heal/);
    expect(
      codeOf(() =>
        assertWorkload({ workload: gCounter(), nodes: localCounterNode, seeds: 1, durationMs: 400 }),
      ),
    ).toBe("workload-failed");
    expect(
      assertWorkload({ workload: gCounter(), nodes: crdtCounterNode, seeds: 3, durationMs: 400 }).valid,
    ).toBe(true);
    fc.assert(
      workloadProperty({
        workload: gCounter(),
        nodes: crdtCounterNode,
        nemesis: ["partition"],
        durationMs: 400,
      }),
      { numRuns: 5 },
    );
    expect(() =>
      fc.assert(workloadProperty({ workload: gCounter(), nodes: localCounterNode, durationMs: 400 }), {
        numRuns: 3,
      }),
    ).toThrow(/Property failed[\s\S]*Counterexample: \[\d+,/);
  });

  it("renderReportHtml has the verdict, the table, the shrunk schedule and the pictures", () => {
    const r = runWorkload({
      workload: gCounter(),
      nodes: localCounterNode,
      seeds: 1,
      durationMs: 400,
      nemesis: ["partition"],
    });
    const html = renderReportHtml(r, "npx distkit-workbench g-counter ./node.ts --seeds 1");
    expect(html).toMatch(/<span class="fail">FAIL<\/span>/);
    expect(html).toMatch(/availability/);
    expect(html).toMatch(/Failing seed 1/);
    expect(html).toMatch(/<svg/);
    expect(html).toMatch(/<iframe title="history" srcdoc=/);
    expect(html).toMatch(/npx distkit-workbench g-counter/);
  });
});
