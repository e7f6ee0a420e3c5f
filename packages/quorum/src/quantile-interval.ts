import { QuorumError } from "./errors.js";

/**
 * The q-quantile (nearest rank) of an ascending array (NaN when empty).
 *
 * @example
 * ```ts
 * import { quantile } from "@distkit/quorum";
 * quantile([1, 2, 3, 4], 0.5); // 2
 * ```
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

/**
 * A quantile estimate with a distribution-free confidence interval (see {@link quantileConfidenceInterval}).
 *
 * @example
 * ```ts
 * import type { QuantileInterval } from "@distkit/quorum";
 * const show = (i: QuantileInterval) => `${i.estimate} [${i.low}, ${i.high}] (${i.confidence * 100}%)`;
 * ```
 */
export interface QuantileInterval {
  /** The quantile asked for, e.g. 0.999. */
  readonly quantile: number;
  /** The coverage asked for, e.g. 0.95. */
  readonly confidence: number;
  /** Number of samples. */
  readonly samples: number;
  /** Nearest-rank estimate of the quantile (NaN without samples). */
  readonly estimate: number;
  /** Lower end: the sample of rank `lowRank`, or -Infinity when too few samples lie below the quantile. */
  readonly low: number;
  /** Upper end: the sample of rank `highRank`, or +Infinity when too few samples lie above it. */
  readonly high: number;
  /** 1-based rank of `low` (0 when unbounded). */
  readonly lowRank: number;
  /** 1-based rank of `high` (samples + 1 when unbounded). */
  readonly highRank: number;
}

/**
 * The q-quantile of an ascending sample with an order-statistic confidence interval: the number of samples
 * below the true quantile is Binomial(n, q), so [x_(l), x_(u)] covers it with probability
 * P(l <= B < u); l and u are chosen from the exact binomial distribution so that each tail holds at most
 * (1 - confidence) / 2. No assumption about the distribution of the samples; ties and atoms are fine.
 * With too few samples one side is unbounded (for q = 0.999 and 95%, at least 3,688 samples are needed for
 * a finite upper end: 0.999^n <= 0.025).
 *
 * @example
 * ```ts
 * import { quantileConfidenceInterval } from "@distkit/quorum";
 * const xs = Array.from({ length: 10_000 }, (_, i) => i / 10_000); // uniform on [0, 1)
 * const ci = quantileConfidenceInterval(xs, 0.999, 0.95);
 * // ci.estimate 0.9989, ci.low about 0.9983, ci.high about 0.9995
 * ```
 */
export function quantileConfidenceInterval(
  sorted: ArrayLike<number>,
  q: number,
  confidence = 0.95,
): QuantileInterval {
  if (!(q > 0 && q < 1)) {
    throw new QuorumError("invalid-config", `quantile q = ${q}; accepted: a number strictly between 0 and 1`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new QuorumError(
      "invalid-config",
      `confidence = ${confidence}; accepted: a number strictly between 0 and 1`,
    );
  }
  const n = sorted.length;
  const estimate = quantile(sorted, q);
  if (n === 0) {
    return {
      quantile: q,
      confidence,
      samples: 0,
      estimate,
      low: -Infinity,
      high: Infinity,
      lowRank: 0,
      highRank: 1,
    };
  }
  // cdf[k] = P(B <= k) for B ~ Binomial(n, q), computed in log space (q near 1 underflows otherwise).
  const logRatio = Math.log(q / (1 - q));
  const logPmf = new Float64Array(n + 1);
  logPmf[0] = n * Math.log1p(-q);
  let max = logPmf[0] as number;
  for (let k = 0; k < n; k++) {
    const next = (logPmf[k] as number) + Math.log((n - k) / (k + 1)) + logRatio;
    logPmf[k + 1] = next;
    if (next > max) max = next;
  }
  const cdf = new Float64Array(n + 1);
  let total = 0;
  for (let k = 0; k <= n; k++) {
    total += Math.exp((logPmf[k] as number) - max);
    cdf[k] = total;
  }
  for (let k = 0; k <= n; k++) cdf[k] = (cdf[k] as number) / total;
  const tail = (1 - confidence) / 2;
  // Lower end x_(l): P(B <= l - 1) <= tail, the largest such l (l = 0: unbounded).
  let lowRank = 0;
  for (let l = n; l >= 1; l--) {
    if ((cdf[l - 1] as number) <= tail) {
      lowRank = l;
      break;
    }
  }
  // Upper end x_(u): P(B <= u - 1) >= 1 - tail, the smallest such u (u = n + 1: unbounded).
  let highRank = n + 1;
  for (let u = 1; u <= n; u++) {
    if ((cdf[u - 1] as number) >= 1 - tail) {
      highRank = u;
      break;
    }
  }
  return {
    quantile: q,
    confidence,
    samples: n,
    estimate,
    low: lowRank === 0 ? -Infinity : (sorted[lowRank - 1] as number),
    high: highRank === n + 1 ? Infinity : (sorted[highRank - 1] as number),
    lowRank,
    highRank,
  };
}
