/**
 * Latency distributions: plain data describing how long a message takes on a link.
 *
 * @module
 */
import type { Message, NodeId, Random } from "./contract.js";
import { SimNetError } from "./errors.js";
import type { SeededRandom } from "./random.js";

/**
 * How long a message takes to cross a link, in milliseconds (fractions allowed). Plain data except
 * `custom`, whose sampler sees the message (e.g. to give each message type its own latency).
 *
 * - `constant`: always `ms` (>= 0).
 * - `uniform`: uniform in [`minMs`, `maxMs`] (0 <= minMs <= maxMs).
 * - `normal`: normal with `meanMs` and `stdDevMs` (both >= 0); negative samples are clamped to 0.
 * - `exponential`: exponential with `meanMs` (> 0).
 * - `pareto`: Pareto type I with minimum `scaleMs` (> 0) and tail index `shape` (> 0); heavy-tailed.
 * - `mixture`: picks one component with probability proportional to its `weight` (>= 0, sum > 0).
 * - `custom`: `sample(random, message, from, to)` must return a finite number >= 0.
 *
 * @example
 * ```ts
 * const lan: LatencyDistribution = { kind: "normal", meanMs: 0.5, stdDevMs: 0.1 };
 * const wanWithTail: LatencyDistribution = {
 *   kind: "mixture",
 *   components: [
 *     { weight: 0.99, distribution: { kind: "uniform", minMs: 40, maxMs: 60 } },
 *     { weight: 0.01, distribution: { kind: "pareto", scaleMs: 100, shape: 1.5 } },
 *   ],
 * };
 * ```
 */
export type LatencyDistribution =
  | { readonly kind: "constant"; readonly ms: number }
  | { readonly kind: "uniform"; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: "normal"; readonly meanMs: number; readonly stdDevMs: number }
  | { readonly kind: "exponential"; readonly meanMs: number }
  | { readonly kind: "pareto"; readonly scaleMs: number; readonly shape: number }
  | { readonly kind: "mixture"; readonly components: readonly MixtureComponent[] }
  | { readonly kind: "custom"; readonly sample: LatencySampler };

/**
 * One weighted component of a `mixture` latency distribution.
 *
 * @example
 * ```ts
 * const slowPath: MixtureComponent = { weight: 0.05, distribution: { kind: "constant", ms: 200 } };
 * ```
 */
export interface MixtureComponent {
  /** Relative weight (>= 0); weights need not sum to 1. */
  readonly weight: number;
  /** The distribution sampled when this component is chosen. */
  readonly distribution: LatencyDistribution;
}

/**
 * A user-supplied latency sampler: returns the latency in ms (finite, >= 0) of one message.
 *
 * @example
 * ```ts
 * const sample: LatencySampler = (random, message) => (message.type === "bulk" ? 20 : 1) + random.next();
 * ```
 */
export type LatencySampler = (random: Random, message: Message, from: NodeId, to: NodeId) => number;

/** @internal A compiled sampler. */
export type CompiledSampler = (random: SeededRandom, message: Message, from: NodeId, to: NodeId) => number;

const MAX_MIXTURE_DEPTH = 8;

function fail(what: string, accepted: string, got: unknown): never {
  throw new SimNetError(
    "invalid-distribution",
    `latency distribution ${what}: accepted ${accepted}, got ${safeString(got)}`,
  );
}

function safeString(value: unknown): string {
  if (typeof value === "function") return "a function";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isFiniteNonNegative(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x) && x >= 0;
}

function isFinitePositive(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x) && x > 0;
}

/**
 * Checks a latency distribution and throws a {@link SimNetError} (code `invalid-distribution`) that
 * says which parameter is wrong and what is accepted.
 *
 * @example
 * ```ts
 * validateLatency({ kind: "uniform", minMs: 1, maxMs: 5 }); // ok
 * validateLatency({ kind: "uniform", minMs: 5, maxMs: 1 }); // throws
 * ```
 */
