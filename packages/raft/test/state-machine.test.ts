import { checkLinearizable, HistoryRecorder, queueModel } from "@distkit/check";
import { type NodeContext, type NodeId, Simulation } from "@distkit/sim-net";
import { checkSeeds } from "@distkit/sim-net/testing";
import { describe, expect, it } from "vitest";
import {
  type JsonValue,
  type ProposalOutcome,
  RaftClient,
  type RaftClientResult,
  RaftError,
  RaftNode,
  type RaftNodeMessage,
  type StateMachine,
} from "../src/index.js";
import { networkFor } from "./fault-run.js";
import { InvariantChecker, mulberry, serverNames } from "./harness.js";

type QueueCommand = { readonly op: "enqueue"; readonly item: string } | { readonly op: "dequeue" };
type QueueQuery = { readonly op: "peek" } | { readonly op: "size" };

/** What every replica applied, by node and index: State Machine Safety across nodes and restarts. */
class ApplyLog {
  readonly byIndex = new Map<number, string>();
  applies = 0;
  record(node: NodeId, index: number, command: JsonValue): void {
    this.applies++;
    const c = JSON.stringify(command);
    const seen = this.byIndex.get(index);
    if (seen === undefined) this.byIndex.set(index, c);
    else if (seen !== c) throw new Error(`${node} applied ${c} at ${index}, another replica applied ${seen}`);
  }
}

/** A FIFO queue as a state machine (the test's own, nothing KV about it). */
class QueueMachine implements StateMachine<QueueCommand, JsonValue, QueueQuery, JsonValue> {
  private items: string[] = [];
  restores = 0;
  constructor(
    private readonly node: NodeId,
    private readonly log?: ApplyLog,
  ) {}
  apply(command: QueueCommand, index: number): JsonValue {
    this.log?.record(this.node, index, command);
    if (command.op === "enqueue") {
      this.items.push(command.item);
      return this.items.length;
    }
    return this.items.shift() ?? null;
  }
  query(q: QueueQuery): JsonValue {
    return q.op === "peek" ? (this.items[0] ?? null) : this.items.length;
  }
  snapshot(): JsonValue {
    return { items: [...this.items] };
  }
  restore(snapshot: JsonValue): void {
    this.restores++;
    this.items = [...(snapshot as { items: string[] }).items];
  }
  validateCommand(c: JsonValue): QueueCommand {
    const o = c as { op?: unknown; item?: unknown } | null;
    if (o?.op === "dequeue") return { op: "dequeue" };
    if (o?.op === "enqueue" && typeof o.item === "string") return { op: "enqueue", item: o.item };
    throw new RaftError(
      "invalid-argument",
      'queue command must be {op:"enqueue",item:string} or {op:"dequeue"}',
    );
  }
  get contents(): readonly string[] {
    return this.items;
  }
}

type QueueNode = RaftNode<QueueCommand, JsonValue, QueueQuery, JsonValue>;
type QueueClient = RaftClient<QueueCommand, JsonValue, QueueQuery, JsonValue>;

function queueCluster(seed: number, servers: number, log?: ApplyLog, network = networkFor(seed)) {
  const sim = new Simulation({ seed, network, trace: "off" });
  const ids = serverNames(servers);
  for (const id of ids) {
    sim.addNode(
      id,
      (ctx) =>
        new RaftNode(ctx, {
          voters: ids,
          raft: {
            electionTimeoutMs: 150,
            heartbeatIntervalMs: 30,
            maxInflightMsgs: 8,
            maxSizePerMsgBytes: 400,
          },
          snapshotThresholdEntries: 25,
          retainEntries: 3,
          stateMachine: () => new QueueMachine(id, log),
        }),
    );
  }
  const node = (id: NodeId) => sim.node<QueueNode>(id).instance;
  const leader = () =>
    ids
      .filter((id) => sim.node(id).status === "up" && node(id).core.currentRole === "leader")
      .sort((a, b) => node(b).core.currentTerm - node(a).core.currentTerm)[0];
  return { sim, ids, node, leader };
}

