/**
 * Testing helpers for @distkit/sim-net: fast-check arbitraries that generate fault schedules and link
 * configs, and helpers that run a property over many seeds and report the failing seed and the shrunk
 * schedule (as JSON) so the failure can be replayed. Needs `fast-check` (an optional peer dependency).
 *
 * @module
 */
import * as fc from "fast-check";
import type { NodeId } from "./contract.js";
import { SimNetError, assertPositiveInteger } from "./errors.js";
import { FAULT_KINDS, type FaultEvent, type FaultKind, type FaultSchedule } from "./fault-schedule.js";
import type { LatencyDistribution } from "./latency.js";
import type { LinkConfig } from "./link-config.js";

/**
 * Options of {@link faultScheduleArb}.
 *
 * @example
 * ```ts
 * const options: FaultScheduleArbOptions = { nodeIds: ["n1", "n2", "n3"], durationMs: 2000, maxFaults: 8 };
 * ```
 */
export interface FaultScheduleArbOptions {
  /** Nodes the faults may target (at least 1; partitions need at least 2). */
  readonly nodeIds: readonly NodeId[];
  /** Faults happen at integer times in [0, durationMs). */
  readonly durationMs: number;
  /** Most faults in one schedule (before the recovery tail); default 10. */
  readonly maxFaults?: number;
  /**
   * Kinds to draw from; default every kind except `network`, `link` and `storage` (those change the
   * run's configuration in ways the recovery tail cannot undo).
   */
  readonly kinds?: readonly FaultKind[];
  /**
   * When true (default), the schedule ends at `durationMs` with a recovery tail: heal, unclog every
   * link, resume and restart every node. Liveness properties can then be checked after `durationMs`.
   */
  readonly recoverAtEnd?: boolean;
  /** Largest absolute clock offset (ms) of `clock` faults; default 1000. */
  readonly maxClockOffsetMs?: number;
  /** Largest absolute clock drift (ppm) of `clock` faults; default 500. */
  readonly maxDriftPpm?: number;
  /** Options for the configs of `network` and `link` faults. */
  readonly linkConfig?: LinkConfigArbOptions;
}

/**
 * Options of {@link linkConfigArb}.
 *
 * @example
 * ```ts
 * const arb = linkConfigArb({ maxLossRate: 0.2, maxLatencyMs: 50 });
 * ```
 */
export interface LinkConfigArbOptions {
  /** Largest loss rate drawn; default 0.3. */
  readonly maxLossRate?: number;
  /** Largest duplication rate drawn; default 0.2. */
  readonly maxDuplicateRate?: number;
  /** Scale (ms) of the latencies drawn; default 20. */
  readonly maxLatencyMs?: number;
  /** Whether `clogged` may be drawn; default false (a clogged network needs an explicit unclog). */
  readonly allowClogged?: boolean;
}

const DEFAULT_KINDS: readonly FaultKind[] = FAULT_KINDS.filter(
  (k) => k !== "network" && k !== "link" && k !== "storage",
);

/**
 * An arbitrary latency distribution (every kind except `custom`), with means up to `maxLatencyMs`.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(latencyDistributionArb(), (d) => { validateLatency(d); }));
 * ```
 */
export function latencyDistributionArb(maxLatencyMs = 20): fc.Arbitrary<LatencyDistribution> {
  const ms = fc.double({ min: 0, max: maxLatencyMs, noNaN: true, noDefaultInfinity: true });
  const positive = fc.double({
    min: 0.01,
    max: Math.max(0.02, maxLatencyMs),
    noNaN: true,
    noDefaultInfinity: true,
  });
  const simple: fc.Arbitrary<LatencyDistribution> = fc.oneof(
    ms.map((v): LatencyDistribution => ({ kind: "constant", ms: v })),
    fc
      .tuple(ms, ms)
      .map(
        ([a, b]): LatencyDistribution => ({ kind: "uniform", minMs: Math.min(a, b), maxMs: Math.max(a, b) }),
      ),
    fc.tuple(ms, ms).map(([m, s]): LatencyDistribution => ({ kind: "normal", meanMs: m, stdDevMs: s / 4 })),
    positive.map((m): LatencyDistribution => ({ kind: "exponential", meanMs: m })),
    fc
      .tuple(positive, fc.double({ min: 1.1, max: 5, noNaN: true }))
      .map(([scale, shape]): LatencyDistribution => ({ kind: "pareto", scaleMs: scale / 4, shape })),
  );
  return fc.oneof(
    { weight: 5, arbitrary: simple },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.record({ weight: fc.double({ min: 0.1, max: 10, noNaN: true }), distribution: simple }), {
          minLength: 1,
          maxLength: 3,
        })
        .map((components): LatencyDistribution => ({ kind: "mixture", components })),
    },
  );
}

