import { type Message, type NodeId, type Random, Simulation } from "@distkit/sim-net";
import { QuorumError } from "./errors.js";
import { lwwPolicy } from "./lww-policy.js";
import type { QuorumMessage } from "./messages.js";
import type { PlacementStrategy } from "./placement.js";
import { QuorumClient } from "./quorum-client.js";
import { QuorumNode } from "./quorum-node.js";

/**
 * One leg of the WARS model: a mixture of a Pareto (probability `paretoWeight`, minimum `paretoScaleMs`,
 * shape `paretoShape`) and an exponential (rate `exponentialRatePerMs`) distribution, as Bailis et al. fit
 * production latencies.
 *
 * @example
 * ```ts
 * import type { WarsLeg } from "@distkit/quorum";
 * const leg: WarsLeg = { paretoWeight: 0.9122, paretoScaleMs: 0.235, paretoShape: 10, exponentialRatePerMs: 1.66 };
 * ```
 */
export interface WarsLeg {
  /** Probability of drawing from the Pareto component. */
  readonly paretoWeight: number;
  /** Pareto minimum x_m (ms). */
  readonly paretoScaleMs: number;
  /** Pareto shape alpha. */
  readonly paretoShape: number;
  /** Exponential rate lambda (1/ms). */
  readonly exponentialRatePerMs: number;
}

/**
 * The WARS latency model of Bailis et al. (PBS, VLDB 2012): one-way latencies of the write request to a
 * replica (W), its acknowledgement (A), the read request (R) and the read response (S).
 *
 * @example
 * ```ts
 * import { PBS_LATENCY_MODELS } from "@distkit/quorum";
 * PBS_LATENCY_MODELS["LNKD-SSD"].W.paretoShape; // 10
 * ```
 */
export interface WarsModel {
  /** Short name, as in the paper. */
  readonly name: "LNKD-SSD" | "LNKD-DISK" | "YMMR";
  /** Where the numbers come from. */
  readonly source: string;
  /** Write request, coordinator to replica. */
  readonly W: WarsLeg;
  /** Write acknowledgement, replica to coordinator. */
  readonly A: WarsLeg;
  /** Read request, coordinator to replica. */
  readonly R: WarsLeg;
  /** Read response, replica to coordinator. */
  readonly S: WarsLeg;
}

// Fits from Bailis, Venkataraman, Franklin, Hellerstein, Stoica, "Probabilistically Bounded Staleness for
// Practical Partial Quorums", PVLDB 5(8), 2012, Section 5 (production latency fits;
// http://www.bailis.org/papers/pbs-vldb2012.pdf). The same numbers appear in the authors' Java simulator
// (Simulator.java: LinkedSSDDelay, LinkedDiskDelay, YammerDelayModel) and in public Python ports of WARS.
//  LNKD-SSD : W = A = R = S = 91.22% Pareto(xm = 0.235 ms, alpha = 10) + 8.78% Exponential(lambda = 1.66 /ms)
//  LNKD-DISK: W = 38% Pareto(xm = 1.05, alpha = 1.51) + 62% Exponential(lambda = 0.183); A = R = S as LNKD-SSD
//  YMMR     : W = 93.9% Pareto(xm = 3, alpha = 3.35) + 6.1% Exponential(lambda = 0.0028);
//             A = R = S = 98.2% Pareto(xm = 1.5, alpha = 3.8) + 1.8% Exponential(lambda = 0.0217)
// (The Java simulator uses alpha = 3.5 for Yammer's W; we use 3.35, as the Python ports do.)
const SSD: WarsLeg = {
  paretoWeight: 0.9122,
  paretoScaleMs: 0.235,
  paretoShape: 10,
  exponentialRatePerMs: 1.66,
};
const DISK_W: WarsLeg = {
  paretoWeight: 0.38,
  paretoScaleMs: 1.05,
  paretoShape: 1.51,
  exponentialRatePerMs: 0.183,
};
const YMMR_W: WarsLeg = {
  paretoWeight: 0.939,
  paretoScaleMs: 3,
  paretoShape: 3.35,
  exponentialRatePerMs: 0.0028,
};
const YMMR_ARS: WarsLeg = {
  paretoWeight: 0.982,
  paretoScaleMs: 1.5,
  paretoShape: 3.8,
  exponentialRatePerMs: 0.0217,
};
const PAPER = "Bailis et al., PBS, PVLDB 5(8) 2012, Section 5 (production latency fits)";

