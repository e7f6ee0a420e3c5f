/**
 * The one API: run a workload against a node factory over many seeds, and get the verdict, the
 * failing seed, its shrunk fault schedule, statistics and pictures.
 *
 * @module
 */
import { renderHistoryHtml, historyFromOperations } from "@distkit/check";
import type { FaultSchedule } from "@distkit/sim-net";
import * as fc from "fast-check";
import { WorkbenchError } from "./errors.js";
import type { NodeReport } from "./guard.js";
import { type NemesisKind, describeSchedule, nemesisArb, parseNemesis, recoveryTail } from "./nemesis.js";
import { type ResolvedSpec, type RunSpec, type SeedRun, resolveSpec, runSeed } from "./run-seed.js";
import { type SeedSpec, seedList } from "./seeds.js";
import { type RunStats, StatsAccumulator, round } from "./stats.js";

/**
 * Where a run's faults come from: nemesis kinds (drawn per seed, shrinkable), a fixed schedule
 * (shrunk by removing faults), or your own fast-check arbitrary of schedules.
 *
 * @example
 * ```ts
 * const a: NemesisSpec = ["partition", "crash"];
 * const b: NemesisSpec = { schedule: [{ atMs: 100, kind: "isolate", node: "n1" }, { atMs: 900, kind: "heal" }] };
 * ```
 */
export type NemesisSpec =
  | readonly NemesisKind[]
  | { readonly schedule: FaultSchedule }
  | { readonly arbitrary: fc.Arbitrary<FaultSchedule> };

/**
 * Options of {@link runWorkload}.
 *
 * @example
 * ```ts
 * const options: RunWorkloadOptions = { workload: broadcast(), nodes: myNode, nodeCount: 5, seeds: 100, nemesis: ["partition"] };
 * ```
 */
export interface RunWorkloadOptions extends RunSpec {
  /** Seeds to run: a count (1..n), a list, or `{ from, to }`; default 20. */
  readonly seeds?: SeedSpec;
  /** The faults (default none; the run still ends with the recovery tail). */
  readonly nemesis?: NemesisSpec;
  /** Most faults per nemesis group in one drawn schedule; default 4. */
  readonly maxFaults?: number;
  /** Stop at the first failing seed (default true). */
  readonly stopOnFailure?: boolean;
  /** Shrink the failing schedule (default true). */
  readonly shrink?: boolean;
  /** Wall-clock budget for shrinking, ms; default 30,000 (the best schedule so far is kept). */
  readonly shrinkTimeLimitMs?: number;
  /** Replay the failure with a full trace and draw it (default true). */
  readonly pictures?: boolean;
  /** Called after every seed. */
  readonly onSeed?: (run: SeedRun, done: number, total: number) => void;
}

/**
 * The pictures of a run: the sim-net space-time diagram (SVG) and the @distkit/check history (HTML).
 *
 * @example
 * ```ts
 * writeFileSync("failure.svg", result.failure!.pictures!.spaceTimeSvg);
 * ```
 */
export interface Pictures {
  /** Nodes as lanes, messages as arrows, drops, crashes and partitions drawn. */
  readonly spaceTimeSvg: string;
  /** A row per client process, operations as bars (failing operation in red for lin-kv). */
  readonly historyHtml: string;
}

/**
 * A failing seed, with the schedule it was drawn with and the shrunk one.
 *
 * @example
 * ```ts
 * const f = result.failure;
 * if (f) console.log(f.seed, JSON.stringify(f.shrunkSchedule), f.replayCode);
 * ```
 */
export interface WorkloadFailure {
  /** The failing simulation seed. */
  readonly seed: number;
  /** The schedule the seed drew. */
  readonly schedule: FaultSchedule;
  /** The smallest failing schedule shrinking found (the same when not shrunk). */
  readonly shrunkSchedule: FaultSchedule;
  /** Successful shrink steps. */
  readonly shrinkSteps: number;
  /** Whether shrinking stopped at its time limit. */
  readonly shrinkInterrupted: boolean;
  /** The shrunk schedule, one line per fault. */
  readonly scheduleText: readonly string[];
  /** The run of the seed with the shrunk schedule. */
  readonly run: SeedRun;
  /** Why it failed. */
  readonly problems: readonly string[];
  /** The pictures of that run (unless `pictures: false`). */
  readonly pictures?: Pictures;
  /** A TypeScript line that replays it: `replayWorkload(options, seed, schedule)`. */
  readonly replayCode: string;
}