describe("a custom state machine (a FIFO queue) replicated by RaftNode", () => {
  it("3 and 5 nodes, 120 seeds of faults: replicas apply the same commands in the same order, and client histories are linearizable queues", () => {
    let checkedOps = 0;
    let linearizable = 0;
    let applied = 0;
    checkSeeds(
      { numRuns: 120, fcSeed: 1401, schedule: { nodeIds: serverNames(3), durationMs: 1500, maxFaults: 6 } },
      (seed, schedule) => {
        const log = new ApplyLog();
        const servers = seed % 3 === 0 ? 5 : 3;
        const c = queueCluster(seed, servers, log);
        const checker = new InvariantChecker(c.sim, c.ids);
        c.sim.applySchedule(schedule);
        const history = new HistoryRecorder();
        const rnd = mulberry(seed);
        let item = 0;
        for (const cid of ["c1", "c2"]) {
          const client = c.sim.addNode(
            cid,
            (ctx) =>
              new RaftClient<QueueCommand, JsonValue, QueueQuery, JsonValue>(ctx, {
                servers: c.ids,
                requestTimeoutMs: 60,
                operationTimeoutMs: 800,
              }),
          );
          let incarnation = 0;
          const loop = () => {
            if (c.sim.nowMs > 1800) return;
            const process = `${cid}#${incarnation}`;
            if (rnd() < 0.55) {
              const x = `${cid}-${item++}`;
              const h = history.invoke(process, "enqueue", x, c.sim.nowMs);
              client.instance.propose({ op: "enqueue", item: x }, (r) => {
                if (r.kind === "ok") history.ok(h, undefined, c.sim.nowMs);
                else {
                  history.info(h, c.sim.nowMs);
                  incarnation++;
                }
                c.sim.schedule(rnd() * 12, loop);
              });
            } else {
              const h = history.invoke(process, "dequeue", null, c.sim.nowMs);
              client.instance.propose({ op: "dequeue" }, (r) => {
                if (r.kind === "ok") history.ok(h, r.result, c.sim.nowMs);
                else {
                  history.info(h, c.sim.nowMs);
                  incarnation++;
                }
                c.sim.schedule(rnd() * 12, loop);
              });
            }
          };
          c.sim.schedule(5 + rnd() * 10, loop);
        }
        c.sim.runFor(4500);
        checker.checkLogMatching();
        // Liveness once the faults are over: an in-process proposal applies on every replica.
        expect(c.sim.runUntil(() => c.leader() !== undefined, { timeoutMs: 3000 })).toBe(true);
        let final: ProposalOutcome | undefined;
        c.node(c.leader()!).propose({ op: "enqueue", item: "final" }, { onResult: (o) => (final = o) });
        const target = () => (final?.kind === "applied" ? final.index : Number.POSITIVE_INFINITY);
        c.sim.runUntil(() => c.ids.every((id) => c.node(id).core.appliedIndex >= target()), {
          timeoutMs: 3000,
        });
        expect(final).toMatchObject({ kind: "applied", duplicate: false });
        expect(c.ids.every((id) => c.node(id).core.appliedIndex >= target())).toBe(true);
        applied += log.applies;
        const ops = history.history();
        checkedOps += ops.length;
        const verdict = checkLinearizable(ops, queueModel(), { maxSteps: 300_000 }).verdict;
        if (verdict === "not-linearizable")
          throw new Error(`seed ${seed}: queue history is not linearizable`);
        if (verdict === "linearizable") linearizable++;
      },
    );
    expect(applied).toBeGreaterThan(120 * 50);
    expect(checkedOps).toBeGreaterThan(120 * 20);
    // The checker decided (within its step budget) on most runs; an undecided run proves nothing.
    expect(linearizable).toBeGreaterThan(100);
  });

  it("exactly once: duplicated and retried proposals with one session apply once", () => {
    // 30% duplication and a 20 ms request timeout: most proposals arrive several times.
    const log = new ApplyLog();
    const c = queueCluster(11, 3, log, {
      latency: { kind: "uniform", minMs: 1, maxMs: 30 },
      duplicateRate: 0.3,
      fifo: false,
    });
    const client = c.sim.addNode(
      "c1",
      (ctx) =>
        new RaftClient<QueueCommand, JsonValue, QueueQuery, JsonValue>(ctx, {
          servers: c.ids,
          requestTimeoutMs: 20,
        }),
    );
    const results: RaftClientResult[] = [];
    for (let i = 0; i < 40; i++) {
      c.sim.schedule(300 + i, () =>
        client.instance.propose({ op: "enqueue", item: `x${i}` }, (r) => results.push(r)),
      );
    }
    c.sim.runUntil(() => results.length === 40, { timeoutMs: 10_000 });
    expect(client.instance.requestsSent).toBeGreaterThan(40);
    expect(results.every((r) => r.kind === "ok")).toBe(true);
    // Each enqueue returned the queue length after it: 1..40 in order, none applied twice.
    expect(results.map((r) => (r.kind === "ok" ? r.result : -1))).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    c.sim.runFor(300);
    for (const id of c.ids) {
      expect((c.node(id).stateMachine as QueueMachine).contents).toEqual(
        Array.from({ length: 40 }, (_, i) => `x${i}`),
      );
    }

    // In process: the same session proposed twice applies once; the second learns the first index.
    const leader = c.node(c.leader()!);
    const outcomes: ProposalOutcome[] = [];
    const session = { clientId: "local", seq: 1 };
    leader.propose({ op: "dequeue" }, { session, onResult: (o) => outcomes.push(o) });
    leader.propose({ op: "dequeue" }, { session, onResult: (o) => outcomes.push(o) });
    c.sim.runUntil(() => outcomes.length === 2, { timeoutMs: 1000 });
    const [first, second] = outcomes;
    expect(first).toMatchObject({ kind: "applied", result: "x0", duplicate: false });
    expect(second).toMatchObject({ kind: "applied", result: "x0", duplicate: true, index: first!.index });
  });

  it("snapshots the custom machine and restores it after a restart and on a lagging follower", () => {
    const c = queueCluster(5, 3, undefined, { latency: { kind: "uniform", minMs: 1, maxMs: 3 } });
    c.sim.runUntil(() => c.leader() !== undefined && c.node(c.leader()!).core.committedInTerm(), {
      timeoutMs: 2000,
    });
    const leaderId = c.leader()!;
    const lagger = c.ids.find((id) => id !== leaderId)!;
    c.sim.crash(lagger);
    const leader = c.node(leaderId);
    let applied = 0;
    for (let i = 0; i < 100; i++) {
      c.sim.schedule(i, () =>
        leader.propose(i % 3 === 2 ? { op: "dequeue" } : { op: "enqueue", item: `i${i}` }, {
          onResult: (o) => {
            if (o.kind === "applied") applied++;
          },
        }),
      );
    }
    c.sim.runUntil(() => applied === 100, { timeoutMs: 3000 });
    expect(leader.status().snapshotIndex).toBeGreaterThan(50);
    c.sim.restart(lagger);
    c.sim.runUntil(() => c.node(lagger).core.appliedIndex === leader.core.appliedIndex, { timeoutMs: 3000 });
    const expected = (leader.stateMachine as QueueMachine).contents;
    expect(expected.length).toBeGreaterThan(0);
    // The lagging follower got the state by InstallSnapshot: restore() ran on its fresh machine.
    expect((c.node(lagger).stateMachine as QueueMachine).restores).toBe(1);
    expect((c.node(lagger).stateMachine as QueueMachine).contents).toEqual(expected);
    // A restart recovers from the node's own snapshot plus the log after it.
    c.sim.crash(leaderId);
    c.sim.restart(leaderId);
    const restarted = c.node(leaderId).stateMachine as QueueMachine;
    expect(restarted.restores).toBe(1);
    c.sim.runFor(500);
    expect((c.node(leaderId).stateMachine as QueueMachine).contents).toEqual(expected);
    // Queries are linearizable reads of the machine.
    let size: JsonValue | undefined;
    const now = c.node(c.leader()!);
    now.query({ op: "size" }, (o) => {
      if (o.kind === "ok") size = o.result;
    });
    c.sim.runUntil(() => size !== undefined, { timeoutMs: 1000 });
    expect(size).toBe(expected.length);
  });

  it("refuses non-JSON commands and malformed sessions with RaftError, and a client's bad command is rejected", () => {
    const c = queueCluster(3, 3, undefined, { latency: { kind: "constant", ms: 1 } });
    c.sim.runUntil(() => c.leader() !== undefined, { timeoutMs: 2000 });
    const leader = c.node(c.leader()!);
    const bad = [
      { op: "enqueue", item: Number.NaN },
      { op: "enqueue", at: new Date(0) },
      { f: () => 1 },
      undefined,
    ];
    for (const b of bad) {
      expect(() => leader.propose(b as never)).toThrow(RaftError);
      expect(() => leader.propose(b as never)).toThrow(/must be JSON/);
    }
    expect(() => leader.propose({ op: "dequeue" }, { session: { clientId: "", seq: 1 } })).toThrow(/session/);
    const client = c.sim.addNode("c1", (ctx): QueueClient => new RaftClient(ctx, { servers: c.ids }));
    expect(() => client.instance.propose({ op: "enqueue", item: 1n } as never, () => {})).toThrow(/bigint/);
    let r: RaftClientResult | undefined;
    client.instance.propose({ op: "push", item: "x" } as never, (x) => {
      r = x;
    });
    c.sim.runUntil(() => r !== undefined, { timeoutMs: 2000 });
    expect(r).toMatchObject({ kind: "rejected" });
    expect(r?.kind === "rejected" && r.reason).toMatch(/queue command must be/);
    // The KV protocol is refused by a node with a custom machine, and node.kv says why.
    expect(() => leader.kv).toThrow(/custom state machine/);
  });
});

