/**
 * The article's quorum example: N = 3 replicas per key on a 5-node cluster, R = W = 2 (strict: R + W > N)
 * against R = W = 1 (partial), while a network partition splits the cluster 2 | 3 for a second. Clients on
 * both sides keep reading and writing the same keys through coordinators on their side. The table shows,
 * for each configuration, availability (operations that succeeded), latency percentiles, and stale reads:
 * reads that returned a value older than a write already acknowledged before the read started (found
 * directly, and confirmed by the @distkit/check linearizability checker).
 *
 * Run: npx tsx --conditions=source examples/quorum-partition.ts
 */
import { checkLinearizable, historyFromEvents, kvModel } from "@distkit/check";
import { HashRing } from "@distkit/hashing";
import {
  kvCheckEvents,
  type LwwState,
  lwwPolicy,
  partitionerPlacement,
  QuorumClient,
  QuorumNode,
  quantile,
  type ReadRepairMode,
} from "@distkit/quorum";
import { Simulation } from "@distkit/sim-net";

interface Config {
  readonly name: string;
  readonly r: number;
  readonly w: number;
  readonly readRepair: ReadRepairMode;
}

interface Row {
  readonly name: string;
  readonly ops: number;
  readonly okDuringPartition: number;
  readonly opsDuringPartition: number;
  readonly okOutside: number;
  readonly opsOutside: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly staleReads: number;
  readonly reads: number;
  readonly verdict: string;
}

const PARTITION_START_MS = 1000;
const PARTITION_END_MS = 2000;
const RUN_MS = 3000;

function run(config: Config, seed: number): Row {
  const members = ["n1", "n2", "n3", "n4", "n5"];
  const placement = partitionerPlacement(HashRing.create(members));
  const sim = new Simulation({
    seed,
    trace: "off",
    network: {
      latency: {
        kind: "mixture",
        components: [
          { weight: 0.95, distribution: { kind: "uniform", minMs: 0.5, maxMs: 1.5 } },
          { weight: 0.05, distribution: { kind: "exponential", meanMs: 5 } },
        ],
      },
    },
  });
  for (const id of members) {
    sim.addNode(
      id,
      (ctx) =>
        new QuorumNode<LwwState>(ctx, {
          placement,
          policy: lwwPolicy(),
          n: 3,
          r: config.r,
          w: config.w,
          readRepair: config.readRepair,
          timeoutMs: 50,
        }),
    );
  }
  const minority = ["n1", "n2"];
  const majority = ["n3", "n4", "n5"];
  const sides = [minority, minority, majority, majority];
  const clients = sides.map((side, i) =>
    sim.addNode(
      `c${i + 1}`,
      (ctx) => new QuorumClient(ctx, { placement, coordinators: side, timeoutMs: 50 }),
    ),
  );
  sim.schedule(PARTITION_START_MS, () => sim.partition([...minority, "c1", "c2"], [...majority, "c3", "c4"]));
  sim.schedule(PARTITION_END_MS, () => sim.heal());

  // Workload: each client runs one operation at a time on 4 hot keys; written values increase globally.
  const keys = ["k1", "k2", "k3", "k4"];
  let seq = 0;
  let rand = seed >>> 0;
  const next = (): number => {
    rand = (Math.imul(rand, 1664525) + 1013904223) >>> 0;
    return rand / 4294967296;
  };
  // Acknowledged writes, to find stale reads: a read is stale when it returns the value of a write w
  // (or nothing) although another write w2 was invoked after w was acknowledged and was itself
  // acknowledged before the read started: w2 must be ordered after w, and before the read.
  const written = new Map<number, { key: string; invokeMs: number; ackMs: number }>();
  const acked: { key: string; value: number; invokeMs: number; ackMs: number }[] = [];
  const isStale = (key: string, got: number | undefined, readStart: number): boolean => {
    const before = acked.filter((a) => a.key === key && a.ackMs < readStart);
    if (got === undefined) return before.length > 0;
    const w = written.get(got);
    if (w === undefined) return false;
    return before.some((a) => a.invokeMs > w.ackMs);
  };
  const latencies: number[] = [];
  let ops = 0;
  let okDuring = 0;
  let opsDuring = 0;
  let okOutside = 0;
  let opsOutside = 0;
  let reads = 0;
  let stale = 0;
  const account = (start: number, ok: boolean): void => {
    ops++;
    const during = start >= PARTITION_START_MS && start < PARTITION_END_MS;
    if (during) opsDuring++;
    else opsOutside++;
    if (ok) {
      if (during) okDuring++;
      else okOutside++;
      latencies.push(sim.nowMs - start);
    }
  };
  for (const ref of clients) {
    const step = (): void => {
      if (sim.nowMs >= RUN_MS) return;
      const key = keys[Math.floor(next() * keys.length)] as string;
      const start = sim.nowMs;
      const again = (): void => sim.schedule(1 + next() * 4, step);
      if (next() < 0.5) {
        const value = ++seq;
        ref.instance.put(key, value, {}, (res) => {
          account(start, res.ok);
          // A write that timed out may still have been applied: it counts as acknowledged never.
          written.set(value, { key, invokeMs: start, ackMs: res.ok ? sim.nowMs : Number.POSITIVE_INFINITY });
          if (res.ok) acked.push({ key, value, invokeMs: start, ackMs: sim.nowMs });
          again();
        });
      } else {
        ref.instance.get(key, {}, (res) => {
          account(start, res.ok);
          if (res.ok) {
            reads++;
            if (isStale(key, res.values[0] as number | undefined, start)) stale++;
          }
          again();
        });
      }
    };
    sim.schedule(next() * 5, step);
  }
  sim.runFor(RUN_MS + 500);
  latencies.sort((a, b) => a - b);
  const events = kvCheckEvents(clients.map((c) => c.instance.history));
  const result = checkLinearizable(historyFromEvents(events), kvModel({ initial: null }), {
    maxSteps: 5_000_000,
  });
  return {
    name: config.name,
    ops,
    okDuringPartition: okDuring,
    opsDuringPartition: opsDuring,
    okOutside,
    opsOutside,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    staleReads: stale,
    reads,
    verdict: result.verdict,
  };
}

