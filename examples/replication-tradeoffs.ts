/**
 * The article's second and third configurations, measured: single-leader replication under each
 * commit mode (write latency, stale reads at replicas, writes lost in a failover), manual vs
 * automatic failover (how long writes are unavailable), and multi-leader replication across three
 * datacenters 75 ms apart vs a single leader (write latency, conflicts). Writes an SVG space-time
 * diagram of one short run to out/replication-tradeoffs.svg.
 *
 * Run: npx tsx --conditions=source examples/replication-tradeoffs.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { RaftNode } from "@distkit/raft";
import { type LinkConfig, Simulation } from "@distkit/sim-net";
import { percentileOfSorted } from "./percentile.js";
import {
  type CommitMode,
  LeaseServerNode,
  leaseServerStore,
  MultiLeaderClient,
  MultiLeaderNode,
  raftLeaseStore,
  type ReplicaConfig,
  ReplicaNode,
  ReplicationClient,
  type WriteResult,
} from "@distkit/replication";

const REPLICAS = ["n1", "n2", "n3"];

/** The `p`-th percentile (0..100) of unsorted `values`. */
const percentile = (values: readonly number[], p: number): number =>
  percentileOfSorted(
    [...values].sort((a, b) => a - b),
    p / 100,
  );
const ms = (v: number): string => (Number.isNaN(v) ? "-" : `${v.toFixed(1)} ms`);

