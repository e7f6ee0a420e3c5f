import { Simulation } from "@distkit/sim-net";
import { describe, expect, it } from "vitest";
import {
  type LeaseOutcome,
  LeaseServerNode,
  leaseServerStore,
  MultiLeaderClient,
  type MultiLeaderConfig,
  MultiLeaderNode,
  type MultiLeaderWriteResult,
  type WriteResult,
} from "../src/index.js";
import { singleLeaderCluster } from "./helpers.js";

describe("single-leader clients", () => {
  it("a follower answers not-leader with a hint, and the client follows it", () => {
    const c = singleLeaderCluster({ replicas: ["n1", "n2"], initialLeader: "n1" });
    const client = c.client("c1");
    client.setLeader("n2");
    const results: WriteResult[] = [];
    c.sim.schedule(1, () => client.write("x", 1, {}, (r) => results.push(r)));
    c.sim.runFor(20);
    expect(results).toEqual([{ outcome: "not-leader", leader: "n1" }]);
    expect(client.currentLeader).toBe("n1");
    expect(client.operations[0]).toMatchObject({ f: "write", status: "fail" });
  });

  it("a leader restarted from its disk resumes with its log and commit position", () => {
    const c = singleLeaderCluster({ replicas: ["n1", "n2"], initialLeader: "n1", commit: { kind: "sync" } });
    const client = c.client("c1");
    c.sim.schedule(1, () => {
      for (let i = 0; i < 3; i++) client.write("x", i);
    });
    c.sim.runFor(50);
    c.sim.crash("n1");
    c.sim.restart("n1");
    expect(c.replica("n1").status()).toMatchObject({ role: "leader", lastLsn: 3, commitLsn: 3 });
    expect(c.replica("n1").peek("x")).toBe(2);
    const after: WriteResult[] = [];
    c.sim.schedule(1, () => client.write("x", 9, {}, (r) => after.push(r)));
    c.sim.runFor(50);
    expect(after).toEqual([{ outcome: "ok", lsn: 4, epoch: 1, degraded: false }]);
  });
});

describe("multi-leader clients", () => {
  const config: MultiLeaderConfig = {
    leaders: ["dc1", "dc2"],
    followers: { dc1: ["dc1-replica"] },
    topology: { kind: "all-to-all" },
    conflict: { kind: "lww" },
  };

  function setup() {
    const sim = new Simulation({ seed: 1, network: { latency: { kind: "constant", ms: 40 } }, trace: "off" });
    for (const id of ["dc1", "dc2", "dc1-replica"])
      sim.addNode(id, (ctx) => new MultiLeaderNode(ctx, config));
    const client = sim.addNode("client", (ctx) => new MultiLeaderClient(ctx)).instance;
    sim.setLink("client", "dc1", { latency: { kind: "constant", ms: 1 } });
    sim.setLink("dc1", "client", { latency: { kind: "constant", ms: 1 } });
    return { sim, client };
  }

  it("a write to the local leader costs one local round trip; followers refuse writes", () => {
    const { sim, client } = setup();
    const out: [string, number][] = [];
    sim.schedule(1, () => {
      client.write("dc1", "x", "put", 1, (r, ms) => out.push([r.outcome, ms]));
      client.write("dc1-replica", "x", "put", 2, (r, ms) => out.push([r.outcome, ms]));
    });
    sim.runFor(200);
    expect(out).toEqual([
      ["ok", 2],
      ["not-leader", 80],
    ]);
    expect(sim.node<MultiLeaderNode>("dc1-replica").instance.read("x").value).toBe(1);
  });

  it("a malformed request is answered as rejected, not thrown", () => {
    const { sim, client } = setup();
    const out: MultiLeaderWriteResult[] = [];
    sim.schedule(1, () => client.write("dc1", "x", "crdt", 1, (r) => out.push(r)));
    sim.runFor(50);
    expect(out[0]).toMatchObject({ outcome: "rejected" });
    expect(() => sim.node<MultiLeaderNode>("dc1").instance.write("x", "crdt", 1)).toThrow(/crdt/);
  });
});

describe("lease server", () => {
  it("answers unavailable when the server does not answer in time", () => {
    const sim = new Simulation({ seed: 1, trace: "off" });
    sim.addNode("lease", (ctx) => new LeaseServerNode(ctx));
    const store = { current: undefined as ReturnType<ReturnType<typeof leaseServerStore>> | undefined };
    sim.addNode("n1", (ctx) => {
      const s = leaseServerStore("lease", { requestTimeoutMs: 100 })(ctx);
      store.current = s;
      return { onMessage: (from, m) => void s.handle(from, m) };
    });
    const outcomes: LeaseOutcome[] = [];
    sim.schedule(1, () => store.current!.acquire("n1", 1000, (o) => outcomes.push(o)));
    sim.runFor(50);
    sim.crash("lease");
    sim.schedule(1, () => store.current!.acquire("n1", 1000, (o) => outcomes.push(o)));
    sim.runFor(200);
    expect(outcomes).toEqual([{ outcome: "granted", holder: "n1", epoch: 1 }, { outcome: "unavailable" }]);
  });
});

describe("per-write commit modes are checked against the leader's followers", () => {
  it("an impossible per-write mode is rejected (a failed write), not thrown", () => {
    const c = singleLeaderCluster({ replicas: ["n1", "n2"], initialLeader: "n1" });
    const client = c.client("c1");
    const results: WriteResult[] = [];
    c.sim.schedule(1, () => client.write("x", 1, { commit: { kind: "any", k: 2 } }, (r) => results.push(r)));
    c.sim.runFor(20);
    expect(results[0]).toMatchObject({ outcome: "rejected" });
    expect(results[0]?.outcome === "rejected" && results[0].reason).toMatch(/larger than/);
    expect(client.operations[0]?.status).toBe("fail");
    expect(c.replica("n1").status().lastLsn).toBe(0);
  });
});
