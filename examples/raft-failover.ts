/**
 * Automatic failover with Raft (the article's single-leader section: "systems use a distributed
 * consensus algorithm such as Paxos or Raft to elect a new leader").
 *
 * A 5-node Raft cluster serves a replicated key-value store to two clients. The leader crashes; the
 * program prints the unavailability window (the gap in successful writes), the new leader, and checks
 * that no acknowledged write was lost. It writes the space-time diagram to out/raft-failover.svg.
 *
 * Run: npx tsx --conditions=source examples/raft-failover.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { KvClient, RaftNode } from "@distkit/raft";
import { Simulation } from "@distkit/sim-net";

const servers = ["n1", "n2", "n3", "n4", "n5"];
const sim = new Simulation({
  seed: 2024,
  network: { latency: { kind: "uniform", minMs: 2, maxMs: 8 } },
  trace: "full",
});
const raft = { electionTimeoutMs: 150, heartbeatIntervalMs: 50 };
for (const id of servers) sim.addNode(id, (ctx) => new RaftNode(ctx, { voters: servers, raft }));
const clients = ["c1", "c2"].map((id) =>
  sim.addNode(id, (ctx) => new KvClient(ctx, { servers, requestTimeoutMs: 100, operationTimeoutMs: 10_000 })),
);

const leaderNow = () =>
  servers.find(
    (id) => sim.node(id).status === "up" && sim.node<RaftNode>(id).instance.core.currentRole === "leader",
  );

sim.runUntil(() => leaderNow() !== undefined, { timeoutMs: 5000 });
const firstLeader = leaderNow()!;
console.log(
  `t=${sim.nowMs.toFixed(0)} ms: ${firstLeader} leads term ${sim.node<RaftNode>(firstLeader).instance.core.currentTerm}`,
);

// Each client appends numbered tokens to its own key, one at a time, until t = 1600 ms.
const acknowledged: { key: string; token: string; atMs: number }[] = [];
for (const [i, client] of clients.entries()) {
  const key = `log-${i + 1}`;
  let n = 0;
  const next = () => {
    if (sim.nowMs > 1600) return;
    const token = `${n++};`;
    client.instance.submit({ kind: "append", key, value: token }, (r) => {
      if (r.kind === "ok") acknowledged.push({ key, token, atMs: sim.nowMs });
      sim.schedule(5, next);
    });
  };
  sim.schedule(0, next);
}

let electedAtMs: number | undefined;
sim.onEvent(() => {
  if (electedAtMs !== undefined || sim.nowMs < 600) return;
  const l = leaderNow();
  if (l !== undefined && l !== firstLeader && sim.node<RaftNode>(l).instance.core.committedInTerm())
    electedAtMs = sim.nowMs;
});

const crashAtMs = 600;
sim.schedule(crashAtMs - sim.nowMs, () => {
  console.log(`t=${sim.nowMs.toFixed(0)} ms: crash the leader ${firstLeader}`);
  sim.crash(firstLeader);
});
sim.runFor(1800 - sim.nowMs);

const newLeader = leaderNow();
const lastBefore = Math.max(...acknowledged.filter((a) => a.atMs <= crashAtMs).map((a) => a.atMs));
const firstAfter = Math.min(...acknowledged.filter((a) => a.atMs > crashAtMs).map((a) => a.atMs));
console.log(
  `new leader: ${newLeader} (term ${newLeader ? sim.node<RaftNode>(newLeader).instance.core.currentTerm : "-"}), ready ${((electedAtMs ?? Number.NaN) - crashAtMs).toFixed(1)} ms after the crash`,
);
console.log(
  `unavailability window: no write acknowledged between t=${lastBefore.toFixed(1)} ms and t=${firstAfter.toFixed(1)} ms (${(firstAfter - lastBefore).toFixed(1)} ms)`,
);

// No acknowledged write lost: every acknowledged token is in the new leader's state machine, once.
let lost = 0;
let duplicated = 0;
const kv = sim.node<RaftNode>(newLeader ?? "n2").instance.kv;
for (const a of acknowledged) {
  const tokens = (kv.get(a.key) ?? "").split(";");
  const count = tokens.filter((t) => `${t};` === a.token).length;
  if (count === 0) lost++;
  if (count > 1) duplicated++;
}
console.log(`${acknowledged.length} acknowledged writes: ${lost} lost, ${duplicated} applied twice`);

sim.restart(firstLeader);
sim.runFor(500);
const caughtUp = sim.node<RaftNode>(firstLeader).instance.kv.get("log-1") === kv.get("log-1");
console.log(
  `old leader ${firstLeader} restarted as ${sim.node<RaftNode>(firstLeader).instance.core.currentRole}, caught up: ${caughtUp}`,
);

const out = join(dirname(fileURLToPath(import.meta.url)), "..", "out", "raft-failover.svg");
mkdirSync(dirname(out), { recursive: true });
// The window around the crash: the last heartbeats of the old leader, the election, the catch-up.
writeFileSync(
  out,
  sim.trace.toSVG({
    fromMs: crashAtMs - 60,
    toMs: (electedAtMs ?? crashAtMs + 400) + 150,
    maxMessages: 1500,
    title: `Raft failover: ${firstLeader} crashes at ${crashAtMs} ms, ${newLeader} takes over`,
  }),
);
console.log(`space-time diagram: ${out}`);
if (lost > 0 || duplicated > 0) process.exitCode = 1;
