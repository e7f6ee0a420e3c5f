/**
 * Replicated writes per wall-clock second: 1 leader + 2 followers, each commit mode, no simulated
 * latency, trace off. A client keeps WINDOW writes in flight; a write counts once acknowledged.
 * Peer: the same workload with no followers (the cost of replication itself).
 */
import { performance } from "node:perf_hooks";
import { Simulation } from "@distkit/sim-net";
import { type CommitMode, ReplicaNode, ReplicationClient } from "../src/index.js";

const WINDOW = 2000;

function run(
  commit: CommitMode,
  replicas: readonly string[],
  targetWrites: number,
): { perSec: number; perCpuSec: number; acked: number } {
  const sim = new Simulation({ seed: 1, network: { latency: { kind: "constant", ms: 0 } }, trace: "off" });
  const config = { replicas, initialLeader: "n1", commit };
  for (const id of replicas) sim.addNode(id, (ctx) => new ReplicaNode(ctx, config));
  const client = sim.addNode(
    "c1",
    (ctx) => new ReplicationClient(ctx, { leader: "n1", requestTimeoutMs: 60_000 }),
  ).instance;
  // Keep no operation log in the benchmark: it would dominate memory, not replication.
  client.operations.length = 0;
  let issued = 0;
  let acked = 0;
  const issue = (): void => {
    if (issued >= targetWrites) return;
    issued++;
    client.write(`k${issued % 1024}`, issued, {}, (r) => {
      if (r.outcome === "ok") acked++;
      if (client.operations.length > 10_000) client.operations.length = 0;
      issue();
    });
  };
  sim.schedule(0, () => {
    for (let i = 0; i < WINDOW; i++) issue();
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  sim.runUntil(() => acked >= targetWrites, { timeoutMs: 1e9 });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { perSec: acked / seconds, perCpuSec: acked / cpuSeconds, acked };
}

const N = Number(process.env.BENCH_WRITES ?? 100_000);
const ROUNDS = 3;
const configs: [string, CommitMode, readonly string[]][] = [
  ["leader alone (peer: no replication)", { kind: "async" }, ["n1"]],
  ["async", { kind: "async" }, ["n1", "n2", "n3"]],
  ["sync (all)", { kind: "sync" }, ["n1", "n2", "n3"]],
  ["ANY 1", { kind: "any", k: 1 }, ["n1", "n2", "n3"]],
  ["FIRST 1 (n2, n3)", { kind: "first", k: 1, priority: ["n2", "n3"] }, ["n1", "n2", "n3"]],
];
const load = (await import("node:os")).loadavg()[0]!;
console.log(
  `@distkit/replication bench: replicated writes per wall-clock second; ${N} writes per run, ${WINDOW} in flight, ` +
    `0 ms simulated latency, trace off, best of ${ROUNDS} interleaved rounds, node ${process.version}, load average ${load.toFixed(1)}`,
);
run({ kind: "async" }, ["n1", "n2", "n3"], 20_000); // warm-up
const best = new Map<string, number>();
const bestCpu = new Map<string, number>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, commit, replicas] of configs) {
    const r = run(commit, replicas, N);
    best.set(name, Math.max(best.get(name) ?? 0, r.perSec));
    bestCpu.set(name, Math.max(bestCpu.get(name) ?? 0, r.perCpuSec));
  }
}
const peerCpu = bestCpu.get(configs[0]![0])!;
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US").padStart(9);
for (const [name] of configs) {
  const wall = best.get(name)!;
  const cpu = bestCpu.get(name)!;
  const label = name === configs[0]![0] ? name : `1 leader + 2 followers, ${name}`;
  const target =
    name === "async"
      ? `  (target >= 150,000/s: wall ${wall >= 150_000 ? "met" : "NOT met"}, per CPU-second ${cpu >= 150_000 ? "met" : "NOT met"})`
      : "";
  console.log(
    `${label.padEnd(42)} ${fmt(wall)} writes/s wall, ${fmt(cpu)} per CPU-second; ratio vs peer (CPU) ${(cpu / peerCpu).toFixed(2)}${target}`,
  );
}
console.log("Wall-clock rates depend on machine load (load average above); per-CPU-second rates do not.");
