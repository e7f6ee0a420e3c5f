import { checkLinearizable, HistoryRecorder, kvModel } from "@distkit/check";
import { type NodeId, Simulation } from "@distkit/sim-net";
import { describe, expect, it } from "vitest";
import { KvClient, type KvOperation, RaftNode, type ReadMode } from "../src/index.js";
import { buildCluster, InvariantChecker, serverNames, startWorkload } from "./harness.js";

describe("linearizability of the replicated KV store (checked with @distkit/check)", () => {
  for (const readMode of ["readIndex", "lease"] as const) {
    it(`${readMode} reads: histories under partitions, crashes and loss are linearizable`, () => {
      for (const seed of [101, 102, 103]) {
        const c = buildCluster({
          seed,
          servers: 5,
          clients: 4,
          readMode,
          network: { lossRate: 0.05, duplicateRate: 0.05, latency: { kind: "exponential", meanMs: 3 } },
          clientOptions: { requestTimeoutMs: 100, operationTimeoutMs: 1000 },
        });
        const wl = startWorkload(c, { untilMs: 4000, keys: ["a", "b", "c"], readRatio: 0.5 });
        const s = c.sim;
        s.schedule(500, () => s.isolate(c.leader() ?? "n1"));
        s.schedule(1200, () => s.heal());
        s.schedule(1500, () => s.crash(c.leader() ?? "n2"));
        s.schedule(2200, () => s.restart(c.serverIds.find((id) => s.node(id).status === "crashed") ?? "n2"));
        s.schedule(2500, () => s.partition(["n1", "n2", "c1", "c2"], ["n3", "n4", "n5", "c3", "c4"]));
        s.schedule(3200, () => s.heal());
        s.runFor(5000);
        const history = wl.recorder.history();
        expect(history.length).toBeGreaterThan(100);
        expect(history.filter((o) => o.f === "get" && o.status === "ok").length).toBeGreaterThan(30);
        const result = checkLinearizable(history, kvModel());
        expect(result.verdict).toBe("linearizable");
      }
    });
  }

  /**
   * The demo of why ReadIndex exists: a leader cut off with one client keeps believing it leads
   * (check-quorum off), the majority elects a new leader and accepts a write, then the old leader
   * answers a read from its local state.
   */
  function staleReadScenario(readMode: ReadMode) {
    const sim = new Simulation({ seed: 7, network: { latency: { kind: "constant", ms: 1 } }, trace: "off" });
    const servers = serverNames(5);
    const raft = { electionTimeoutMs: 150, heartbeatIntervalMs: 50, checkQuorum: false };
    for (const id of servers)
      sim.addNode(id, (ctx) => new RaftNode(ctx, { voters: servers, raft, readMode }));
    const checker = new InvariantChecker(sim, servers);
    sim.runUntil(() => servers.some((id) => sim.node<RaftNode>(id).instance.core.currentRole === "leader"), {
      timeoutMs: 2000,
    });
    const oldLeader = servers.find((id) => sim.node<RaftNode>(id).instance.core.currentRole === "leader")!;
    const majority = servers.filter((id) => id !== oldLeader);
    sim.addNode("c1", (ctx) => new KvClient(ctx, { servers: [oldLeader], operationTimeoutMs: 500 }));
    sim.addNode("c2", (ctx) => new KvClient(ctx, { servers: majority, operationTimeoutMs: 3000 }));
    const h = new HistoryRecorder();
    const op = (cid: NodeId, o: KvOperation) => {
      const f = o.kind;
      const input = { key: o.key, value: o.kind === "put" ? o.value : null };
      const handle = h.invoke(cid, f, input, sim.nowMs);
      let done = false;
      sim.node<KvClient>(cid).instance.submit(o, (r) => {
        done = true;
        if (r.kind === "ok") h.ok(handle, f === "get" ? (r.outcome.value ?? "") : undefined, sim.nowMs);
        else if (f === "get") h.fail(handle, undefined, sim.nowMs);
        else h.info(handle, sim.nowMs);
      });
      sim.runUntil(() => done, { timeoutMs: 5000 });
      sim.runFor(5); // the next operation starts strictly after this one returned
    };
    sim.runFor(100);
    op("c1", { kind: "put", key: "x", value: "1" });
    sim.runFor(100);
    sim.partition([oldLeader, "c1"], [...majority, "c2"]);
    op("c2", { kind: "put", key: "x", value: "2" }); // a new leader commits x = 2
    op("c1", { kind: "get", key: "x" }); // asks the deposed leader
    const history = h.history();
    return { history, result: checkLinearizable(history, kvModel()), checker };
  }

  it("unsafeStale reads from a deposed leader: the checker finds the violation", () => {
    const { history, result } = staleReadScenario("unsafeStale");
    const read = history.find((o) => o.f === "get")!;
    expect(read.status).toBe("ok");
    expect(read.output).toBe("1"); // stale: x = 2 was acknowledged before the read began
    expect(result.verdict).toBe("not-linearizable");
  });

  it("the same scenario with ReadIndex: the deposed leader cannot confirm the read, history is linearizable", () => {
    const { history, result } = staleReadScenario("readIndex");
    const read = history.find((o) => o.f === "get")!;
    expect(read.status).toBe("fail");
    expect(result.verdict).toBe("linearizable");
  });
});
