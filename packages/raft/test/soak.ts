/**
 * Soak: runs many seeds of random fault schedules (3 and 5 nodes, readIndex and lease reads) with
 * optional membership churn, the invariant checker on every event, liveness and linearizability
 * checks, and prints the
 * failing seeds. Usage: `pnpm soak [runs=1000] [firstSeed=1]`.
 */
import { SeededRandom } from "@distkit/sim-net";
import { faultScheduleArb } from "@distkit/sim-net/testing";
import * as fc from "fast-check";
import { runFaultSchedule } from "./fault-run.js";
import { serverNames } from "./harness.js";

const runs = Number(process.argv[2] ?? 1000);
const firstSeed = Number(process.argv[3] ?? 1);
if (!Number.isSafeInteger(runs) || runs <= 0 || !Number.isSafeInteger(firstSeed)) {
  console.error("usage: soak [runs > 0] [firstSeed]");
  process.exit(2);
}
const failures: string[] = [];
const t0 = performance.now();
for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
  const pick = new SeededRandom(seed);
  const churn = pick.chance(0.25);
  const servers = churn || pick.chance(0.5) ? 5 : 3;
  const readMode = pick.chance(0.3) ? "lease" : "readIndex";
  const durationMs = 1000 + pick.int(0, 4000);
  const arb = faultScheduleArb({ nodeIds: serverNames(servers), durationMs, maxFaults: 12 });
  const [schedule] = fc.sample(arb, { seed, numRuns: 1 });
  try {
    runFaultSchedule(seed, schedule!, {
      servers,
      durationMs,
      readMode,
      ...(churn ? { membershipChangeEveryMs: 100 + pick.int(0, 400) } : {}),
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    failures.push(
      `seed ${seed} (${servers} nodes, ${readMode}, ${durationMs} ms, churn ${churn}): ${message}`,
    );
    console.log(`FAIL seed ${seed}: ${message}\n  schedule: ${JSON.stringify(schedule)}`);
  }
  if ((seed - firstSeed + 1) % 100 === 0) {
    console.log(
      `${seed - firstSeed + 1}/${runs} seeds, ${failures.length} failing, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
}
console.log(`\n${runs - failures.length} passed, ${failures.length} failed`);
if (failures.length > 0) {
  console.log("failing seeds:");
  for (const f of failures) console.log(`  ${f}`);
  process.exitCode = 1;
}
