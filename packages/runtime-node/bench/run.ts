/**
 * Committed writes per second of a 3-node Raft key-value cluster, as 3 processes on loopback (fsync on
 * and off) and as the same nodes in the simulator, with client latency p50/p99. Clients: 16 KvClients
 * (one operation in flight each) in this process for the real cluster, and 16 simulated KvClients in
 * the simulation (constant 0.1 ms links, so the simulator measures the protocol, not a network model).
 *
 * Run: `pnpm --filter @distkit/runtime-node bench` (or `npx tsx --conditions=source packages/runtime-node/bench/run.ts`).
 */
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { KvClient, RaftNode } from "@distkit/raft";
import { Simulation } from "@distkit/sim-net";
import { connectClient, startLocalCluster } from "../src/cluster.js";

const CLIENTS = 16;
const DURATION_MS = Number(process.env["BENCH_DURATION_MS"] ?? 5000);

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

async function realCluster(
  fsync: boolean,
  basePort: number,
): Promise<{ perSec: number; p50: number; p99: number; n: number }> {
  const cluster = await startLocalCluster({ kind: "raft", nodes: 3, basePort, fsync });
  const clients = [];
  for (let i = 0; i < CLIENTS; i++)
    clients.push(await connectClient({ kind: "raft", servers: cluster.addresses }));
  await clients[0]!.put("warm", "up");
  const lat: number[] = [];
  const t0 = performance.now();
  const end = t0 + DURATION_MS;
  let seq = 0;
  await Promise.all(
    clients.map(async (c, i) => {
      while (performance.now() < end) {
        const s = performance.now();
        const r = await c.put(`k${i}-${seq % 64}`, String(++seq));
        if (r.kind === "ok") lat.push(performance.now() - s);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  for (const c of clients) await c.close();
  await cluster.stop();
  return { perSec: (lat.length / elapsed) * 1000, p50: pct(lat, 50), p99: pct(lat, 99), n: lat.length };
}

function simulated(): { perVirtualSec: number; perCpuSec: number; p50: number; p99: number; n: number } {
  const sim = new Simulation({ seed: 1, trace: "off", network: { latency: { kind: "constant", ms: 0.1 } } });
  const voters = ["n1", "n2", "n3"];
  for (const id of voters) sim.addNode(id, (ctx) => new RaftNode(ctx, { voters }));
  const clients = [];
  for (let i = 0; i < CLIENTS; i++)
    clients.push(sim.addNode(`c${i}`, (ctx) => new KvClient(ctx, { servers: voters })));
  sim.runFor(2000);
  const lat: number[] = [];
  let seq = 0;
  const virtualMs = 2000;
  const startMs = sim.nowMs;
  const endMs = startMs + virtualMs;
  clients.forEach((c, i) => {
    const next = (): void => {
      if (sim.nowMs >= endMs) return;
      const s = sim.nowMs;
      c.instance.submit({ kind: "put", key: `k${i}-${seq % 64}`, value: String(++seq) }, (r) => {
        if (r.kind === "ok") lat.push(sim.nowMs - s);
        next();
      });
    };
    sim.schedule(0, next);
  });
  const cpu0 = process.cpuUsage();
  sim.runFor(virtualMs + 500);
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  return {
    perVirtualSec: (lat.length / virtualMs) * 1000,
    perCpuSec: lat.length / cpuSec,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    n: lat.length,
  };
}

const f = (x: number, d = 1) => x.toFixed(d);
console.log(`@distkit/runtime-node bench: 3-node Raft KV, ${CLIENTS} clients with one put in flight each`);
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, Node ${process.version}; ${DURATION_MS} ms per real run`,
);
const on = await realCluster(true, 19101);
console.log(
  `real, 3 processes on loopback, fsync on : ${f(on.perSec, 0)} committed writes/s  p50 ${f(on.p50, 2)} ms  p99 ${f(on.p99, 2)} ms  (${on.n} writes)`,
);
const off = await realCluster(false, 19201);
console.log(
  `real, 3 processes on loopback, fsync off: ${f(off.perSec, 0)} committed writes/s  p50 ${f(off.p50, 2)} ms  p99 ${f(off.p99, 2)} ms  (${off.n} writes)`,
);
const sim = simulated();
console.log(
  `simulated, same nodes, 0.1 ms links   : ${f(sim.perVirtualSec, 0)} writes per virtual s  p50 ${f(sim.p50, 2)} ms  p99 ${f(sim.p99, 2)} ms; ${f(sim.perCpuSec, 0)} writes per CPU-second of simulation (${sim.n} writes)`,
);
console.log(
  `ratios: fsync off / on ${f(off.perSec / on.perSec, 2)}x; simulated (per CPU-s) / real fsync off ${f(sim.perCpuSec / off.perSec, 2)}x`,
);
