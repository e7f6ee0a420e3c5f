import type { NodeId } from "@distkit/sim-net";
import { describe, expect, it } from "vitest";
import { type KvClientResult, type KvCommand, type KvOperation, RaftNode } from "../src/index.js";
import { buildCluster, type Cluster, mulberry } from "./harness.js";

const RAFT = { electionTimeoutMs: 150, heartbeatIntervalMs: 50 } as const;

function electLeader(c: Cluster, timeoutMs = 2000): NodeId {
  const ok = c.sim.runUntil(() => c.leaders().length === 1 && c.server(c.leader()!).core.committedInTerm(), {
    timeoutMs,
  });
  if (!ok) throw new Error(`no leader within ${timeoutMs} ms`);
  return c.leader()!;
}

/** Submits one operation from client `cid` and runs until it completes. */
function run(c: Cluster, cid: NodeId, op: KvOperation, timeoutMs = 5000): KvClientResult | undefined {
  let result: KvClientResult | undefined;
  c.client(cid).submit(op, (r) => {
    result = r;
  });
  c.sim.runUntil(() => result !== undefined, { timeoutMs });
  return result;
}

let seq = 0;
const command = (key: string, value: string): KvCommand => ({
  clientId: "direct",
  seq: ++seq,
  op: { kind: "append", key, value },
});

function values(c: Cluster, key: string, ids: readonly NodeId[] = c.serverIds): (string | null)[] {
  return ids.map((id) => c.server(id).kv.get(key));
}