/**
 * The three production latency fits of the PBS paper: LinkedIn's Voldemort on SSDs and on disks, and
 * Yammer's Riak.
 *
 * @example
 * ```ts
 * import { PBS_LATENCY_MODELS } from "@distkit/quorum";
 * Object.keys(PBS_LATENCY_MODELS); // ["LNKD-SSD", "LNKD-DISK", "YMMR"]
 * ```
 */
export const PBS_LATENCY_MODELS: Readonly<Record<WarsModel["name"], WarsModel>> = {
  "LNKD-SSD": { name: "LNKD-SSD", source: PAPER, W: SSD, A: SSD, R: SSD, S: SSD },
  "LNKD-DISK": { name: "LNKD-DISK", source: PAPER, W: DISK_W, A: SSD, R: SSD, S: SSD },
  YMMR: { name: "YMMR", source: PAPER, W: YMMR_W, A: YMMR_ARS, R: YMMR_ARS, S: YMMR_ARS },
};

/**
 * Draws one latency (ms) from a WARS leg with the given random stream.
 *
 * @example
 * ```ts
 * import { PBS_LATENCY_MODELS, sampleWarsLeg } from "@distkit/quorum";
 * declare const random: import("@distkit/sim-net").Random;
 * sampleWarsLeg(PBS_LATENCY_MODELS.YMMR.W, random);
 * ```
 */
export function sampleWarsLeg(leg: WarsLeg, random: Random): number {
  const u = 1 - random.next(); // (0, 1]
  if (random.next() < leg.paretoWeight) return leg.paretoScaleMs / u ** (1 / leg.paretoShape);
  return -Math.log(u) / leg.exponentialRatePerMs;
}

/**
 * A network latency sampler (for sim-net's `custom` latency) that draws each quorum message from its WARS
 * leg: replica writes from W, their acks from A, replica reads from R, replies from S, and client traffic
 * in zero time (the paper measures from the coordinator).
 *
 * @example
 * ```ts
 * import { Simulation } from "@distkit/sim-net";
 * import { PBS_LATENCY_MODELS, warsSampler } from "@distkit/quorum";
 * const sim = new Simulation({ seed: 1, network: { latency: { kind: "custom", sample: warsSampler(PBS_LATENCY_MODELS["LNKD-DISK"]) } } });
 * ```
 */
export function warsSampler(
  model: WarsModel,
): (random: Random, message: Message, from: NodeId, to: NodeId) => number {
  return (random, message) => {
    switch ((message as QuorumMessage).type) {
      case "q.rwrite":
        return sampleWarsLeg(model.W, random);
      case "q.rwriteAck":
        return sampleWarsLeg(model.A, random);
      case "q.rread":
        return sampleWarsLeg(model.R, random);
      case "q.rreadReply":
        return sampleWarsLeg(model.S, random);
      default:
        return 0;
    }
  };
}

/**
 * Settings of {@link runPbsExperiment}.
 *
 * @example
 * ```ts
 * import { PBS_LATENCY_MODELS, type PbsExperimentOptions } from "@distkit/quorum";
 * const o: PbsExperimentOptions = { model: PBS_LATENCY_MODELS["LNKD-SSD"], r: 1, w: 1, trials: 1000, tMs: [0, 1, 2], seed: 1 };
 * ```
 */
export interface PbsExperimentOptions {
  /** Latency model. */
  readonly model: WarsModel;
  /** Replication factor (default 3). */
  readonly n?: number;
  /** Read quorum. */
  readonly r: number;
  /** Write quorum. */
  readonly w: number;
  /** Number of writes; each is read once at every t (1..1,000,000). */
  readonly trials: number;
  /** Times after commit (ms, ascending, >= 0) at which to read. */
  readonly tMs: readonly number[];
  /** Simulation seed. */
  readonly seed: number;
  /** Spacing of trial starts in simulated time (default 1 ms; trials use distinct keys, so they do not interact). */
  readonly trialSpacingMs?: number;
}

