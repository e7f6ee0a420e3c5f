/**
 * Benchmark: simulated quorum operations per wall-clock second. 5 nodes, N = 3, QUORUM reads and writes
 * (50/50), no simulated latency (every message takes 0 ms), trace off, LWW versioning, token-aware clients
 * each keeping one operation in flight. Target: >= 100,000 ops/s.
 */
import { Simulation } from "@distkit/sim-net";
import { lwwPolicy, type PlacementStrategy, QuorumClient, QuorumNode } from "../src/index.js";
import { benchPlacement } from "./placement.js";

function run(
  totalOps: number,
  clients: number,
  placement: PlacementStrategy,
): { ms: number; cpuMs: number; ops: number } {
  const sim = new Simulation({ seed: 7, trace: "off", network: { latency: { kind: "constant", ms: 0 } } });
  for (const id of placement.members) {
    sim.addNode(
      id,
      (ctx) => new QuorumNode(ctx, { placement, policy: lwwPolicy(), n: 3, r: "QUORUM", w: "QUORUM" }),
    );
  }
  let done = 0;
  let issued = 0;
  const keys = Array.from({ length: 1000 }, (_, i) => `key-${i}`);
  for (let c = 0; c < clients; c++) {
    const ref = sim.addNode(
      `c${c}`,
      (ctx) => new QuorumClient(ctx, { placement, routing: "token-aware", recordHistory: false }),
    );
    // One callback per client (no closure per operation).
    const after = (): void => {
      done++;
      next();
    };
    const next = (): void => {
      if (issued >= totalOps) return;
      const i = issued++;
      const key = keys[(i * 7919) % keys.length] as string;
      if (i % 2 === 0) ref.instance.put(key, i, {}, after);
      else ref.instance.get(key, {}, after);
    };
    sim.schedule(0, next);
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  sim.run();
  const cpu = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (done !== totalOps) throw new Error(`only ${done} of ${totalOps} operations completed`);
  return { ms, cpuMs, ops: done };
}

const placement = benchPlacement(["n1", "n2", "n3", "n4", "n5"]);
run(20_000, 16, placement); // warm-up
const results: number[] = [];
const perCpu: number[] = [];
for (let i = 0; i < 3; i++) {
  const { ms, cpuMs, ops } = run(200_000, 16, placement);
  results.push((ops / ms) * 1000);
  perCpu.push((ops / cpuMs) * 1000);
}
results.sort((a, b) => a - b);
perCpu.sort((a, b) => a - b);
const median = results[1] as number;
const medianCpu = perCpu[1] as number;
console.log("@distkit/quorum benchmark: simulated operations per wall-clock second");
console.log(
  "  setup: 5 nodes, N=3, QUORUM reads/writes (50/50), 0 ms latency, trace off, LWW, 16 token-aware clients",
);
console.log(`  runs (ops/s): ${results.map((r) => Math.round(r).toLocaleString("en-US")).join(", ")}`);
console.log(
  `  median: ${Math.round(median).toLocaleString("en-US")} ops/s; target 100,000 ops/s; ratio ${(median / 100_000).toFixed(2)}x`,
);
console.log(
  `  per CPU-second of this process (less sensitive to other load on the machine): median ${Math.round(medianCpu).toLocaleString("en-US")} ops/s; ratio ${(medianCpu / 100_000).toFixed(2)}x`,
);
console.log(
  "  peer: none (no other TypeScript Dynamo-style store runs in this simulator); the target is the reference",
);
