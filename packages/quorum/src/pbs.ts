import { type Message, type NodeId, type Random, Simulation } from "@distkit/sim-net";
import { QuorumError, invariant } from "./errors.js";
import { lwwPolicy } from "./lww-policy.js";
import type { QuorumMessage } from "./messages.js";
import type { PlacementStrategy } from "./placement.js";
import { QuorumClient } from "./quorum-client.js";
import { QuorumNode } from "./quorum-node.js";
import { type QuantileInterval, quantile, quantileConfidenceInterval } from "./quantile-interval.js";

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
 * const o: PbsExperimentOptions = { model: PBS_LATENCY_MODELS["LNKD-SSD"], r: 1, w: 1, trials: 10_000, seed: 1 };
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
  /** Number of writes (1..1,000,000); each is read once right after it committed, and once at every t of `tMs`. */
  readonly trials: number;
  /**
   * Times after commit (ms, ascending, >= 0) at which to read again and measure P(consistent) directly
   * (default none: the staleness window of every trial gives the whole curve; see the result).
   */
  readonly tMs?: readonly number[];
  /** Simulation seed. */
  readonly seed: number;
  /** Spacing of trial starts in simulated time (default 1 ms; trials use distinct keys, so they do not interact). */
  readonly trialSpacingMs?: number;
  /** The quantile of the staleness windows reported as t-visibility (default 0.999). */
  readonly quantile?: number;
  /** Coverage of the t-visibility confidence interval (default 0.95). */
  readonly confidence?: number;
  /**
   * Bound on simulator events of the run (default {@link pbsEventBudget} of this experiment: sized from the
   * number of trials and reads, so large runs do not hit sim-net's default bound).
   */
  readonly maxEvents?: number;
}

/**
 * Result of {@link runPbsExperiment}: measured on the quorum store running over sim-net.
 *
 * @example
 * ```ts
 * import type { PbsExperimentResult } from "@distkit/quorum";
 * const show = (r: PbsExperimentResult) =>
 *   `${r.r}/${r.w}: ${r.tVisibility.estimate} ms [${r.tVisibility.low}, ${r.tVisibility.high}]`;
 * ```
 */
export interface PbsExperimentResult {
  readonly model: WarsModel["name"];
  readonly n: number;
  readonly r: number;
  readonly w: number;
  /** Writes that committed (and were then read). */
  readonly trials: number;
  /**
   * Each trial's staleness window (ms, ascending): how long after commit a read with that trial's message
   * delays would have returned stale data. Measured from the messages of the read issued right at commit
   * (when each of the R first responders received the read request, and when it received the write):
   * max(0, min over those responders of (write arrival - read arrival)). A read t ms after commit is
   * consistent exactly when the window is <= t, so P(consistent at t) is the windows' empirical CDF.
   */
  readonly stalenessWindowsMs: Float64Array;
  /** P(consistent read) at each t of `tMs`, measured by actual reads at those times. */
  readonly consistency: readonly { readonly tMs: number; readonly probability: number }[];
  /** P(consistent read) right after commit (the fraction of zero windows). */
  readonly consistentAtCommit: number;
  /**
   * t-visibility: the `quantile` (default 0.999) of the staleness windows, with an order-statistic
   * confidence interval ({@link quantileConfidenceInterval}). No grid is involved.
   */
  readonly tVisibility: QuantileInterval;
  /** The point estimate of {@link PbsExperimentResult.tVisibility} (ms). */
  readonly tVisibilityMs: number;
  /** 99.9th percentile of read latency (ms). */
  readonly readP999Ms: number;
  /** 99.9th percentile of write latency (commit time, ms). */
  readonly writeP999Ms: number;
  /** Simulator events the run processed, and the bound it ran under. */
  readonly eventsProcessed: number;
  readonly maxEvents: number;
}

