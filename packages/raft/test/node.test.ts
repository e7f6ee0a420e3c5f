import { Simulation } from "@distkit/sim-net";
import { describe, expect, it } from "vitest";
import { KvClient, RaftError, RaftNode } from "../src/index.js";
import { buildCluster } from "./harness.js";

describe("RaftNode and KvClient", () => {
  it("validates node options with typed errors", () => {
    const sim = new Simulation({ seed: 1, trace: "off" });
    const add = (id: string, options: object) => () =>
      sim.addNode(id, (ctx) => new RaftNode(ctx, options as never)).instance;
    expect(add("a", {})).toThrow(/needs `voters`/);
    expect(add("b", { voters: ["b"], readMode: "fast" })).toThrow(/readMode/);
    expect(add("c", { voters: ["c"], readMode: "lease", raft: { checkQuorum: false } })).toThrow(
      /requires raft.checkQuorum/,
    );
    expect(add("d", { voters: ["d"], snapshotThresholdEntries: 0 })).toThrow(RaftError);
    expect(() => sim.addNode("e", (ctx) => new KvClient(ctx, { servers: [] })).instance).toThrow(
      /non-empty `servers`/,
    );
  });

  it("recovers log segments, snapshot and hard state from storage after a crash", () => {
    const c = buildCluster({ seed: 3, servers: 3, node: { snapshotThresholdEntries: 30, retainEntries: 3 } });
    c.sim.runUntil(() => c.leader() !== undefined, { timeoutMs: 2000 });
    const leader = c.leader()!;
    for (let i = 0; i < 100; i++) {
      c.server(leader).proposeCommand({
        clientId: "t",
        seq: i + 1,
        op: { kind: "append", key: "k", value: `${i % 10}` },
      });
      c.sim.runFor(3);
    }
    c.sim.runFor(200);
    const before = c.server(leader).status();
    const value = c.server(leader).kv.get("k");
    const durable = c.sim
      .node(leader)
      .durableEntries()
      .map(([k]) => k);
    expect(durable).toContain("raft/snap");
    expect(durable.filter((k) => k.startsWith("raft/s/")).length).toBeGreaterThan(0);
    c.sim.crash(leader);
    c.sim.restart(leader);
    const after = c.server(leader).status();
    expect(after.term).toBe(before.term);
    expect(after.lastIndex).toBe(before.lastIndex);
    expect(after.snapshotIndex).toBe(before.snapshotIndex);
    c.sim.runFor(300);
    expect(c.server(leader).kv.get("k")).toBe(value);
  });

  it("a client that only knows a follower follows the redirect to the leader", () => {
    const c = buildCluster({ seed: 4, servers: 3 });
    c.sim.runUntil(() => c.leader() !== undefined, { timeoutMs: 2000 });
    const follower = c.serverIds.find((id) => id !== c.leader())!;
    const client = c.sim.addNode("cx", (ctx) => new KvClient(ctx, { servers: [follower] }));
    c.sim.runFor(1);
    let result: unknown;
    client.instance.submit({ kind: "put", key: "r", value: "1" }, (r) => {
      result = r;
    });
    c.sim.runUntil(() => result !== undefined, { timeoutMs: 2000 });
    expect(result).toEqual({ kind: "ok", outcome: { ok: true, value: "1" } });
    expect(client.instance.redirects).toBe(1);
    expect(() => client.instance.submit({ kind: "nope" } as never, () => {})).toThrow(RaftError);
  });
});
