/**
 * Why a "first crossing on a grid" under-estimates t-visibility (not part of the test suite). With the
 * WARS model of LNKD-DISK, R = W = 1: estimate P(consistent at t) on a 1 ms grid, each grid point from
 * its own `m` fresh trials, and report the first t where the estimate reaches 0.999. Every grid point
 * below the true crossing gets a chance to fluctuate above 0.999, and the first one that does ends the
 * search, so the result is biased low. Compared with the 0.999 quantile of 2,000,000 staleness windows.
 *
 * Run: npx tsx --conditions=source packages/quorum/scripts/pbs-first-crossing.ts
 */
import { SeededRandom } from "@distkit/sim-net";
import { PBS_LATENCY_MODELS, quantile, warsPrediction, warsStalenessWindows } from "../src/index.js";

const model = PBS_LATENCY_MODELS["LNKD-DISK"];
const random = new SeededRandom(2024);
const windows = warsStalenessWindows(model, 3, 1, 1, 2_000_000, random);
console.log(
  `LNKD-DISK, R = W = 1: 0.999 quantile of 2,000,000 WARS staleness windows: ${quantile(windows, 0.999).toFixed(1)} ms`,
);
for (const m of [1_000, 10_000]) {
  const crossings: number[] = [];
  for (let rep = 0; rep < 25; rep++) {
    let found = Number.NaN;
    for (let t = 0; t <= 200; t += 1) {
      const [p] = warsPrediction(model, 3, 1, 1, [t], m, random);
      if ((p as number) >= 0.999) {
        found = t;
        break;
      }
    }
    crossings.push(found);
  }
  crossings.sort((a, b) => a - b);
  console.log(
    `first crossing of 0.999 on a 1 ms grid, ${m.toLocaleString("en-US")} fresh trials per grid point, 25 repetitions: ` +
      `median ${quantile(crossings, 0.5)} ms, range ${crossings[0]} to ${crossings[crossings.length - 1]} ms`,
  );
}