/**
 * An arbitrary partial {@link LinkConfig} (latency, loss, duplication, FIFO; clogging only when allowed).
 *
 * @example
 * ```ts
 * fc.assert(fc.property(linkConfigArb(), (config) => { sim.setNetwork(config); }));
 * ```
 */
export function linkConfigArb(options: LinkConfigArbOptions = {}): fc.Arbitrary<Partial<LinkConfig>> {
  const maxLoss = options.maxLossRate ?? 0.3;
  const maxDup = options.maxDuplicateRate ?? 0.2;
  return fc.record(
    {
      latency: latencyDistributionArb(options.maxLatencyMs ?? 20),
      lossRate: fc.double({ min: 0, max: maxLoss, noNaN: true }),
      duplicateRate: fc.double({ min: 0, max: maxDup, noNaN: true }),
      fifo: fc.boolean(),
      clogged: options.allowClogged === true ? fc.boolean() : fc.constant(false),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<Partial<LinkConfig>>;
}

/**
 * An arbitrary fault schedule over `nodeIds` and `[0, durationMs)`, sorted by time, ending (by default)
 * with a recovery tail at `durationMs`. Shrinks towards fewer, simpler faults.
 *
 * @example
 * ```ts
 * fc.assert(
 *   fc.property(faultScheduleArb({ nodeIds: ["a", "b", "c"], durationMs: 1000 }), (schedule) => {
 *     const sim = makeSim();
 *     sim.applySchedule(schedule);
 *     sim.runFor(2000);
 *     return everyoneAgrees(sim);
 *   }),
 * );
 * ```
 */
export function faultScheduleArb(options: FaultScheduleArbOptions): fc.Arbitrary<FaultSchedule> {
  const ids = [...options.nodeIds];
  if (ids.length === 0)
    throw new SimNetError("invalid-argument", "faultScheduleArb needs at least one node id");
  if (
    typeof options.durationMs !== "number" ||
    !(options.durationMs >= 1) ||
    !Number.isFinite(options.durationMs)
  ) {
    throw new SimNetError(
      "invalid-argument",
      `faultScheduleArb durationMs must be a finite number >= 1, got ${String(options.durationMs)}`,
    );
  }
  const maxFaults = options.maxFaults ?? 10;
  if (!Number.isSafeInteger(maxFaults) || maxFaults < 0) {
    throw new SimNetError("invalid-argument", `maxFaults must be an integer >= 0, got ${String(maxFaults)}`);
  }
  const kinds = (options.kinds ?? DEFAULT_KINDS).filter((k) => {
    if (!FAULT_KINDS.includes(k)) {
      throw new SimNetError(
        "invalid-argument",
        `unknown fault kind "${k}"; accepted: ${FAULT_KINDS.join(", ")}`,
      );
    }
    const needsTwo =
      k === "partition" || k === "partition-one-way" || k === "clog" || k === "unclog" || k === "link";
    return !(needsTwo && ids.length < 2);
  });
  if (kinds.length === 0)
    throw new SimNetError("invalid-argument", "faultScheduleArb has no usable fault kinds");
  const atMs = fc.integer({ min: 0, max: Math.max(0, Math.ceil(options.durationMs) - 1) });
  const node = fc.constantFrom(...ids);
  const pair = fc
    .tuple(fc.nat({ max: ids.length - 1 }), fc.nat({ max: Math.max(0, ids.length - 2) }))
    .map(([i, j]) => {
      const from = ids[i] as NodeId;
      const to = ids[j >= i ? j + 1 : j] as NodeId;
      return { from, to };
    });
  const split = fc.array(fc.boolean(), { minLength: ids.length, maxLength: ids.length }).map((sides) => {
    const a: NodeId[] = [];
    const b: NodeId[] = [];
    ids.forEach((id, i) => {
      (sides[i] ? a : b).push(id);
    });
    if (a.length === 0) a.push(b.shift() as NodeId);
    if (b.length === 0) b.push(a.pop() as NodeId);
    return [a, b] as const;
  });
  const maxOffset = options.maxClockOffsetMs ?? 1000;
  const maxDrift = options.maxDriftPpm ?? 500;
  const byKind: Record<FaultKind, fc.Arbitrary<FaultEvent>> = {
    partition: fc
      .tuple(atMs, split)
      .map(([t, [a, b]]): FaultEvent => ({ atMs: t, kind: "partition", groups: [a, b] })),
    "partition-one-way": fc
      .tuple(atMs, split)
      .map(([t, [a, b]]): FaultEvent => ({ atMs: t, kind: "partition-one-way", from: a, to: b })),
    isolate: fc.tuple(atMs, node).map(([t, n]): FaultEvent => ({ atMs: t, kind: "isolate", node: n })),
    heal: atMs.map((t): FaultEvent => ({ atMs: t, kind: "heal" })),
    crash: fc
      .tuple(atMs, node, fc.boolean())
      .map(([t, n, torn]): FaultEvent => ({ atMs: t, kind: "crash", node: n, tornWrites: torn })),
    restart: fc.tuple(atMs, node).map(([t, n]): FaultEvent => ({ atMs: t, kind: "restart", node: n })),
    pause: fc.tuple(atMs, node).map(([t, n]): FaultEvent => ({ atMs: t, kind: "pause", node: n })),
    resume: fc.tuple(atMs, node).map(([t, n]): FaultEvent => ({ atMs: t, kind: "resume", node: n })),
    clock: fc
      .tuple(
        atMs,
        node,
        fc.integer({ min: -maxOffset, max: maxOffset }),
        fc.integer({ min: -maxDrift, max: maxDrift }),
      )
      .map(
        ([t, n, offsetMs, driftPpm]): FaultEvent => ({ atMs: t, kind: "clock", node: n, offsetMs, driftPpm }),
      ),
    storage: fc
      .tuple(atMs, node, fc.constantFrom(0, 0.1, 0.5, 1))
      .map(([t, n, rate]): FaultEvent => ({ atMs: t, kind: "storage", node: n, lostSyncRate: rate })),
    network: fc
      .tuple(atMs, linkConfigArb(options.linkConfig))
      .map(([t, config]): FaultEvent => ({ atMs: t, kind: "network", config })),
    link: fc
      .tuple(atMs, pair, linkConfigArb(options.linkConfig))
      .map(([t, p, config]): FaultEvent => ({ atMs: t, kind: "link", from: p.from, to: p.to, config })),
    clog: fc
      .tuple(atMs, pair)
      .map(([t, p]): FaultEvent => ({ atMs: t, kind: "clog", from: p.from, to: p.to })),
    unclog: fc
      .tuple(atMs, pair)
      .map(([t, p]): FaultEvent => ({ atMs: t, kind: "unclog", from: p.from, to: p.to })),
  };
  const entry = fc.oneof(...kinds.map((k) => byKind[k]));
  const end = Math.ceil(options.durationMs);
  return fc.array(entry, { maxLength: maxFaults }).map((faults) => {
    const sorted = faults.map((f, i) => ({ f, i })).sort((x, y) => x.f.atMs - y.f.atMs || x.i - y.i);
    const schedule: FaultEvent[] = sorted.map((x) => x.f);
    if (options.recoverAtEnd !== false) schedule.push(...recoveryTail(ids, end, schedule));
    return schedule;
  });
}

function recoveryTail(ids: readonly NodeId[], atMs: number, schedule: readonly FaultEvent[]): FaultEvent[] {
  const tail: FaultEvent[] = [{ atMs, kind: "heal" }];
  const clogged = new Set<string>();
  for (const f of schedule) {
    if (f.kind === "clog") clogged.add(JSON.stringify([f.from, f.to]));
  }
  for (const key of [...clogged].sort()) {
    const [from, to] = JSON.parse(key) as [NodeId, NodeId];
    tail.push({ atMs, kind: "unclog", from, to });
  }
  for (const id of ids) tail.push({ atMs, kind: "resume", node: id });
  for (const id of ids) tail.push({ atMs, kind: "restart", node: id });
  return tail;
}

/**
 * Options of {@link checkSeeds}.
 *
 * @example
 * ```ts
 * const options: CheckSeedsOptions = { numRuns: 30, schedule: { nodeIds: ["a", "b"], durationMs: 500 } };
 * ```
 */
export interface CheckSeedsOptions {
  /** How many (seed, schedule) cases to try; default 25. */
  readonly numRuns?: number;
  /** The fault schedules to draw (omit for an empty schedule every time). */
  readonly schedule?: FaultScheduleArbOptions;
  /** fast-check's own seed, to replay a whole check run (printed on failure). */
  readonly fcSeed?: number;
  /** fast-check's replay path (printed on failure), used together with `fcSeed`. */
  readonly fcPath?: string;
  /**
   * Swarm testing: also draw a network config per case (passed as the property's third argument and
   * printed on failure). Omit to pass `{}` every time.
   */
  readonly network?: LinkConfigArbOptions;
}

/**
 * A property over a simulation seed, a fault schedule and (when swarm testing) a network config:
 * return `false` or throw to fail.
 *
 * @example
 * ```ts
 * const property: SeedProperty = (seed, schedule, network) => runMyProtocol(seed, schedule, network).allDelivered;
 * ```
 */
export type SeedProperty = (
  seed: number,
  schedule: FaultSchedule,
  network: Partial<LinkConfig>,
) => boolean | void;

/**
 * Runs `property` over many simulation seeds, (when `options.schedule` is given) random fault
 * schedules and (when `options.network` is given) random network configs, shrinking failures with
 * fast-check. On failure it throws an `Error` whose message contains
 * the failing simulation seed, the shrunk schedule as JSON, the original error, and fast-check's seed
 * and path for replaying the whole check.
 *
 * @example
 * ```ts
 * checkSeeds({ numRuns: 30, schedule: { nodeIds: ["a", "b", "c"], durationMs: 1000 } }, (seed, schedule) => {
 *   const sim = makeSim(seed);
 *   sim.applySchedule(schedule);
 *   return sim.runUntil(() => allDelivered(sim), { timeoutMs: 10_000 });
 * });
 * ```
 */
export function checkSeeds(options: CheckSeedsOptions, property: SeedProperty): void {
  const numRuns = options.numRuns ?? 25;
  assertPositiveInteger(numRuns, "checkSeeds numRuns");
  const seedArb = fc.integer({ min: 0, max: 0x7fffffff });
  const scheduleArb: fc.Arbitrary<FaultSchedule> =
    options.schedule === undefined ? fc.constant([]) : faultScheduleArb(options.schedule);
  const networkArb: fc.Arbitrary<Partial<LinkConfig>> =
    options.network === undefined ? fc.constant({}) : linkConfigArb(options.network);
  const parameters: fc.Parameters<[number, FaultSchedule, Partial<LinkConfig>]> = {
    numRuns,
    ...(options.fcSeed !== undefined ? { seed: options.fcSeed } : {}),
    ...(options.fcPath !== undefined ? { path: options.fcPath } : {}),
  };
  const details = fc.check(
    fc.property(
      seedArb,
      scheduleArb,
      networkArb,
      (seed, schedule, network) => property(seed, schedule, network) !== false,
    ),
    parameters,
  );
  if (!details.failed) return;
  const counterexample = details.counterexample;
  const cause = details.errorInstance;
  const reason =
    cause instanceof Error
      ? `${cause.name}: ${cause.message}`
      : cause === null
        ? "the property returned false"
        : String(cause);
  if (counterexample === null) {
    throw new Error(
      `checkSeeds: property failed without a counterexample (fast-check seed ${details.seed}): ${reason}`,
      {
        cause,
      },
    );
  }
  const [seed, schedule, network] = counterexample;
  const networkText =
    options.network === undefined ? "" : `network config (JSON):\n${JSON.stringify(network)}\n`;
  throw new Error(
    `checkSeeds: property failed for simulation seed ${seed} ` +
      `after ${details.numRuns} run(s) and ${details.numShrinks} shrink(s).\n` +
      `failure: ${reason}\n` +
      `fault schedule (JSON, replay with sim.applySchedule):\n${JSON.stringify(schedule)}\n` +
      networkText +
      `replay the whole check with { fcSeed: ${details.seed}, fcPath: ${JSON.stringify(details.counterexamplePath)} }`,
    { cause },
  );
}

/**
 * Runs `check(seed)` for each seed (a list, or a count meaning seeds 1..count); on the first failure
 * throws an `Error` naming the seed, with the original error as `cause`. No fast-check needed.
 *
 * @example
 * ```ts
 * forEachSeed(20, (seed) => {
 *   const sim = makeSim(seed);
 *   sim.runFor(1000);
 *   if (!converged(sim)) throw new Error("did not converge");
 * });
 * ```
 */
export function forEachSeed(seeds: number | readonly number[], check: (seed: number) => void): void {
  if (typeof seeds === "number") assertPositiveInteger(seeds, "forEachSeed count");
  const list = typeof seeds === "number" ? Array.from({ length: seeds }, (_, i) => i + 1) : seeds;
  for (const seed of list) {
    try {
      check(seed);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`failed for seed ${seed}: ${message}`, { cause: error });
    }
  }
}