/**
 * Result of {@link runPbsExperiment}: measured on the quorum store running over sim-net.
 *
 * @example
 * ```ts
 * import type { PbsExperimentResult } from "@distkit/quorum";
 * const show = (r: PbsExperimentResult) => `${r.r}/${r.w}: ${r.tVisibilityMs}`;
 * ```
 */
export interface PbsExperimentResult {
  readonly model: WarsModel["name"];
  readonly n: number;
  readonly r: number;
  readonly w: number;
  /** Writes that committed (and were then read). */
  readonly trials: number;
  /** P(consistent read) at each t: the fraction of reads started t ms after commit that returned the write. */
  readonly consistency: readonly { readonly tMs: number; readonly probability: number }[];
  /** Smallest t of the grid with P(consistent) >= 0.999 (null if none). */
  readonly tVisibilityMs: number | null;
  /** 99.9th percentile of read latency (ms). */
  readonly readP999Ms: number;
  /** 99.9th percentile of write latency (commit time, ms). */
  readonly writeP999Ms: number;
}

/**
 * The q-quantile (nearest rank) of an ascending array (NaN when empty).
 *
 * @example
 * ```ts
 * import { quantile } from "@distkit/quorum";
 * quantile([1, 2, 3, 4], 0.5); // 2
 * ```
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

function fixedPlacement(members: readonly NodeId[]): PlacementStrategy {
  return {
    members,
    preferenceList: (_key, count) => members.slice(0, count),
    withMembers: (next) => fixedPlacement(next),
  };
}

/**
 * Runs the PBS t-visibility experiment on the real quorum store over sim-net: N replicas plus a coordinator
 * that is not a replica (as in the WARS model), every message delayed by its WARS leg, read repair and
 * anti-entropy off. Each trial writes a fresh key with W acks, then reads it with R replies at every t of
 * the grid after the write committed, and records whether the read returned the write.
 *
 * @example
 * ```ts
 * import { PBS_LATENCY_MODELS, runPbsExperiment } from "@distkit/quorum";
 * const res = runPbsExperiment({ model: PBS_LATENCY_MODELS["LNKD-SSD"], r: 1, w: 1, trials: 200, tMs: [0, 1, 5], seed: 1 });
 * res.consistency[0]?.probability; // P(consistent read right after commit)
 * ```
 */