/**
 * The result of {@link runWorkload}.
 *
 * @example
 * ```ts
 * const result = runWorkload({ workload: echo(), nodes: myNode, nodeCount: 1, seeds: 10 });
 * console.log(result.valid, result.stats.latencyMs.p99, formatResult(result));
 * ```
 */
export interface WorkloadResult {
  /** The workload's name. */
  readonly workload: string;
  /** True when every seed run passed. */
  readonly valid: boolean;
  /** Seeds run. */
  readonly seedsRun: number;
  /** Failing seeds (the first 100). */
  readonly failingSeeds: readonly number[];
  /** How many seeds failed. */
  readonly failedCount: number;
  /** Statistics over every seed run. */
  readonly stats: RunStats;
  /** Workload metrics over seeds: mean and max of each. */
  readonly metrics: Readonly<Record<string, { readonly mean: number; readonly max: number }>>;
  /** Node problems over seeds: node -> kind -> seeds in which it happened. */
  readonly nodeProblems: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The first failing seed, shrunk, with pictures. */
  readonly failure?: WorkloadFailure;
}

/** @internal */
export interface ResolvedRun {
  readonly spec: ResolvedSpec;
  readonly arbitrary: fc.Arbitrary<FaultSchedule> | undefined;
  readonly fixed: FaultSchedule | undefined;
}

/** @internal */
export function resolveRun(options: RunWorkloadOptions): ResolvedRun {
  const spec = resolveSpec(options);
  const nemesis = options.nemesis ?? [];
  if (Array.isArray(nemesis)) {
    const kinds = parseNemesis(nemesis as readonly string[]);
    if (kinds.length === 0)
      return {
        spec,
        arbitrary: undefined,
        fixed: recoveryTail(spec.nodeIds, Math.ceil(spec.durationMs)),
      };
    return {
      spec,
      arbitrary: nemesisArb({
        nodeIds: spec.nodeIds,
        durationMs: spec.durationMs,
        kinds,
        ...(options.maxFaults !== undefined ? { maxFaults: options.maxFaults } : {}),
        baseNetwork: spec.network,
      }),
      fixed: undefined,
    };
  }
  const n = nemesis as { schedule?: unknown; arbitrary?: unknown };
  if (Array.isArray(n.schedule)) return { spec, arbitrary: undefined, fixed: n.schedule as FaultSchedule };
  if (n.arbitrary instanceof fc.Arbitrary)
    return { spec, arbitrary: n.arbitrary as fc.Arbitrary<FaultSchedule>, fixed: undefined };
  throw new WorkbenchError(
    "invalid-argument",
    "nemesis must be a list of nemesis kinds, { schedule: FaultSchedule } or { arbitrary: fc.Arbitrary<FaultSchedule> }",
  );
}

/**
 * The fault schedule a seed draws from an arbitrary: fast-check's first value for that seed (the same
 * value `runWorkload` runs and shrinks from).
 *
 * @example
 * ```ts
 * const schedule = scheduleForSeed(nemesisArb({ nodeIds: ["n1", "n2"], durationMs: 500 }), 7);
 * ```
 */
export function scheduleForSeed(arbitrary: fc.Arbitrary<FaultSchedule>, seed: number): FaultSchedule {
  let drawn: FaultSchedule | undefined;
  fc.check(
    fc.property(arbitrary, (s) => {
      drawn = s;
    }),
    { seed, numRuns: 1 },
  );
  if (drawn === undefined) throw new Error("workbench invariant violated: fast-check drew no schedule");
  return drawn;
}

/** @internal The schedule of a seed under a resolved run. */
export function scheduleOf(r: ResolvedRun, seed: number): FaultSchedule {
  return r.fixed ?? scheduleForSeed(r.arbitrary as fc.Arbitrary<FaultSchedule>, seed);
}

/** Shrinks a fixed schedule by removing faults (not the recovery tail) while the run still fails. */
function shrinkFixed(spec: ResolvedSpec, seed: number, schedule: FaultSchedule, deadline: number) {
  let current = [...schedule];
  let steps = 0;
  let interrupted = false;
  let progress = true;
  while (progress) {
    progress = false;
    for (let i = 0; i < current.length; i++) {
      if (Date.now() > deadline) {
        interrupted = true;
        return { schedule: current, steps, interrupted };
      }
      const candidate = current.filter((_, j) => j !== i);
      if (runSeed(spec, seed, candidate).verdict !== "pass") {
        current = candidate;
        steps++;
        progress = true;
        i--;
      }
    }
  }
  return { schedule: current, steps, interrupted };
}