export function validateLatency(distribution: LatencyDistribution, depth = 0): void {
  if (typeof distribution !== "object" || distribution === null) {
    fail("must be an object", "{ kind: 'constant' | 'uniform' | ... }", distribution);
  }
  const d = distribution as LatencyDistribution;
  switch (d.kind) {
    case "constant":
      if (!isFiniteNonNegative(d.ms)) fail("constant.ms", "a finite number >= 0", d.ms);
      return;
    case "uniform":
      if (!isFiniteNonNegative(d.minMs)) fail("uniform.minMs", "a finite number >= 0", d.minMs);
      if (!isFiniteNonNegative(d.maxMs) || d.maxMs < d.minMs) {
        fail("uniform.maxMs", `a finite number >= minMs (${d.minMs})`, d.maxMs);
      }
      return;
    case "normal":
      if (!isFiniteNonNegative(d.meanMs)) fail("normal.meanMs", "a finite number >= 0", d.meanMs);
      if (!isFiniteNonNegative(d.stdDevMs)) fail("normal.stdDevMs", "a finite number >= 0", d.stdDevMs);
      return;
    case "exponential":
      if (!isFinitePositive(d.meanMs)) fail("exponential.meanMs", "a finite number > 0", d.meanMs);
      return;
    case "pareto":
      if (!isFinitePositive(d.scaleMs)) fail("pareto.scaleMs", "a finite number > 0", d.scaleMs);
      if (!isFinitePositive(d.shape)) fail("pareto.shape", "a finite number > 0", d.shape);
      return;
    case "mixture": {
      if (depth >= MAX_MIXTURE_DEPTH) fail("mixture", `nesting depth < ${MAX_MIXTURE_DEPTH}`, depth);
      if (!Array.isArray(d.components) || d.components.length === 0) {
        fail("mixture.components", "a non-empty array of { weight, distribution }", d.components);
      }
      let total = 0;
      for (const c of d.components) {
        if (typeof c !== "object" || c === null) fail("mixture component", "{ weight, distribution }", c);
        if (!isFiniteNonNegative(c.weight))
          fail("mixture component weight", "a finite number >= 0", c.weight);
        total += c.weight;
        validateLatency(c.distribution, depth + 1);
      }
      if (!(total > 0)) fail("mixture weights", "weights summing to more than 0", total);
      return;
    }
    case "custom":
      if (typeof d.sample !== "function")
        fail("custom.sample", "a function (random, message, from, to) => ms", d.sample);
      return;
    default:
      fail(
        "kind",
        "'constant' | 'uniform' | 'normal' | 'exponential' | 'pareto' | 'mixture' | 'custom'",
        (d as { kind?: unknown }).kind,
      );
  }
}

function checkSample(ms: number): number {
  if (typeof ms !== "number" || !(ms >= 0) || ms === Number.POSITIVE_INFINITY) {
    throw new SimNetError(
      "invalid-distribution",
      `custom latency sampler returned ${String(ms)}; accepted: a finite number >= 0 (milliseconds)`,
    );
  }
  return ms;
}

/**
 * Compiles a (validated) distribution into a sampling function.
 * @internal
 */
export function compileLatency(distribution: LatencyDistribution): CompiledSampler {
  validateLatency(distribution);
  return compile(distribution);
}

function compile(d: LatencyDistribution): CompiledSampler {
  switch (d.kind) {
    case "constant": {
      const ms = d.ms;
      return () => ms;
    }
    case "uniform": {
      const min = d.minMs;
      const width = d.maxMs - d.minMs;
      return (r) => min + r.next() * width;
    }
    case "normal": {
      const mean = d.meanMs;
      const sd = d.stdDevMs;
      return (r) => {
        const x = mean + sd * r.normal();
        return x > 0 ? x : 0;
      };
    }
    case "exponential": {
      const mean = d.meanMs;
      return (r) => -mean * Math.log(1 - r.next());
    }
    case "pareto": {
      const scale = d.scaleMs;
      const inv = 1 / d.shape;
      return (r) => {
        const x = scale / (1 - r.next()) ** inv;
        return Number.isFinite(x) ? x : Number.MAX_VALUE;
      };
    }
    case "mixture": {
      const samplers = d.components.map((c) => compile(c.distribution));
      const total = d.components.reduce((s, c) => s + c.weight, 0);
      const cumulative: number[] = [];
      let acc = 0;
      for (const c of d.components) {
        acc += c.weight / total;
        cumulative.push(acc);
      }
      const last = samplers.length - 1;
      return (r, m, from, to) => {
        const u = r.next();
        let i = 0;
        while (i < last && u >= (cumulative[i] as number)) i++;
        return (samplers[i] as CompiledSampler)(r, m, from, to);
      };
    }
    case "custom": {
      const sample = d.sample;
      return (r, m, from, to) => checkSample(sample(r, m, from, to));
    }
  }
}

/**
 * Draws one latency (ms) from `distribution` with `random`. Useful to preview a distribution.
 *
 * @example
 * ```ts
 * const random = new SeededRandom(1);
 * const ms = sampleLatency({ kind: "exponential", meanMs: 10 }, random);
 * ```
 */
export function sampleLatency(
  distribution: LatencyDistribution,
  random: SeededRandom,
  message: Message = { type: "sample" },
  from: NodeId = "",
  to: NodeId = "",
): number {
  return compileLatency(distribution)(random, message, from, to);
}

/**
 * The distribution as JSON-safe data (a `custom` sampler becomes `{ kind: "custom" }`).
 * @internal
 */
export function latencyToJSON(d: LatencyDistribution): unknown {
  if (d.kind === "custom") return { kind: "custom" };
  if (d.kind === "mixture") {
    return {
      kind: "mixture",
      components: d.components.map((c) => ({
        weight: c.weight,
        distribution: latencyToJSON(c.distribution),
      })),
    };
  }
  return d;
}