describe("classic Raft scenarios (paper and lab suites), invariants checked on every event", () => {
  it("initial election: one leader, and a stable term without faults", () => {
    const c = buildCluster({ seed: 11, servers: 3, raft: RAFT });
    const leader = electLeader(c);
    const term = c.server(leader).core.currentTerm;
    c.sim.runFor(3000);
    expect(c.leader()).toBe(leader);
    expect(c.server(leader).core.currentTerm).toBe(term);
    for (const id of c.serverIds) expect(c.server(id).core.leaderId).toBe(leader);
  });

  it("re-election after leader loss, and the old leader rejoins as a follower", () => {
    const c = buildCluster({ seed: 12, servers: 3, raft: RAFT });
    const first = electLeader(c);
    c.sim.isolate(first);
    c.sim.runUntil(() => c.leaders().some((l) => l.id !== first), { timeoutMs: 2000 });
    const second = c.leaders().find((l) => l.id !== first)?.id;
    expect(second).toBeDefined();
    c.sim.heal();
    c.sim.runFor(1000);
    expect(c.leaders().map((l) => l.id)).toEqual([second]);
    expect(c.server(first).core.currentRole).toBe("follower");
  });

  it("many elections with 3 of 7 nodes disconnected", () => {
    const c = buildCluster({ seed: 13, servers: 7, raft: RAFT });
    electLeader(c);
    const rnd = mulberry(13);
    for (let round = 0; round < 8; round++) {
      const ids = [...c.serverIds];
      const cut: NodeId[] = [];
      while (cut.length < 3) {
        const id = ids.splice(Math.floor(rnd() * ids.length), 1)[0]!;
        cut.push(id);
      }
      c.sim.partition(ids, ...cut.map((x) => [x]));
      const ok = c.sim.runUntil(
        () => c.leaders().some((l) => ids.includes(l.id) && c.server(l.id).core.committedInTerm()),
        { timeoutMs: 2000 },
      );
      expect(ok).toBe(true);
      c.sim.heal();
      c.sim.runFor(300);
    }
  });

  it("basic agreement, and agreement with a failed follower that catches up", () => {
    const c = buildCluster({ seed: 14, servers: 3, clients: 1, raft: RAFT });
    const leader = electLeader(c);
    expect(run(c, "c1", { kind: "append", key: "k", value: "1" })?.kind).toBe("ok");
    c.sim.runFor(200);
    expect(values(c, "k")).toEqual(["1", "1", "1"]);
    const follower = c.serverIds.find((id) => id !== leader)!;
    c.sim.isolate(follower);
    for (const v of ["2", "3", "4"])
      expect(run(c, "c1", { kind: "append", key: "k", value: v })?.kind).toBe("ok");
    expect(c.server(follower).kv.get("k")).toBe("1");
    c.sim.heal();
    c.sim.runFor(500);
    expect(values(c, "k")).toEqual(["1234", "1234", "1234"]);
  });

  it("no agreement without a majority; agreement resumes when it returns", () => {
    const c = buildCluster({ seed: 15, servers: 5, raft: RAFT });
    const leader = electLeader(c);
    const others = c.serverIds.filter((id) => id !== leader);
    c.sim.partition([leader, others[0]!], [others[1]!], [others[2]!], [others[3]!]);
    const node = c.server(leader);
    const commit0 = node.core.commitIndex;
    const r = node.proposeCommand(command("m", "x"));
    expect(r.kind).toBe("ok");
    c.sim.runFor(100);
    expect(c.server(leader).core.commitIndex).toBe(commit0);
    c.sim.heal();
    c.sim.runUntil(() => c.serverIds.every((id) => c.server(id).kv.get("m") === "x"), { timeoutMs: 3000 });
    expect(values(c, "m")).toEqual(["x", "x", "x", "x", "x"]);
  });

  it("concurrent proposals all commit, each exactly once", () => {
    const c = buildCluster({ seed: 16, servers: 3, clients: 5, raft: RAFT });
    electLeader(c);
    let done = 0;
    for (const cid of c.clientIds) {
      for (let i = 0; i < 10; i++) {
        c.client(cid).submit({ kind: "append", key: "log", value: `${cid}:${i};` }, (r) => {
          if (r.kind === "ok") done++;
        });
      }
    }
    c.sim.runUntil(() => done === 50, { timeoutMs: 10_000 });
    expect(done).toBe(50);
    c.sim.runFor(200);
    const tokens = (c.server(c.leader()!).kv.get("log") ?? "").split(";").filter((t) => t !== "");
    expect(tokens).toHaveLength(50);
    expect(new Set(tokens).size).toBe(50);
    expect(new Set(values(c, "log")).size).toBe(1);
  });

  it("a rejoining stale leader discards its uncommitted entries", () => {
    const c = buildCluster({ seed: 17, servers: 3, raft: RAFT });
    const old = electLeader(c);
    c.sim.isolate(old);
    for (let i = 0; i < 5; i++) c.server(old).proposeCommand(command("s", `stale${i}`));
    c.sim.runUntil(() => c.leaders().some((l) => l.id !== old), { timeoutMs: 2000 });
    const fresh = c.leaders().find((l) => l.id !== old)!.id;
    c.server(fresh).proposeCommand(command("s", "fresh"));
    c.sim.runFor(300);
    c.sim.heal();
    c.sim.runFor(1000);
    expect(values(c, "s")).toEqual(["fresh", "fresh", "fresh"]);
    expect(c.server(old).core.lastIndex).toBe(c.server(fresh).core.lastIndex);
  });

  it("fast backup of long divergent logs", () => {
    const c = buildCluster({ seed: 18, servers: 5, raft: RAFT, node: { snapshotThresholdEntries: 100_000 } });
    const leader1 = electLeader(c);
    const [a, b, x, y] = c.serverIds.filter((id) => id !== leader1) as [NodeId, NodeId, NodeId, NodeId];
    // leader1 and a get 400 entries that never commit.
    c.sim.partition([leader1, a], [b, x, y]);
    c.server(leader1).proposeCommands(Array.from({ length: 400 }, (_, i) => command("d", `u${i}`)));
    c.sim.runFor(50);
    // The majority elects a leader and commits 400 other entries.
    c.sim.runUntil(() => c.leaders().some((l) => [b, x, y].includes(l.id)), { timeoutMs: 3000 });
    const leader2 = c.leaders().find((l) => [b, x, y].includes(l.id))!.id;
    c.server(leader2).proposeCommands(Array.from({ length: 400 }, (_, i) => command("e", `c${i}`)));
    c.sim.runFor(300);
    const appendsBefore = c.serverIds.reduce((n, id) => n + c.server(id).core.metrics.appendsSent, 0);
    c.sim.heal();
    c.sim.runUntil(
      () => c.serverIds.every((id) => c.server(id).core.appliedIndex === c.server(leader2).core.commitIndex),
      { timeoutMs: 3000 },
    );
    const appendsAfter = c.serverIds.reduce((n, id) => n + c.server(id).core.metrics.appendsSent, 0);
    expect(new Set(values(c, "e")).size).toBe(1);
    expect(values(c, "d").every((v) => v === null)).toBe(true);
    // Conflict hints make the backup a few round trips, not one per divergent entry.
    expect(appendsAfter - appendsBefore).toBeLessThan(60);
  });

  it("message counts are bounded: no chatter beyond heartbeats when idle", () => {
    const c = buildCluster({ seed: 19, servers: 3, raft: RAFT });
    electLeader(c);
    c.sim.runFor(500);
    const before = c.sim.stats.messagesSent;
    c.sim.runFor(2000);
    const sent = c.sim.stats.messagesSent - before;
    // 2000 ms / 50 ms = 40 heartbeat rounds, 2 followers, request + response.
    expect(sent).toBeLessThanOrEqual(40 * 2 * 2 + 8);
    expect(sent).toBeGreaterThanOrEqual(38 * 2 * 2);
  });

  it("persistence: every node crashes and restarts, committed data survives", () => {
    const c = buildCluster({ seed: 20, servers: 3, clients: 1, raft: RAFT });
    electLeader(c);
    for (const v of ["a", "b", "c"])
      expect(run(c, "c1", { kind: "append", key: "p", value: v })?.kind).toBe("ok");
    for (const id of c.serverIds) c.sim.crash(id, { tornWrites: true });
    c.sim.runFor(100);
    for (const id of c.serverIds) c.sim.restart(id);
    electLeader(c);
    expect(run(c, "c1", { kind: "get", key: "p" })).toEqual({
      kind: "ok",
      outcome: { ok: true, value: "abc" },
    });
    expect(run(c, "c1", { kind: "append", key: "p", value: "d" })?.kind).toBe("ok");
    // Crash them one at a time while writing.
    for (const id of c.serverIds) {
      c.sim.crash(id);
      expect(run(c, "c1", { kind: "append", key: "p", value: id })?.kind).toBe("ok");
      c.sim.restart(id);
      c.sim.runFor(300);
    }
    expect(run(c, "c1", { kind: "get", key: "p" })?.kind).toBe("ok");
    c.sim.runFor(300);
    expect(values(c, "p")).toEqual(Array(3).fill(`abcd${c.serverIds.join("")}`));
  });

  for (const [name, network] of [
    ["reliable", {}],
    [
      "unreliable",
      { lossRate: 0.1, duplicateRate: 0.05, latency: { kind: "pareto", scaleMs: 1, shape: 1.2 } },
    ],
  ] as const) {
    it(`Figure 8 (${name}): leaders crash right after proposing; a final proposal still commits everywhere`, () => {
      const c = buildCluster({ seed: 21, servers: 5, raft: RAFT, network });
      const rnd = mulberry(name.length);
      let up = c.serverIds.length;
      for (let iter = 0; iter < 60; iter++) {
        const leader = c.leader();
        if (leader !== undefined) c.server(leader).proposeCommand(command("f8", `${iter},`));
        c.sim.runFor(rnd() < 0.1 ? 20 + rnd() * 400 : rnd() * 13);
        const l2 = c.leader();
        if (l2 !== undefined && c.sim.node(l2).status === "up") {
          c.sim.crash(l2);
          up--;
        }
        if (up < 3) {
          const down = c.serverIds.filter((id) => c.sim.node(id).status === "crashed");
          const pick = down[Math.floor(rnd() * down.length)]!;
          c.sim.restart(pick);
          up++;
        }
      }
      for (const id of c.serverIds) if (c.sim.node(id).status === "crashed") c.sim.restart(id);
      c.sim.setNetwork({ lossRate: 0, duplicateRate: 0, latency: { kind: "uniform", minMs: 1, maxMs: 5 } });
      const leader = electLeader(c, 5000);
      c.server(leader).proposeCommand(command("f8", "final"));
      const ok = c.sim.runUntil(
        () => c.serverIds.every((id) => (c.server(id).kv.get("f8") ?? "").endsWith("final")),
        { timeoutMs: 5000 },
      );
      expect(ok).toBe(true);
      expect(new Set(values(c, "f8")).size).toBe(1);
    });
  }

  it("churn: random crashes, restarts and partitions under client load", () => {
    const c = buildCluster({
      seed: 22,
      servers: 5,
      clients: 3,
      raft: RAFT,
      clientOptions: { operationTimeoutMs: 20_000 },
    });
    const rnd = mulberry(22);
    let ok = 0;
    const loop = (cid: NodeId, i: number) => {
      if (i >= 15) return;
      c.client(cid).submit({ kind: "append", key: "churn", value: `${cid}.${i};` }, (r) => {
        if (r.kind === "ok") ok++;
        loop(cid, i + 1);
      });
    };
    for (const cid of c.clientIds) c.sim.schedule(10, () => loop(cid, 0));
    for (let step = 0; step < 20; step++) {
      const id = c.serverIds[Math.floor(rnd() * 5)]!;
      const roll = rnd();
      if (roll < 0.3) c.sim.crash(id);
      else if (roll < 0.6) c.sim.restart(id);
      else if (roll < 0.8) c.sim.isolate(id);
      else c.sim.heal();
      c.sim.runFor(100 + rnd() * 300);
    }
    c.sim.heal();
    for (const id of c.serverIds) if (c.sim.node(id).status === "crashed") c.sim.restart(id);
    c.sim.runUntil(() => ok === 45, { timeoutMs: 20_000 });
    expect(ok).toBe(45);
    c.sim.runFor(500);
    const tokens = (c.server(c.leader()!).kv.get("churn") ?? "").split(";").filter((t) => t !== "");
    expect(new Set(tokens).size).toBe(tokens.length); // exactly once despite retries
    expect(tokens).toHaveLength(45);
  });

  it("snapshot install: a follower that crashed catches up by InstallSnapshot after compaction", () => {
    const c = buildCluster({
      seed: 23,
      servers: 3,
      raft: RAFT,
      node: { snapshotThresholdEntries: 50, retainEntries: 10 },
    });
    const leader = electLeader(c);
    const lagger = c.serverIds.find((id) => id !== leader)!;
    c.sim.crash(lagger);
    for (let i = 0; i < 5; i++) {
      c.server(leader).proposeCommands(
        Array.from({ length: 40 }, (_, j) => command(`s${j % 4}`, `${i}.${j};`)),
      );
      c.sim.runFor(50);
    }
    c.sim.runFor(200);
    expect(c.server(leader).core.logOffsetIndex).toBeGreaterThan(0);
    const sentBefore = c.server(leader).core.metrics.snapshotsSent;
    c.sim.restart(lagger);
    c.sim.runUntil(() => c.server(lagger).core.appliedIndex === c.server(leader).core.commitIndex, {
      timeoutMs: 2000,
    });
    expect(c.server(leader).core.metrics.snapshotsSent).toBeGreaterThan(sentBefore);
    for (const k of ["s0", "s1", "s2", "s3"])
      expect(c.server(lagger).kv.get(k)).toBe(c.server(leader).kv.get(k));
    // It survives a restart from its own persisted snapshot, too.
    c.sim.crash(lagger);
    c.sim.restart(lagger);
    c.sim.runFor(300);
    expect(c.server(lagger).kv.get("s0")).toBe(c.server(leader).kv.get("s0"));
    expect(c.server(lagger).status().snapshotIndex).toBeGreaterThan(0);
  });

  it("membership change while nodes fail: add a learner, promote it, remove a voter", () => {
    const c = buildCluster({ seed: 24, servers: 3, clients: 1, raft: RAFT });
    c.sim.addNode("n4", (ctx) => new RaftNode(ctx, { join: true, raft: RAFT }));
    c.checker?.track("n4");
    let leader = electLeader(c);
    const change = (voters: string[], learners: string[] = []) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        leader = electLeader(c, 5000);
        const r = c.server(leader).proposeMembership({ voters, learners });
        if (r.kind === "ok") {
          const done = c.sim.runUntil(
            () => {
              const m = c.server(c.leader() ?? leader).core.currentMembership;
              return (
                m.outgoing.length === 0 && JSON.stringify(m.voters) === JSON.stringify([...voters].sort())
              );
            },
            { timeoutMs: 2000 },
          );
          if (done) return;
        }
        c.sim.runFor(100);
      }
      throw new Error(`membership change to ${voters} did not complete`);
    };
    change(["n1", "n2", "n3"], ["n4"]);
    expect(run(c, "c1", { kind: "append", key: "mc", value: "1" })?.kind).toBe("ok");
    // A follower fails during the promotion.
    const victim = c.serverIds.find((id) => id !== c.leader())!;
    c.sim.crash(victim);
    change(["n1", "n2", "n3", "n4"]);
    c.sim.restart(victim);
    expect(run(c, "c1", { kind: "append", key: "mc", value: "2" })?.kind).toBe("ok");
    // Remove the current leader itself: it steps down after the change, the others carry on.
    const removed = c.leader()!;
    const remaining = ["n1", "n2", "n3", "n4"].filter((id) => id !== removed);
    change(remaining);
    c.sim.runFor(1000);
    const newLeader = electLeader(c, 3000);
    expect(remaining).toContain(newLeader);
    expect(run(c, "c1", { kind: "append", key: "mc", value: "3" })?.kind).toBe("ok");
    c.sim.runFor(300);
    for (const id of remaining) expect(c.sim.node<RaftNode>(id).instance.kv.get("mc")).toBe("123");
    expect(c.server(removed).core.currentRole).not.toBe("leader");
  });

  it("leadership transfer moves the leader within a few round trips", () => {
    const c = buildCluster({ seed: 25, servers: 3, raft: RAFT });
    const leader = electLeader(c);
    const target = c.serverIds.find((id) => id !== leader)!;
    const t0 = c.sim.nowMs;
    expect(c.server(leader).transferLeadership(target)).toEqual({ kind: "started" });
    c.sim.runUntil(() => c.leader() === target, { timeoutMs: 1000 });
    expect(c.leader()).toBe(target);
    expect(c.sim.nowMs - t0).toBeLessThan(RAFT.electionTimeoutMs);
  });

  it("a leader cut off from only part of the cluster: still one leader per term, writes continue", () => {
    const c = buildCluster({ seed: 26, servers: 5, clients: 1, raft: RAFT });
    const leader = electLeader(c);
    const [a, b] = c.serverIds.filter((id) => id !== leader) as [NodeId, NodeId];
    c.sim.partitionOneWay([leader], [a, b]);
    c.sim.partitionOneWay([a, b], [leader]);
    for (let i = 0; i < 10; i++)
      expect(run(c, "c1", { kind: "append", key: "pp", value: `${i}` })?.kind).toBe("ok");
    c.sim.heal();
    c.sim.runFor(500);
    expect(new Set(values(c, "pp")).size).toBe(1);
  });

  it("pre-vote and stickiness: a node that cannot hear the leader does not disrupt it", () => {
    const c = buildCluster({ seed: 28, servers: 3, raft: RAFT });
    const leader = electLeader(c);
    const term = c.server(leader).core.currentTerm;
    const deaf = c.serverIds.find((id) => id !== leader)!;
    c.sim.partitionOneWay([leader], [deaf]); // the leader's messages to it are lost; it can still send
    c.sim.runFor(3000);
    expect(c.server(deaf).core.metrics.preVotesStarted).toBeGreaterThan(3);
    expect(c.leader()).toBe(leader);
    expect(c.server(leader).core.currentTerm).toBe(term);
    expect(c.server(deaf).core.currentTerm).toBe(term);
  });

  it("check-quorum: an isolated leader steps down and stops serving", () => {
    const c = buildCluster({ seed: 27, servers: 3, raft: RAFT });
    const leader = electLeader(c);
    c.sim.isolate(leader);
    c.sim.runFor(RAFT.electionTimeoutMs * 2 + 50);
    expect(c.server(leader).core.currentRole).toBe("follower");
  });
});