describe("embedding: two Raft groups hosted by the same sim-net nodes", () => {
  it("each group runs over a wrapped context (tagged messages, its own storage prefix) and replicates its own machine", () => {
    type Envelope = { readonly type: "group"; readonly group: string; readonly inner: RaftNodeMessage };
    const sim = new Simulation({
      seed: 9,
      network: { latency: { kind: "uniform", minMs: 1, maxMs: 4 } },
      trace: "off",
    });
    const ids = ["a", "b", "c"];
    const groups = ["g1", "g2"];
    const hosts = new Map<NodeId, Map<string, QueueNode>>();
    for (const id of ids) {
      sim.addNode(id, (ctx: NodeContext<Envelope>) => {
        const members = new Map<string, QueueNode>();
        hosts.set(id, members);
        for (const g of groups) {
          const inner: NodeContext<RaftNodeMessage> = {
            id: ctx.id,
            get peers() {
              return ctx.peers;
            },
            now: () => ctx.now(),
            send: (to, m) => ctx.send(to, { type: "group", group: g, inner: m }),
            setTimer: (d, f, l) => ctx.setTimer(d, f, l),
            cancelTimer: (t) => ctx.cancelTimer(t),
            random: ctx.random,
            storage: ctx.storage,
            log: (t, d) => ctx.log(t, d),
          };
          members.set(
            g,
            new RaftNode(inner, {
              voters: ids,
              storageKeyPrefix: `${g}/raft/`,
              snapshotThresholdEntries: 10,
              stateMachine: () => new QueueMachine(id),
            }),
          );
        }
        return {
          onStart: () => {
            for (const m of members.values()) m.onStart();
          },
          onMessage: (from, m) => members.get(m.group)?.onMessage(from, m.inner),
        };
      });
    }
    const member = (id: NodeId, g: string) => hosts.get(id)!.get(g)!;
    const leaderOf = (g: string) => ids.find((id) => hosts.get(id)?.get(g)?.core.currentRole === "leader");
    sim.runUntil(() => groups.every((g) => leaderOf(g) !== undefined), { timeoutMs: 3000 });
    let done = 0;
    for (let i = 0; i < 30; i++) {
      for (const g of groups) {
        member(leaderOf(g)!, g).propose(
          { op: "enqueue", item: `${g}-${i}` },
          { onResult: (o) => (done += o.kind === "applied" ? 1 : 0) },
        );
      }
      sim.runFor(2);
    }
    sim.runUntil(() => done === 60, { timeoutMs: 3000 });
    // Restart one host: both groups recover from their own prefixes.
    sim.crash("b");
    sim.restart("b");
    sim.runFor(500);
    for (const g of groups) {
      const expected = Array.from({ length: 30 }, (_, i) => `${g}-${i}`);
      for (const id of ids) expect((member(id, g).stateMachine as QueueMachine).contents).toEqual(expected);
    }
    expect(
      sim
        .node("b")
        .durableEntries()
        .some(([k]) => k.startsWith("g2/raft/snap")),
    ).toBe(true);
  });
});