function table(title: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(`\n${title}\n${line(header)}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

// ------------------------------------------------------------------ 1. commit modes

/** Network: n2 in the leader's region (about 2 ms away), n3 in another region (about 20 ms). */
function regionalNetwork(sim: Simulation): void {
  for (const [a, b] of [
    ["n1", "n3"],
    ["n3", "n1"],
    ["n2", "n3"],
    ["n3", "n2"],
  ] as const) {
    sim.setLink(a, b, { latency: { kind: "normal", meanMs: 20, stdDevMs: 3 } });
  }
}

function commitModeRun(name: string, commit: CommitMode, seed: number) {
  const sim = new Simulation({
    seed,
    network: { latency: { kind: "normal", meanMs: 2, stdDevMs: 0.5 } } satisfies Partial<LinkConfig>,
    trace: "off",
  });
  const config: ReplicaConfig = { replicas: REPLICAS, initialLeader: "n1", commit };
  for (const id of REPLICAS) sim.addNode(id, (ctx) => new ReplicaNode(ctx, config));
  regionalNetwork(sim);
  const clients = ["w1", "w2", "w3", "w4"].map(
    (id) =>
      sim.addNode(id, (ctx) => new ReplicationClient(ctx, { leader: "n1", requestTimeoutMs: 2000 })).instance,
  );
  const reader = sim.addNode("r1", (ctx) => new ReplicationClient(ctx, { leader: "n1" })).instance;
  // Acknowledged writes per key, to judge replica reads: a read is stale when the replica had not
  // applied the last write of that key acknowledged before the read started.
  const acked = new Map<string, { lsn: number; atMs: number }[]>();
  const latencies: number[] = [];
  let crashed = false;
  const crashAtMs = 3000;
  clients.forEach((client, ci) => {
    let i = 0;
    const next = (): void => {
      if (crashed) return;
      const key = `k${(ci * 7 + i++) % 10}`;
      const startMs = sim.nowMs;
      client.write(key, `${ci}-${i}`, {}, (r: WriteResult) => {
        if (r.outcome === "ok") {
          latencies.push(sim.nowMs - startMs);
          const list = acked.get(key) ?? [];
          list.push({ lsn: r.lsn, atMs: sim.nowMs });
          acked.set(key, list);
        }
        sim.schedule(5, next);
      });
    };
    sim.schedule(ci, next);
  });
  let replicaReads = 0;
  let staleReads = 0;
  const readLoop = (i: number): void => {
    if (crashed) return;
    const key = `k${i % 10}`;
    const startMs = sim.nowMs;
    const from = i % 2 === 0 ? "n2" : "n3";
    reader.read(key, { from }, (r) => {
      if (r.outcome === "ok") {
        replicaReads++;
        const before = (acked.get(key) ?? []).filter((w) => w.atMs <= startMs);
        const last = before[before.length - 1];
        if (last !== undefined && r.appliedLsn < last.lsn) staleReads++;
      }
      sim.schedule(3, () => readLoop(i + 1));
    });
  };
  sim.schedule(10, () => readLoop(0));
  // The leader loses its followers 200 ms before it dies (a network fault, then the machine).
  sim.runFor(crashAtMs - 200);
  sim.partition(["n1", "w1", "w2", "w3", "w4"], ["n2", "n3", "r1"]);
  sim.runFor(200);
  // Failover: the leader dies; the operator promotes the most up-to-date follower.
  crashed = true;
  sim.heal();
  sim.crash("n1");
  const best = ["n2", "n3"].sort(
    (a, b) =>
      sim.node<ReplicaNode>(b).instance.status().lastLsn - sim.node<ReplicaNode>(a).instance.status().lastLsn,
  )[0]!;
  sim.node<ReplicaNode>(best).instance.promote(2);
  sim.runFor(100);
  const survivors = new Set(
    sim
      .node<ReplicaNode>(best)
      .instance.records()
      .map((r) => r.writeId),
  );
  const ackedIds = clients.flatMap((c) =>
    c.operations.filter((o) => o.status === "ok").map((o) => o.writeId),
  );
  const lost = ackedIds.filter((id) => !survivors.has(id)).length;
  // The old leader comes back, rewinds, and reports the acknowledged writes it had to discard.
  sim.restart("n1");
  sim.runFor(500);
  const reported = sim
    .node<ReplicaNode>("n1")
    .instance.lostWrites.reduce((n, r) => n + r.acknowledged.length, 0);
  return {
    name,
    writes: latencies.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    staleRate: replicaReads === 0 ? 0 : staleReads / replicaReads,
    lost,
    reported,
  };
}

const modes: [string, CommitMode][] = [
  ["async", { kind: "async" }],
  ["semi-sync ANY 1", { kind: "any", k: 1 }],
  ["FIRST 1 (n2, n3)", { kind: "first", k: 1, priority: ["n2", "n3"] }],
  ["FIRST 1 (n3, n2)", { kind: "first", k: 1, priority: ["n3", "n2"] }],
  ["sync (all)", { kind: "sync" }],
];
const commitRows = modes.map(([name, commit]) => commitModeRun(name, commit, 11));
table(
  "Single leader, 1 leader + 2 followers (n2 ~2 ms away, n3 ~20 ms away), 4 writers, replica reads;\n" +
    "at 2.8 s the leader is cut off from its followers, at 3 s it crashes and the best follower is promoted",
  [
    "commit mode",
    "acked writes",
    "write p50",
    "p95",
    "p99",
    "stale replica reads",
    "acked writes lost in failover",
    "lost writes reported",
  ],
  commitRows.map((r) => [
    r.name,
    String(r.writes),
    ms(r.p50),
    ms(r.p95),
    ms(r.p99),
    `${(r.staleRate * 100).toFixed(1)}%`,
    String(r.lost),
    String(r.reported),
  ]),
);

// ------------------------------------------------------------------ 2. manual vs automatic failover

const ETCD = ["etcd1", "etcd2", "etcd3"];

function failoverRun(kind: "manual" | "automatic" | "automatic-raft", operatorReactionMs: number) {
  const sim = new Simulation({
    seed: 5,
    network: { latency: { kind: "normal", meanMs: 2, stdDevMs: 0.5 } },
    trace: "off",
  });
  const config: ReplicaConfig = {
    replicas: REPLICAS,
    initialLeader: "n1",
    commit: { kind: "any", k: 1 },
    ...(kind === "manual"
      ? {}
      : {
          failover: {
            leaseStore: kind === "automatic" ? leaseServerStore("lease") : raftLeaseStore(ETCD),
            leaseTtlMs: 3000,
            failureTimeoutMs: 3000,
          },
        }),
  };
  if (kind === "automatic") sim.addNode("lease", (ctx) => new LeaseServerNode(ctx));
  if (kind === "automatic-raft")
    for (const id of ETCD) sim.addNode(id, (ctx) => new RaftNode(ctx, { voters: ETCD }));
  for (const id of REPLICAS) sim.addNode(id, (ctx) => new ReplicaNode(ctx, config));
  const client = sim.addNode(
    "c1",
    (ctx) => new ReplicationClient(ctx, { leader: "n1", requestTimeoutMs: 200 }),
  ).instance;
  const crashAtMs = 5000;
  let firstOkAfterCrashMs = Number.NaN;
  let i = 0;
  const loop = (): void => {
    client.write("x", i++, {}, (r) => {
      if (r.outcome === "ok" && sim.nowMs > crashAtMs && Number.isNaN(firstOkAfterCrashMs))
        firstOkAfterCrashMs = sim.nowMs;
      if (r.outcome !== "ok" && !(r.outcome === "not-leader" && r.leader !== undefined)) {
        // No leader hint: try the next replica.
        client.setLeader(REPLICAS[(REPLICAS.indexOf(client.currentLeader) + 1) % REPLICAS.length]!);
      }
      sim.schedule(20, loop);
    });
  };
  sim.schedule(500, loop);
  sim.schedule(crashAtMs, () => sim.crash("n1"));
  if (kind === "manual") {
    sim.schedule(crashAtMs + operatorReactionMs, () => {
      const best = ["n2", "n3"].sort(
        (a, b) =>
          sim.node<ReplicaNode>(b).instance.status().lastLsn -
          sim.node<ReplicaNode>(a).instance.status().lastLsn,
      )[0]!;
      sim.node<ReplicaNode>(best).instance.promote(2);
    });
  }
  sim.runFor(crashAtMs + Math.max(operatorReactionMs, 10_000) + 2000);
  return firstOkAfterCrashMs - crashAtMs;
}
table(
  "Failover: leader crashes at 5 s; unavailability = time until the next acknowledged write",
  ["failover", "how", "writes unavailable for"],
  [
    ["manual", "operator paged, promotes after 60 s", ms(failoverRun("manual", 60_000))],
    ["manual", "operator watching, promotes after 5 s", ms(failoverRun("manual", 5_000))],
    [
      "automatic",
      "failure detector 3 s + lease (TTL 3 s) on one lease server",
      ms(failoverRun("automatic", 0)),
    ],
    [
      "automatic",
      "failure detector 3 s + lease (TTL 3 s) in a 3-node raft store (Patroni + etcd)",
      ms(failoverRun("automatic-raft", 0)),
    ],
  ],
);

// ------------------------------------------------------------------ 3. three datacenters

const DCS = ["dc1", "dc2", "dc3"];
function wanNetwork(sim: Simulation, nodeDc: Record<string, string>): void {
  const ids = Object.keys(nodeDc);
  for (const a of ids) {
    for (const b of ids) {
      if (a === b) continue;
      const sameDc = nodeDc[a] === nodeDc[b];
      sim.setLink(a, b, {
        latency: sameDc
          ? { kind: "normal", meanMs: 1, stdDevMs: 0.2 }
          : { kind: "normal", meanMs: 75, stdDevMs: 5 },
      });
    }
  }
}

function datacenterRun(kind: "single" | "multi") {
  const sim = new Simulation({ seed: 21, trace: "off" });
  const nodeDc: Record<string, string> = {};
  const clients = DCS.map((dc) => `client-${dc}`);
  DCS.forEach((dc) => {
    nodeDc[dc] = dc;
    nodeDc[`client-${dc}`] = dc;
  });
  const latencies: number[] = [];
  const remoteLatencies: number[] = [];
  let conflicts = 0;
  let lostUpdates = 0;
  const durationMs = 20_000;
  if (kind === "multi") {
    const config = {
      leaders: DCS,
      topology: { kind: "all-to-all" as const },
      conflict: { kind: "lww" as const },
      retransmitIntervalMs: 500,
    };
    for (const dc of DCS) sim.addNode(dc, (ctx) => new MultiLeaderNode(ctx, config));
    const cs = clients.map((id) => sim.addNode(id, (ctx) => new MultiLeaderClient(ctx)).instance);
    wanNetwork(sim, nodeDc);
    cs.forEach((c, ci) => {
      let i = 0;
      const loop = (): void => {
        if (sim.nowMs > durationMs) return;
        c.write(DCS[ci]!, `user${i++ % 20}`, "put", `${ci}:${i}`, (_r, latencyMs) => {
          latencies.push(latencyMs);
          if (ci > 0) remoteLatencies.push(latencyMs);
          sim.schedule(50, loop);
        });
      };
      sim.schedule(ci * 7, loop);
    });
    sim.runFor(durationMs + 2000);
    const stats = sim.node<MultiLeaderNode>("dc1").instance.stats();
    conflicts = stats.conflicts;
    lostUpdates = stats.lostUpdates;
  } else {
    const config: ReplicaConfig = { replicas: DCS, initialLeader: "dc1" };
    for (const dc of DCS) sim.addNode(dc, (ctx) => new ReplicaNode(ctx, config));
    const cs = clients.map(
      (id) => sim.addNode(id, (ctx) => new ReplicationClient(ctx, { leader: "dc1" })).instance,
    );
    wanNetwork(sim, nodeDc);
    cs.forEach((c, ci) => {
      let i = 0;
      const loop = (): void => {
        if (sim.nowMs > durationMs) return;
        const startMs = sim.nowMs;
        c.write(`user${i++ % 20}`, `${ci}:${i}`, {}, () => {
          latencies.push(sim.nowMs - startMs);
          if (ci > 0) remoteLatencies.push(sim.nowMs - startMs);
          sim.schedule(50, loop);
        });
      };
      sim.schedule(ci * 7, loop);
    });
    sim.runFor(durationMs + 2000);
  }
  return {
    writes: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    remoteP50: percentile(remoteLatencies, 50),
    conflicts,
    lostUpdates,
  };
}
const single = datacenterRun("single");
const multi = datacenterRun("multi");
table(
  "Three datacenters 75 ms apart, one writing client per datacenter (1 ms away), 20 shared keys, 20 s",
  [
    "configuration",
    "writes",
    "write p50",
    "write p99",
    "p50 from dc2/dc3",
    "concurrent writes applied at dc1",
    "LWW writes lost (final state)",
  ],
  [
    [
      "single leader in dc1 (async)",
      String(single.writes),
      ms(single.p50),
      ms(single.p99),
      ms(single.remoteP50),
      "0 (one writer order)",
      "0",
    ],
    [
      "multi-leader, all-to-all, LWW",
      String(multi.writes),
      ms(multi.p50),
      ms(multi.p99),
      ms(multi.remoteP50),
      String(multi.conflicts),
      String(multi.lostUpdates),
    ],
  ],
);

// ------------------------------------------------------------------ 4. an SVG of one short run

{
  const sim = new Simulation({
    seed: 3,
    network: { latency: { kind: "normal", meanMs: 3, stdDevMs: 1 } },
    trace: "full",
  });
  const config: ReplicaConfig = {
    replicas: REPLICAS,
    initialLeader: "n1",
    commit: { kind: "any", k: 1 },
    heartbeatIntervalMs: 40,
  };
  for (const id of REPLICAS) sim.addNode(id, (ctx) => new ReplicaNode(ctx, config));
  const client = sim.addNode(
    "client",
    (ctx) => new ReplicationClient(ctx, { leader: "n1", requestTimeoutMs: 60 }),
  ).instance;
  sim.schedule(5, () => client.write("x", 1));
  sim.schedule(30, () => client.write("x", 2));
  sim.schedule(60, () => sim.crash("n1"));
  sim.schedule(80, () => {
    sim.node<ReplicaNode>("n2").instance.promote(2);
    client.setLeader("n2");
    client.write("x", 3);
  });
  sim.schedule(110, () => client.read("x", { from: "n3" }));
  sim.runFor(160);
  mkdirSync("out", { recursive: true });
  writeFileSync("out/replication-tradeoffs.svg", sim.trace.toSVG({ maxMessages: 300 }));
  console.log(
    "\nWrote out/replication-tradeoffs.svg: semi-sync writes, a leader crash, a manual promotion, a replica read.",
  );
}