/** @internal Shrinks a failing (seed, schedule). */
export function shrinkFailure(
  r: ResolvedRun,
  seed: number,
  schedule: FaultSchedule,
  timeLimitMs: number,
): { schedule: FaultSchedule; steps: number; interrupted: boolean } {
  if (r.arbitrary === undefined) return shrinkFixed(r.spec, seed, schedule, Date.now() + timeLimitMs);
  const details = fc.check(
    fc.property(r.arbitrary, (s) => runSeed(r.spec, seed, s).verdict === "pass"),
    { seed, numRuns: 1, interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: false },
  );
  if (!details.failed || details.counterexample === null) {
    // The drawn schedule no longer fails under fast-check's draw (it should, the run is deterministic).
    return { schedule, steps: 0, interrupted: details.interrupted };
  }
  return { schedule: details.counterexample[0], steps: details.numShrinks, interrupted: details.interrupted };
}

/**
 * Draws the pictures of a run (re-running it with a full trace).
 *
 * @example
 * ```ts
 * const pictures = picturesOf(replayWorkload(options, 3, schedule));
 * ```
 */
export function picturesOf(run: SeedRun, title = "workbench run"): Pictures {
  const sim = run.simulation;
  let spaceTimeSvg: string;
  try {
    spaceTimeSvg = sim.trace.toSVG({ title: `${title}: seed ${run.seed}`, maxMessages: 400 });
  } catch (error) {
    spaceTimeSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="40"><text x="10" y="25">no trace: ${String(error instanceof Error ? error.message : error).replace(/[<&]/g, "")}</text></svg>`;
  }
  let historyHtml: string;
  try {
    const history = historyFromOperations(
      run.operations.map((o) => ({
        process: o.process,
        f: o.f,
        input: o.input,
        output: o.output,
        status: o.status,
        callMs: o.callMs,
        returnMs: o.returnMs,
      })),
    );
    const lin = run.check.linearizability;
    historyHtml = renderHistoryHtml(history, {
      title: `${title}: seed ${run.seed}, ${run.verdict}`,
      ...(lin !== undefined && run.check.model !== undefined && lin.partitions.length <= 1
        ? { result: lin }
        : {}),
      ...(run.check.model !== undefined ? { model: run.check.model } : {}),
    });
  } catch (error) {
    historyHtml = `<!doctype html><p>history not drawn: ${String(error instanceof Error ? error.message : error).replace(/[<&]/g, "")}</p>`;
  }
  return { spaceTimeSvg, historyHtml };
}

/**
 * Runs one seed with a given schedule (default: the schedule the seed draws), with a full trace, so
 * the run can be inspected and drawn. Deterministic: the same arguments give the same run.
 *
 * @example
 * ```ts
 * const run = replayWorkload(options, failure.seed, failure.shrunkSchedule);
 * writeFileSync("replay.svg", picturesOf(run).spaceTimeSvg);
 * ```
 */
export function replayWorkload(options: RunWorkloadOptions, seed: number, schedule?: FaultSchedule): SeedRun {
  const r = resolveRun(options);
  return runSeed(r.spec, seed, schedule ?? scheduleOf(r, seed), "full");
}

/** @internal Mergeable sweep state (also what worker threads send back). */
export class SweepAccumulator {
  seedsRun = 0;
  failedCount = 0;
  readonly failingSeeds: number[] = [];
  readonly stats = new StatsAccumulator();
  readonly metrics = new Map<string, { sum: number; n: number; max: number }>();
  readonly nodeProblems = new Map<string, Map<string, number>>();

  add(run: SeedRun): void {
    this.seedsRun++;
    if (run.verdict !== "pass") {
      this.failedCount++;
      if (this.failingSeeds.length < 100) this.failingSeeds.push(run.seed);
    }
    this.stats.merge(run.accumulator);
    for (const [k, v] of Object.entries(run.check.metrics)) {
      const m = this.metrics.get(k) ?? { sum: 0, n: 0, max: Number.NEGATIVE_INFINITY };
      m.sum += v;
      m.n++;
      m.max = Math.max(m.max, v);
      this.metrics.set(k, m);
    }
    this.addNodes(run.nodes);
  }

  addNodes(nodes: readonly NodeReport[]): void {
    for (const n of nodes) {
      for (const p of n.problems) {
        const byKind = this.nodeProblems.get(n.id) ?? new Map<string, number>();
        byKind.set(p.kind, (byKind.get(p.kind) ?? 0) + 1);
        this.nodeProblems.set(n.id, byKind);
      }
    }
  }

  merge(o: SweepAccumulator): void {
    this.seedsRun += o.seedsRun;
    this.failedCount += o.failedCount;
    for (const s of o.failingSeeds) if (this.failingSeeds.length < 100) this.failingSeeds.push(s);
    this.failingSeeds.sort((a, b) => a - b);
    this.stats.merge(o.stats);
    for (const [k, v] of o.metrics) {
      const m = this.metrics.get(k) ?? { sum: 0, n: 0, max: Number.NEGATIVE_INFINITY };
      m.sum += v.sum;
      m.n += v.n;
      m.max = Math.max(m.max, v.max);
      this.metrics.set(k, m);
    }
    for (const [node, kinds] of o.nodeProblems) {
      const byKind = this.nodeProblems.get(node) ?? new Map<string, number>();
      for (const [k, c] of kinds) byKind.set(k, (byKind.get(k) ?? 0) + c);
      this.nodeProblems.set(node, byKind);
    }
  }

  result(workload: string, failure?: WorkloadFailure): WorkloadResult {
    const metrics: Record<string, { mean: number; max: number }> = {};
    for (const [k, m] of [...this.metrics.entries()].sort((a, b) => a[0].localeCompare(b[0])))
      metrics[k] = { mean: round(m.sum / Math.max(1, m.n)), max: round(m.max) };
    const nodeProblems: Record<string, Record<string, number>> = {};
    for (const [node, kinds] of [...this.nodeProblems.entries()].sort())
      nodeProblems[node] = Object.fromEntries(kinds);
    return {
      workload,
      valid: this.failedCount === 0,
      seedsRun: this.seedsRun,
      failingSeeds: [...this.failingSeeds],
      failedCount: this.failedCount,
      stats: this.stats.stats(),
      metrics,
      nodeProblems,
      ...(failure !== undefined ? { failure } : {}),
    };
  }
}

/** @internal Builds the failure record for a failing seed (shrinking, replaying, drawing). */
export function buildFailure(r: ResolvedRun, seed: number, options: RunWorkloadOptions): WorkloadFailure {
  const schedule = scheduleOf(r, seed);
  const shrunk =
    options.shrink === false
      ? { schedule, steps: 0, interrupted: false }
      : shrinkFailure(r, seed, schedule, options.shrinkTimeLimitMs ?? 30_000);
  const pictures = options.pictures !== false;
  const run = runSeed(r.spec, seed, shrunk.schedule, pictures ? "full" : "off");
  return {
    seed,
    schedule,
    shrunkSchedule: shrunk.schedule,
    shrinkSteps: shrunk.steps,
    shrinkInterrupted: shrunk.interrupted,
    scheduleText: describeSchedule(shrunk.schedule),
    run,
    problems: run.problems,
    ...(pictures ? { pictures: picturesOf(run, r.spec.workload.name) } : {}),
    replayCode: `replayWorkload(options, ${seed}, ${JSON.stringify(shrunk.schedule)})`,
  };
}

/**
 * Runs `workload` against the node factory for every seed (each seed: a fresh simulation, its own
 * drawn fault schedule), checks each run with the workload's checker and the node sandbox, and on
 * the first failure shrinks the schedule with fast-check, replays it with a full trace and draws it.
 *
 * @example
 * ```ts
 * import { broadcast, formatResult, runWorkload } from "@distkit/workbench";
 *
 * const result = runWorkload({ workload: broadcast(), nodes: myNode, nodeCount: 5, seeds: 100, nemesis: ["partition"] });
 * console.log(formatResult(result));
 * if (!result.valid) console.log(result.failure?.seed, result.failure?.scheduleText);
 * ```
 */
export function runWorkload(options: RunWorkloadOptions): WorkloadResult {
  const r = resolveRun(options);
  const seeds = seedList(options.seeds ?? 20);
  const sweep = new SweepAccumulator();
  let firstFailing: number | undefined;
  for (const seed of seeds) {
    const run = runSeed(r.spec, seed, scheduleOf(r, seed));
    sweep.add(run);
    options.onSeed?.(run, sweep.seedsRun, seeds.length);
    if (run.verdict !== "pass") {
      firstFailing ??= seed;
      if (options.stopOnFailure !== false) break;
    }
  }
  const failure = firstFailing === undefined ? undefined : buildFailure(r, firstFailing, options);
  return sweep.result(r.spec.workload.name, failure);
}

/**
 * Asserts that the protocol passes the workload (for vitest or any test runner): throws a
 * {@link WorkbenchError} `workload-failed` whose message has the failing seed, the shrunk schedule
 * and what went wrong; returns the result otherwise.
 *
 * @example
 * ```ts
 * it("my broadcast survives partitions", () => {
 *   assertWorkload({ workload: broadcast(), nodes: myNode, nodeCount: 5, seeds: 50, nemesis: ["partition"] });
 * });
 * ```
 */
export function assertWorkload(options: RunWorkloadOptions): WorkloadResult {
  const result = runWorkload({ pictures: false, ...options });
  if (!result.valid) throw new WorkbenchError("workload-failed", formatResult(result));
  return result;
}

/**
 * A fast-check property over (seed, fault schedule) for the workload: use it with `fc.assert` or
 * `@fast-check/vitest` when you want fast-check to drive seeds and shrinking itself.
 *
 * @example
 * ```ts
 * fc.assert(workloadProperty({ workload: gCounter(), nodes: myCounter, nemesis: ["partition"] }), { numRuns: 30 });
 * ```
 */
export function workloadProperty(
  options: RunWorkloadOptions,
): fc.IPropertyWithHooks<[number, FaultSchedule]> {
  const r = resolveRun(options);
  const schedules = r.arbitrary ?? fc.constant(r.fixed as FaultSchedule);
  return fc.property(fc.integer({ min: 1, max: 0x7fffffff }), schedules, (seed, schedule) => {
    const run = runSeed(r.spec, seed, schedule);
    if (run.verdict !== "pass")
      throw new WorkbenchError(
        "workload-failed",
        `seed ${seed} ${run.verdict}:\n  ${run.problems.slice(0, 8).join("\n  ")}`,
      );
  });
}

/**
 * A text summary of a result: verdict, statistics table, workload metrics, node problems and the
 * failure (seed, shrunk schedule, problems, replay line).
 *
 * @example
 * ```ts
 * console.log(formatResult(runWorkload(options)));
 * ```
 */
export function formatResult(result: WorkloadResult, replayCommand?: string): string {
  const s = result.stats;
  const lines = [
    `${result.workload}: ${result.valid ? "PASS" : "FAIL"} (${result.seedsRun} seed${result.seedsRun === 1 ? "" : "s"}, ${result.failedCount} failing)`,
    "",
    "| operations | ok | fail | info | availability | p50 ms | p95 ms | p99 ms | max ms | msgs/op |",
    "|---|---|---|---|---|---|---|---|---|---|",
    `| ${s.operations.total} | ${s.operations.ok} | ${s.operations.fail} | ${s.operations.info} | ${(s.availability * 100).toFixed(1)}% | ${s.latencyMs.p50} | ${s.latencyMs.p95} | ${s.latencyMs.p99} | ${s.latencyMs.max} | ${s.messagesPerOperation} |`,
  ];
  const metricNames = Object.keys(result.metrics);
  if (metricNames.length > 0) {
    lines.push("", "| metric | mean over seeds | max |", "|---|---|---|");
    for (const k of metricNames) {
      const m = result.metrics[k] as { mean: number; max: number };
      lines.push(`| ${k} | ${m.mean} | ${m.max} |`);
    }
  }
  const problemNodes = Object.entries(result.nodeProblems);
  if (problemNodes.length > 0) {
    lines.push("", "node problems (seeds affected):");
    for (const [node, kinds] of problemNodes)
      lines.push(
        `  ${node}: ${Object.entries(kinds)
          .map(([k, c]) => `${k} ${c}`)
          .join(", ")}`,
      );
  }
  const f = result.failure;
  if (f !== undefined) {
    lines.push(
      "",
      `failing seed ${f.seed}; schedule shrunk from ${f.schedule.length} to ${f.shrunkSchedule.length} fault events in ${f.shrinkSteps} steps${f.shrinkInterrupted ? " (time limit reached)" : ""}:`,
      ...f.scheduleText.map((l) => `  ${l}`),
      "what went wrong:",
      ...f.problems.slice(0, 12).map((l) => `  ${l}`),
      "replay (the shrunk schedule as JSON):",
      `  ${replayCommand ?? f.replayCode}`,
    );
  }
  return lines.join("\n");
}
