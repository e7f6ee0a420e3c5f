import { checkLinearizable, HistoryRecorder, kvModel } from "@distkit/check";
import { type NodeId, Simulation } from "@distkit/sim-net";
import { describe, expect, it } from "vitest";
import { KvClient, type KvOperation, RaftNode } from "../src/index.js";
import { InvariantChecker, serverNames } from "./harness.js";

/**
 * A lease-read race: the leader (whose clock runs `driftPpm` slow) is cut off with one client right
 * after a heartbeat round; the majority elects a new leader and acknowledges a write; then the cut-off
 * client reads from the old leader. Returns whether the history is linearizable.
 */
function leaseRace(driftPpm: number, maxClockDriftRatio: number, partitionDelayMs: number): boolean {
  const sim = new Simulation({ seed: 9, network: { latency: { kind: "constant", ms: 1 } }, trace: "off" });
  const servers = serverNames(3);
  const raft = { electionTimeoutMs: 150, heartbeatIntervalMs: 50, maxClockDriftRatio };
  for (const id of servers)
    sim.addNode(id, (ctx) => new RaftNode(ctx, { voters: servers, raft, readMode: "lease" }));
  new InvariantChecker(sim, servers);
  const leaderNow = () => servers.find((id) => sim.node<RaftNode>(id).instance.core.currentRole === "leader");
  sim.runUntil(() => leaderNow() !== undefined, { timeoutMs: 2000 });
  const old = leaderNow()!;
  sim.setClock(old, { driftPpm });
  const majority = servers.filter((id) => id !== old);
  sim.addNode(
    "c1",
    (ctx) => new KvClient(ctx, { servers: [old], requestTimeoutMs: 1000, operationTimeoutMs: 1000 }),
  );
  sim.addNode(
    "c2",
    (ctx) => new KvClient(ctx, { servers: majority, requestTimeoutMs: 30, operationTimeoutMs: 3000 }),
  );
  const h = new HistoryRecorder();
  const op = (cid: NodeId, o: KvOperation, then?: () => void) => {
    const input = { key: o.key, value: o.kind === "put" ? o.value : null };
    const handle = h.invoke(cid, o.kind, input, sim.nowMs);
    sim.node<KvClient>(cid).instance.submit(o, (r) => {
      if (r.kind === "ok") h.ok(handle, o.kind === "get" ? (r.outcome.value ?? "") : undefined, sim.nowMs);
      else if (o.kind === "get") h.fail(handle, undefined, sim.nowMs);
      else h.info(handle, sim.nowMs);
      then?.();
    });
  };
  sim.runFor(300);
  op("c1", { kind: "put", key: "x", value: "1" });
  sim.runFor(100 + partitionDelayMs);
  sim.partition([old, "c1"], [...majority, "c2"]);
  // Write through the new leader, then immediately read through the old one.
  op("c2", { kind: "put", key: "x", value: "2" }, () =>
    sim.schedule(0.5, () => op("c1", { kind: "get", key: "x" })),
  );
  sim.runFor(3000);
  return checkLinearizable(h.history(), kvModel()).verdict === "linearizable";
}

describe("lease reads and the clock-drift bound", () => {
  const offsets = Array.from({ length: 10 }, (_, i) => i * 5);

  it("are linearizable when clock drift stays within maxClockDriftRatio", () => {
    for (const offset of offsets) expect(leaseRace(-9000, 0.01, offset)).toBe(true);
    // A 30% slow leader is fine too when the bound says so (the lease is shortened accordingly).
    for (const offset of offsets) expect(leaseRace(-300_000, 0.45, offset)).toBe(true);
  });

  it("can serve a stale read when the leader's clock drifts beyond the configured bound", () => {
    const stale = offsets.filter((offset) => !leaseRace(-600_000, 0.01, offset));
    expect(stale.length).toBeGreaterThan(0);
  });
});
