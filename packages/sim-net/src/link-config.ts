/**
 * Link configuration: latency and faults of a directed link, or of the whole network.
 *
 * @module
 */
import { SimNetError, assertProbability } from "./errors.js";
import { type LatencyDistribution, latencyToJSON, validateLatency } from "./latency.js";

/**
 * Behaviour of a directed link (or the network default every link starts from).
 *
 * @example
 * ```ts
 * const lossy: LinkConfig = {
 *   latency: { kind: "uniform", minMs: 1, maxMs: 10 },
 *   lossRate: 0.05,
 *   duplicateRate: 0.01,
 *   fifo: false,
 *   clogged: false,
 * };
 * ```
 */
export interface LinkConfig {
  /** How long a message takes to cross the link. */
  readonly latency: LatencyDistribution;
  /** Probability in [0, 1] that a message is silently lost. */
  readonly lossRate: number;
  /** Probability in [0, 1] that a delivered message is delivered a second time (own latency). */
  readonly duplicateRate: number;
  /** When true, messages on this link are delivered in send order (delivery times are clamped). */
  readonly fifo: boolean;
  /** When true, arriving messages are held (not lost) until the link is unclogged. */
  readonly clogged: boolean;
}

/**
 * The network default: constant 1 ms latency, no loss, no duplication, non-FIFO, not clogged.
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 1, network: { ...DEFAULT_LINK_CONFIG, lossRate: 0.1 } });
 * ```
 */
export const DEFAULT_LINK_CONFIG: LinkConfig = Object.freeze({
  latency: Object.freeze({ kind: "constant", ms: 1 }) as LatencyDistribution,
  lossRate: 0,
  duplicateRate: 0,
  fifo: false,
  clogged: false,
});

/**
 * Validates a (partial) link configuration, throwing {@link SimNetError} on bad input.
 *
 * @example
 * ```ts
 * validateLinkConfig({ lossRate: 0.1 }); // ok
 * validateLinkConfig({ lossRate: 2 }); // throws: probability outside [0, 1]
 * ```
 */
export function validateLinkConfig(config: Partial<LinkConfig>): void {
  if (typeof config !== "object" || config === null) {
    throw new SimNetError("invalid-argument", `link config must be an object, got ${String(config)}`);
  }
  const allowed = new Set(["latency", "lossRate", "duplicateRate", "fifo", "clogged"]);
  for (const key of Object.keys(config)) {
    if (!allowed.has(key)) {
      throw new SimNetError(
        "invalid-argument",
        `unknown link config field "${key}"; accepted: latency, lossRate, duplicateRate, fifo, clogged`,
      );
    }
  }
  if (config.latency !== undefined) validateLatency(config.latency);
  if (config.lossRate !== undefined) assertProbability(config.lossRate, "lossRate");
  if (config.duplicateRate !== undefined) assertProbability(config.duplicateRate, "duplicateRate");
  if (config.fifo !== undefined && typeof config.fifo !== "boolean") {
    throw new SimNetError("invalid-argument", `fifo must be a boolean, got ${String(config.fifo)}`);
  }
  if (config.clogged !== undefined && typeof config.clogged !== "boolean") {
    throw new SimNetError("invalid-argument", `clogged must be a boolean, got ${String(config.clogged)}`);
  }
}

/**
 * Merges defined fields of `patch` over `base`.
 * @internal
 */
export function mergeLinkConfig(base: LinkConfig, patch: Partial<LinkConfig>): LinkConfig {
  return {
    latency: patch.latency ?? base.latency,
    lossRate: patch.lossRate ?? base.lossRate,
    duplicateRate: patch.duplicateRate ?? base.duplicateRate,
    fifo: patch.fifo ?? base.fifo,
    clogged: patch.clogged ?? base.clogged,
  };
}

/**
 * JSON-safe copy of a partial link config.
 * @internal
 */
export function linkConfigToJSON(config: Partial<LinkConfig>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (config.latency !== undefined) out["latency"] = latencyToJSON(config.latency);
  if (config.lossRate !== undefined) out["lossRate"] = config.lossRate;
  if (config.duplicateRate !== undefined) out["duplicateRate"] = config.duplicateRate;
  if (config.fifo !== undefined) out["fifo"] = config.fifo;
  if (config.clogged !== undefined) out["clogged"] = config.clogged;
  return out;
}
