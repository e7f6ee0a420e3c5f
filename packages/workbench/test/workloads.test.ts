import { describe, expect, it } from "vitest";
import { broadcast, echo, gCounter, linKv, pnCounter, runWorkload, uniqueIds } from "../src/index.js";
import naiveBroadcast from "../../../examples/workbench-broadcast-naive.js";
import { fixedBroadcast } from "../../../examples/workbench-broadcast-fixed.js";
import {
  collidingIdNode,
  crdtCounterNode,
  echoNode,
  localCounterNode,
  singleKvNode,
  splitBrainKvNode,
  uniqueIdNode,
  wrongEchoNode,
} from "./nodes.js";

const short = { durationMs: 800, recoveryMs: 600 };

describe("echo", () => {
  it("a correct echo node passes, with every operation ok", () => {
    const r = runWorkload({ workload: echo(), nodes: echoNode, nodeCount: 2, seeds: 5, ...short });
    expect(r.valid).toBe(true);
    expect(r.stats.operations.total).toBeGreaterThan(100);
    expect(r.stats.availability).toBe(1);
  });
  it("a node that echoes something else fails, naming the node and both payloads", () => {
    const r = runWorkload({ workload: echo(), nodes: wrongEchoNode, nodeCount: 2, seeds: 3, ...short });
    expect(r.valid).toBe(false);
    expect(r.failure?.problems.join("\n")).toMatch(/on n2: sent "please echo .*", echoed "PLEASE ECHO/);
  });
});

describe("unique-ids", () => {
  it("ids from (node, synced counter) stay unique under partitions and crashes", () => {
    const r = runWorkload({
      workload: uniqueIds(),
      nodes: uniqueIdNode,
      nodeCount: 3,
      seeds: 30,
      nemesis: ["partition", "crash"],
      ...short,
    });
    expect(r.valid).toBe(true);
    expect(r.metrics.idsGenerated?.mean).toBeGreaterThan(50);
  });
  it("a per-node counter without the node id hands out duplicates", () => {
    const r = runWorkload({
      workload: uniqueIds(),
      nodes: collidingIdNode,
      nodeCount: 3,
      seeds: 2,
      ...short,
    });
    expect(r.valid).toBe(false);
    expect(r.failure?.problems[0]).toMatch(/returned twice/);
  });
});

describe("broadcast", () => {
  it("the naive broadcast (examples/) loses messages under partitions; shrunk to one partition", () => {
    const r = runWorkload({
      workload: broadcast(),
      nodes: naiveBroadcast,
      nodeCount: 5,
      seeds: 30,
      nemesis: ["partition"],
      ...short,
    });
    expect(r.valid).toBe(false);
    const f = r.failure!;
    expect(f.problems.join("\n")).toMatch(/lacks \d+ acknowledged message/);
    // Shrunk: one partition (a single cut event), its heal, and the recovery tail.
    const faults = f.shrunkSchedule.filter((e) => e.atMs < short.durationMs);
    expect(faults.filter((e) => e.kind === "partition")).toHaveLength(1);
    expect(faults.length).toBeLessThanOrEqual(2);
    expect(f.shrunkSchedule.length).toBeLessThan(f.schedule.length + 1);
  });
  it("the naive broadcast passes without faults (the failure is the partition's)", () => {
    const r = runWorkload({
      workload: broadcast(),
      nodes: naiveBroadcast,
      nodeCount: 5,
      seeds: 10,
      ...short,
    });
    expect(r.valid).toBe(true);
  });
  it("the fixed broadcast (retries until acknowledged) passes partitions, loss and duplication", () => {
    const r = runWorkload({
      workload: broadcast(),
      nodes: fixedBroadcast(),
      nodeCount: 5,
      seeds: 40,
      nemesis: ["partition", "loss", "duplicate"],
      ...short,
    });
    expect(r.valid).toBe(true);
    expect(r.metrics.lostMessages?.max).toBe(0);
    expect(r.metrics.stableLatencyP50Ms?.mean).toBeGreaterThan(0);
    expect(r.metrics.messagesPerBroadcast?.mean).toBeGreaterThan(4); // at least one copy per peer
  });
});

describe("counters", () => {
  it("a state-based CRDT counter passes g-counter and pn-counter under partitions and crashes", () => {
    for (const workload of [gCounter(), pnCounter()]) {
      const r = runWorkload({
        workload,
        nodes: crdtCounterNode,
        nodeCount: 3,
        seeds: 25,
        nemesis: ["partition", "crash"],
        ...short,
      });
      expect(r.valid, workload.name).toBe(true);
      expect(r.metrics.acknowledgedSum?.max).toBeGreaterThan(0);
    }
  });
  it("a counter that keeps adds to itself fails: final reads differ from the acknowledged sum", () => {
    const r = runWorkload({
      workload: gCounter(),
      nodes: localCounterNode,
      nodeCount: 3,
      seeds: 2,
      ...short,
    });
    expect(r.valid).toBe(false);
    expect(r.failure?.problems.join("\n")).toMatch(/reads \d+ after heal; the acknowledged sum is \d+/);
  });
  it("indeterminate adds bound the final value instead of failing the run", () => {
    // A lossy network (client links too) makes some add_ok replies vanish (info): the sum is then a
    // range, and the CRDT stays in it.
    const network = { lossRate: 0.05, latency: { kind: "uniform", minMs: 1, maxMs: 5 } } as const;
    const r = runWorkload({
      workload: gCounter(),
      nodes: crdtCounterNode,
      nodeCount: 3,
      seeds: 10,
      network,
      ...short,
    });
    expect(r.valid).toBe(true);
    expect(r.metrics.indeterminateAdds?.max).toBeGreaterThan(0);
  });
});

describe("lin-kv", () => {
  it("one node with one map is linearizable (reads of missing keys read null, cas reports 20/22)", () => {
    const r = runWorkload({
      workload: linKv(),
      nodes: singleKvNode,
      nodeCount: 1,
      clientCount: 4,
      seeds: 10,
      ...short,
    });
    expect(r.valid).toBe(true);
    expect(r.stats.operations.fail).toBeGreaterThan(0); // failed cas
  });
  it("three nodes with a map each are not, and the checker says which read", () => {
    const r = runWorkload({ workload: linKv(), nodes: splitBrainKvNode, nodeCount: 3, seeds: 3, ...short });
    expect(r.valid).toBe(false);
    expect(r.failure?.problems[0]).toMatch(/not linearizable: .*cannot be linearized/);
    expect(r.failure?.run.check.linearizability?.verdict).toBe("not-linearizable");
  });
});