/**
 * An upper bound on the simulator events of a PBS experiment: each operation (a write, or one read) costs
 * at most 3 + 2N events (its start, the client request and answer, N requests to replicas and N replies),
 * plus one scheduled start per trial; the bound doubles that and adds 10,000 for slack. Used as the run's
 * `maxEvents`, so the bound grows with the trial count instead of stopping at sim-net's default.
 *
 * @example
 * ```ts
 * import { pbsEventBudget } from "@distkit/quorum";
 * pbsEventBudget({ n: 3, trials: 200_000, readsPerTrial: 18 }); // 68,810,000
 * ```
 */
export function pbsEventBudget(options: {
  readonly n: number;
  readonly trials: number;
  readonly readsPerTrial: number;
}): number {
  const { n, trials, readsPerTrial } = options;
  const perOperation = 3 + 2 * n;
  return 2 * trials * (1 + (1 + readsPerTrial) * perOperation) + 10_000;
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
 * anti-entropy off. Each trial writes a fresh key with W acks, and reads it with R replies right after the
 * write committed; the read's message timings give the trial's staleness window, and t-visibility is a
 * quantile of the windows with a confidence interval. Optionally the key is read again at every t of `tMs`
 * (a direct measurement of P(consistent at t), which must agree with the windows' CDF).
 *
 * @example
 * ```ts
 * import { PBS_LATENCY_MODELS, runPbsExperiment } from "@distkit/quorum";
 * const res = runPbsExperiment({ model: PBS_LATENCY_MODELS["LNKD-SSD"], r: 1, w: 1, trials: 20_000, seed: 1 });
 * res.tVisibility; // { estimate, low, high, ... }: the 99.9% t-visibility (ms) with a 95% interval
 * ```
 */
export function runPbsExperiment(options: PbsExperimentOptions): PbsExperimentResult {
  const n = options.n ?? 3;
  const { r, w, trials, model } = options;
  const tMs = options.tMs ?? [];
  if (!Number.isInteger(trials) || trials < 1 || trials > 1_000_000) {
    throw new QuorumError("invalid-config", `trials = ${trials}; accepted: an integer from 1 to 1,000,000`);
  }
  if (tMs.some((t, i) => !(t >= 0) || !Number.isFinite(t) || (i > 0 && t < (tMs[i - 1] as number)))) {
    throw new QuorumError("invalid-config", "tMs must be an ascending list of finite times >= 0");
  }
  if (
    !Number.isInteger(n) ||
    n < 1 ||
    !Number.isInteger(r) ||
    !Number.isInteger(w) ||
    r < 1 ||
    w < 1 ||
    r > n ||
    w > n
  ) {
    throw new QuorumError(
      "invalid-config",
      `N = ${n}, R = ${r}, W = ${w}; accepted: integers with 1 <= R, W <= N`,
    );
  }
  const spacing = options.trialSpacingMs ?? 1;
  const maxEvents = options.maxEvents ?? pbsEventBudget({ n, trials, readsPerTrial: 1 + tMs.length });
  const replicas = Array.from({ length: n }, (_, i) => `r${i + 1}`);
  const replicaIndex = new Map(replicas.map((id, i) => [id, i]));
  const placement = fixedPlacement(replicas);
  const sim = new Simulation({
    seed: options.seed,
    trace: "off",
    network: { latency: { kind: "custom", sample: warsSampler(model) }, lossRate: 0, duplicateRate: 0 },
    maxEventsPerRun: maxEvents,
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

  // Message timings of every trial (trial i writes key `k${i}`): when each replica received the write, and
  // when it received the request of the read issued at commit (the trial's first read, so its coordinator
  // request id is the smallest one for that key), and which replicas answered that read first.
  const writeAt = new Float64Array(trials * n).fill(Number.NaN);
  const readAt = new Float64Array(trials * n).fill(Number.NaN);
  const firstReadRid = new Float64Array(trials).fill(Number.POSITIVE_INFINITY);
  const responders = new Int32Array(trials * r);
  const responderCount = new Int32Array(trials);
  const trialOfRid = new Map<number, number>();
  const trialOf = (key: string): number => Number(key.slice(1));
  sim.onEvent((event) => {
    if (event.kind !== "deliver") return;
    const msg = event.message as QuorumMessage;
    if (msg.type === "q.rwrite") {
      const i = trialOf(msg.key);
      writeAt[i * n + (replicaIndex.get(event.to) as number)] = event.atMs;
    } else if (msg.type === "q.rread") {
      const i = trialOf(msg.key);
      const first = firstReadRid[i] as number;
      if (msg.rid > first) return; // a later read of this key
      if (msg.rid < first) {
        // The read at commit shows up after a later read's message did: forget what was recorded.
        if (first !== Number.POSITIVE_INFINITY) trialOfRid.delete(first);
        firstReadRid[i] = msg.rid;
        trialOfRid.set(msg.rid, i);
        readAt.fill(Number.NaN, i * n, (i + 1) * n);
        responderCount[i] = 0;
      }
      readAt[i * n + (replicaIndex.get(event.to) as number)] = event.atMs;
    } else if (msg.type === "q.rreadReply") {
      const i = trialOfRid.get(msg.rid);
      if (i === undefined || (responderCount[i] as number) >= r) return;
      responders[i * r + (responderCount[i] as number)] = replicaIndex.get(event.from) as number;
      responderCount[i] = (responderCount[i] as number) + 1;
    }
  });

  const consistent = new Array<number>(tMs.length).fill(0);
  const reads = new Array<number>(tMs.length).fill(0);
  const firstReadConsistent = new Int8Array(trials).fill(-1);
  const committed = new Uint8Array(trials);
  const readLatencies: number[] = [];
  const writeLatencies: number[] = [];
  for (let i = 0; i < trials; i++) {
    sim.schedule(i * spacing, () => {
      const key = `k${i}`;
      const start = sim.nowMs;
      client.instance.put(key, i, { w, timestampMs: i + 1 }, (res) => {
        if (!res.ok) return;
        committed[i] = 1;
        writeLatencies.push(sim.nowMs - start);
        const readStart = sim.nowMs;
        client.instance.get(key, { r, readRepair: "off" }, (rr) => {
          if (!rr.ok) return;
          readLatencies.push(sim.nowMs - readStart);
          firstReadConsistent[i] = rr.values.includes(i) ? 1 : 0;
        });
        tMs.forEach((t, j) => {
          sim.schedule(t, () => {
            client.instance.get(key, { r, readRepair: "off" }, (rr) => {
              if (!rr.ok) return;
              reads[j] = (reads[j] as number) + 1;
              if (rr.values.includes(i)) consistent[j] = (consistent[j] as number) + 1;
            });
          });
        });
      });
    });
  }
  const eventsProcessed = sim.run();

  const windows: number[] = [];
  for (let i = 0; i < trials; i++) {
    if (committed[i] !== 1) continue;
    invariant(responderCount[i] === r, "the read at commit got R replies");
    let min = Number.POSITIVE_INFINITY;
    for (let k = 0; k < r; k++) {
      const replica = responders[i * r + k] as number;
      const delta = (writeAt[i * n + replica] as number) - (readAt[i * n + replica] as number);
      invariant(!Number.isNaN(delta), "every responder received the write and the read");
      min = Math.min(min, delta);
    }
    // Cross-check the timings against what the store answered: consistent iff a responder had the write.
    const answered = firstReadConsistent[i];
    invariant(
      answered === 1 ? min <= 0 : answered === 0 && min >= 0,
      "staleness window agrees with the read",
    );
    windows.push(Math.max(0, min));
  }
  const stalenessWindowsMs = Float64Array.from(windows).sort();
  const zero = stalenessWindowsMs.findIndex((x) => x > 0);
  const interval = quantileConfidenceInterval(
    stalenessWindowsMs,
    options.quantile ?? 0.999,
    options.confidence ?? 0.95,
  );
  readLatencies.sort((a, b) => a - b);
  writeLatencies.sort((a, b) => a - b);
  return {
    model: model.name,
    n,
    r,
    w,
    trials: stalenessWindowsMs.length,
    stalenessWindowsMs,
    consistency: tMs.map((t, j) => ({
      tMs: t,
      probability: (consistent[j] as number) / Math.max(1, reads[j] as number),
    })),
    consistentAtCommit:
      (zero < 0 ? stalenessWindowsMs.length : zero) / Math.max(1, stalenessWindowsMs.length),
    tVisibility: interval,
    tVisibilityMs: interval.estimate,
    readP999Ms: quantile(readLatencies, 0.999),
    writeP999Ms: quantile(writeLatencies, 0.999),
    eventsProcessed,
    maxEvents,
  };
}

/**
 * The WARS model's staleness windows (the paper's Monte Carlo, Section 4.2, without a simulator): for each
 * of `trials` independent draws of W, A, R, S per replica, how long after commit a read stays stale:
 * max(0, min over the R fastest responders i of (W_i - w_t - R_i)), where w_t is the W-th fastest write
 * acknowledgement. Ascending. Its quantiles are the model's t-visibility (cross-check of
 * {@link runPbsExperiment}'s `stalenessWindowsMs`).
 *
 * @example
 * ```ts
 * import { SeededRandom } from "@distkit/sim-net";
 * import { PBS_LATENCY_MODELS, quantile, warsStalenessWindows } from "@distkit/quorum";
 * const windows = warsStalenessWindows(PBS_LATENCY_MODELS["LNKD-DISK"], 3, 1, 1, 100_000, new SeededRandom(1));
 * quantile(windows, 0.999); // the model's 99.9% t-visibility (ms)
 * ```
 */
export function warsStalenessWindows(
  model: WarsModel,
  n: number,
  r: number,
  w: number,
  trials: number,
  random: Random,
): Float64Array {
  if (!Number.isInteger(trials) || trials < 1 || trials > 10_000_000) {
    throw new QuorumError("invalid-config", `trials = ${trials}; accepted: an integer from 1 to 10,000,000`);
  }
  if (
    !Number.isInteger(n) ||
    n < 1 ||
    !Number.isInteger(r) ||
    !Number.isInteger(w) ||
    r < 1 ||
    w < 1 ||
    r > n ||
    w > n
  ) {
    throw new QuorumError(
      "invalid-config",
      `N = ${n}, R = ${r}, W = ${w}; accepted: integers with 1 <= R, W <= N`,
    );
  }
  const out = new Float64Array(trials);
  const W = new Float64Array(n);
  const R = new Float64Array(n);
  const acks = new Float64Array(n);
  const order = new Int32Array(n);
  const reads = new Float64Array(n);
  for (let k = 0; k < trials; k++) {
    for (let i = 0; i < n; i++) {
      W[i] = sampleWarsLeg(model.W, random);
      acks[i] = (W[i] as number) + sampleWarsLeg(model.A, random);
      R[i] = sampleWarsLeg(model.R, random);
      reads[i] = (R[i] as number) + sampleWarsLeg(model.S, random);
      // Insertion sorts (N is small): acknowledgements ascending, replicas by read round trip.
      let j = i;
      const ack = acks[i] as number;
      while (j > 0 && (acks[j - 1] as number) > ack) {
        acks[j] = acks[j - 1] as number;
        j--;
      }
      acks[j] = ack;
      j = i;
      while (j > 0 && (reads[order[j - 1] as number] as number) > (reads[i] as number)) {
        order[j] = order[j - 1] as number;
        j--;
      }
      order[j] = i;
    }
    const commit = acks[w - 1] as number;
    let min = Number.POSITIVE_INFINITY;
    for (let q = 0; q < r; q++) {
      const i = order[q] as number;
      min = Math.min(min, (W[i] as number) - commit - (R[i] as number));
    }
    out[k] = Math.max(0, min);
  }
  return out.sort();
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