export function runPbsExperiment(options: PbsExperimentOptions): PbsExperimentResult {
  const n = options.n ?? 3;
  const { r, w, trials, tMs, model } = options;
  if (!Number.isInteger(trials) || trials < 1 || trials > 1_000_000) {
    throw new QuorumError("invalid-config", `trials = ${trials}; accepted: an integer from 1 to 1,000,000`);
  }
  if (
    tMs.length === 0 ||
    tMs.some((t, i) => !(t >= 0) || !Number.isFinite(t) || (i > 0 && t < (tMs[i - 1] as number)))
  ) {
    throw new QuorumError("invalid-config", "tMs must be a non-empty ascending list of finite times >= 0");
  }
  const spacing = options.trialSpacingMs ?? 1;
  const replicas = Array.from({ length: n }, (_, i) => `r${i + 1}`);
  const placement = fixedPlacement(replicas);
  const sim = new Simulation({
    seed: options.seed,
    trace: "off",
    network: { latency: { kind: "custom", sample: warsSampler(model) }, lossRate: 0, duplicateRate: 0 },
  });
  const timeoutMs = 1e9; // never time out: the experiment measures latency, not availability
  const nodeConfig = { placement, policy: lwwPolicy(), n, r, w, readRepair: "off" as const, timeoutMs };
  for (const id of replicas) sim.addNode(id, (ctx) => new QuorumNode(ctx, nodeConfig));
  sim.addNode("coordinator", (ctx) => new QuorumNode(ctx, nodeConfig));
  const client = sim.addNode(
    "client",
    (ctx) =>
      new QuorumClient(ctx, { placement, coordinators: ["coordinator"], n, timeoutMs, recordHistory: false }),
  );
  const consistent = new Array<number>(tMs.length).fill(0);
  const reads = new Array<number>(tMs.length).fill(0);
  const readLatencies: number[] = [];
  const writeLatencies: number[] = [];
  for (let i = 0; i < trials; i++) {
    sim.schedule(i * spacing, () => {
      const key = `k${i}`;
      const start = sim.nowMs;
      client.instance.put(key, i, { w, timestampMs: i + 1 }, (res) => {
        if (!res.ok) return;
        const commit = sim.nowMs;
        writeLatencies.push(commit - start);
        tMs.forEach((t, j) => {
          sim.schedule(t, () => {
            const readStart = sim.nowMs;
            client.instance.get(key, { r, readRepair: "off" }, (rr) => {
              if (!rr.ok) return;
              readLatencies.push(sim.nowMs - readStart);
              reads[j] = (reads[j] as number) + 1;
              if (rr.values.includes(i)) consistent[j] = (consistent[j] as number) + 1;
            });
          });
        });
      });
    });
  }
  sim.run();
  const consistency = tMs.map((t, j) => ({
    tMs: t,
    probability: (consistent[j] as number) / Math.max(1, reads[j] as number),
  }));
  const hit = consistency.find((c) => c.probability >= 0.999);
  readLatencies.sort((a, b) => a - b);
  writeLatencies.sort((a, b) => a - b);
  return {
    model: model.name,
    n,
    r,
    w,
    trials: writeLatencies.length,
    consistency,
    tVisibilityMs: hit === undefined ? null : hit.tMs,
    readP999Ms: quantile(readLatencies, 0.999),
    writeP999Ms: quantile(writeLatencies, 0.999),
  };
}

/**
 * The WARS model's own Monte Carlo prediction (the paper's method, Section 4.2, without a simulator):
 * P(consistent read t ms after commit) for each t, from `trials` independent draws of W, A, R, S per
 * replica. A read is consistent when one of the R fastest responders had received the write when the
 * read request reached it: W_i <= w_t + t + R_i, where w_t is the W-th fastest write acknowledgement.
 * Used to cross-check {@link runPbsExperiment}.
 *
 * @example
 * ```ts
 * import { SeededRandom } from "@distkit/sim-net";
 * import { PBS_LATENCY_MODELS, warsPrediction } from "@distkit/quorum";
 * warsPrediction(PBS_LATENCY_MODELS["LNKD-DISK"], 3, 1, 1, [0, 10], 10_000, new SeededRandom(1));
 * ```
 */
export function warsPrediction(
  model: WarsModel,
  n: number,
  r: number,
  w: number,
  tMs: readonly number[],
  trials: number,
  random: Random,
): number[] {
  if (!Number.isInteger(trials) || trials < 1 || trials > 10_000_000) {
    throw new QuorumError("invalid-config", `trials = ${trials}; accepted: an integer from 1 to 10,000,000`);
  }
  const consistent = new Array<number>(tMs.length).fill(0);
  const W = new Array<number>(n);
  const R = new Array<number>(n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < trials; k++) {
    const acks: number[] = [];
    const reads: number[] = [];
    for (let i = 0; i < n; i++) {
      W[i] = sampleWarsLeg(model.W, random);
      acks.push((W[i] as number) + sampleWarsLeg(model.A, random));
      R[i] = sampleWarsLeg(model.R, random);
      reads.push((R[i] as number) + sampleWarsLeg(model.S, random));
    }
    acks.sort((a, b) => a - b);
    const commit = acks[w - 1] as number;
    order.sort((a, b) => (reads[a] as number) - (reads[b] as number));
    tMs.forEach((t, j) => {
      for (let q = 0; q < r; q++) {
        const i = order[q] as number;
        if ((W[i] as number) <= commit + t + (R[i] as number)) {
          consistent[j] = (consistent[j] as number) + 1;
          return;
        }
      }
    });
  }
  return consistent.map((c) => c / trials);
}