const configs: Config[] = [
  { name: "R=W=2 (strict)", r: 2, w: 2, readRepair: "blocking" },
  { name: "R=W=1 (partial)", r: 1, w: 1, readRepair: "async" },
];
const pct = (a: number, b: number): string => (b === 0 ? "-" : `${((100 * a) / b).toFixed(1)}%`);
console.log(
  "N=3 on 5 nodes; partition {n1,n2} | {n3,n4,n5} from 1.0 s to 2.0 s; 4 clients (2 per side), 4 keys\n",
);
console.log(
  "config            | available (partition) | available (healthy) | p50 ms | p99 ms | stale reads    | linearizable?",
);
console.log(
  "------------------|-----------------------|---------------------|--------|--------|----------------|--------------",
);
for (const c of configs) {
  const r = run(c, 42);
  console.log(
    `${r.name.padEnd(17)} | ${`${r.okDuringPartition}/${r.opsDuringPartition} ${pct(r.okDuringPartition, r.opsDuringPartition)}`.padEnd(21)} | ${`${r.okOutside}/${r.opsOutside} ${pct(r.okOutside, r.opsOutside)}`.padEnd(19)} | ${r.p50Ms.toFixed(2).padStart(6)} | ${r.p99Ms.toFixed(2).padStart(6)} | ${`${r.staleReads}/${r.reads}`.padEnd(14)} | ${r.verdict}`,
  );
}
console.log(
  "\nStrict quorums give up availability for keys whose quorum is on the other side, and never serve a stale read;\npartial quorums stay available on both sides and pay with stale reads (and faster operations).",
);
