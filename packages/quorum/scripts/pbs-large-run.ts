/**
 * A large PBS run (not part of the test suite): `trials` writes on LNKD-DISK, R = W = 1, each read at
 * commit and at 17 later times, with the event bound sized from the trial count (pbsEventBudget).
 * Before that sizing, runs needing more than sim-net's default 50,000,000 events threw EventStormError.
 *
 * Run: npx tsx --conditions=source packages/quorum/scripts/pbs-large-run.ts [trials=300000]
 */
import { PBS_LATENCY_MODELS, runPbsExperiment } from "../src/index.js";

const trials = Number(process.argv[2] ?? 300_000);
const grid = [0, 1, 2, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 75, 100, 150];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const res = runPbsExperiment({
  model: PBS_LATENCY_MODELS["LNKD-DISK"],
  r: 1,
  w: 1,
  trials,
  tMs: grid.slice(1),
  seed: 1,
});
const cpu = process.cpuUsage(cpu0);
const ci = res.tVisibility;
console.log(
  `${trials.toLocaleString("en-US")} writes, ${res.eventsProcessed.toLocaleString("en-US")} events ` +
    `(bound ${res.maxEvents.toLocaleString("en-US")}; sim-net default 50,000,000): ` +
    `t-visibility 99.9% ${ci.estimate.toFixed(1)} ms [${ci.low.toFixed(1)}, ${ci.high.toFixed(1)}] (95%), ` +
    `${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`,
);
