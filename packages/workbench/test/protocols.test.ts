/**
 * Our own protocols as the workbench's first users: Raft passes lin-kv under faults; a Dynamo-style
 * store with R = W = 1 fails it, and the workbench shrinks the schedule to one short partition.
 */
import { describe, expect, it } from "vitest";
import { describeSchedule, linKv, replayWorkload, runWorkload } from "../src/index.js";
import { quorumLinKvNode } from "./adapters/quorum-lin-kv.js";
import { raftLinKvNode } from "./adapters/raft-lin-kv.js";

describe("@distkit/raft under the lin-kv workload", () => {
  it("is linearizable over 40 seeds of partitions, crashes, pauses, clock skew, loss and duplication", () => {
    const r = runWorkload({
      workload: linKv(),
      nodes: raftLinKvNode(),
      nodeCount: 3,
      seeds: 40,
      nemesis: ["partition", "crash", "pause", "clock", "loss", "duplicate"],
      durationMs: 1500,
      recoveryMs: 500,
    });
    expect(r.valid, r.failure?.problems.join("\n")).toBe(true);
    expect(r.seedsRun).toBe(40);
    // The faults bite: some operations are indeterminate or failed, most still succeed.
    expect(r.stats.operations.ok).toBeGreaterThan(1000);
    expect(r.stats.operations.info + r.stats.operations.fail).toBeGreaterThan(0);
    expect(r.metrics.keysUndecided?.max).toBe(0);
  });

  it("five nodes, majority rings and bridges included (partition nemesis only)", () => {
    const r = runWorkload({
      workload: linKv(),
      nodes: raftLinKvNode(),
      nodeCount: 5,
      seeds: 15,
      nemesis: ["partition"],
      durationMs: 1500,
      recoveryMs: 500,
    });
    expect(r.valid, r.failure?.problems.join("\n")).toBe(true);
  });
});

describe("@distkit/quorum under the lin-kv workload (read/write only)", () => {
  it("R = W = 1 fails, shrunk to a single short partition, and the shrunk schedule replays the failure", () => {
    const options = {
      workload: linKv({ cas: false }),
      nodes: quorumLinKvNode({ r: 1, w: 1 }),
      nodeCount: 3,
      seeds: 30,
      nemesis: ["partition"] as const,
      durationMs: 1000,
      recoveryMs: 300,
    };
    const r = runWorkload(options);
    expect(r.valid).toBe(false);
    const f = r.failure!;
    expect(f.problems[0]).toMatch(/not linearizable/);
    const faults = f.shrunkSchedule.filter((e) => e.atMs < options.durationMs);
    expect(faults.map((e) => e.kind)).toEqual(["partition", "heal"]);
    expect(f.shrinkSteps).toBeGreaterThan(0);
    expect(describeSchedule(f.shrunkSchedule)[0]).toMatch(/^\d+ ms: partition \{n\d\} \| \{n\d,n\d\}$/);
    // Replay: the same seed and shrunk schedule fail the same way, deterministically.
    const again = replayWorkload(options, f.seed, f.shrunkSchedule);
    expect(again.verdict).toBe("fail");
    expect(again.simulation.trace.digest()).toBe(f.run.simulation.trace.digest());
    // The pictures exist and show the run.
    expect(f.pictures?.spaceTimeSvg).toMatch(/^<svg/);
    expect(f.pictures?.historyHtml).toMatch(/<html/i);
  });

  it("R = W = 2 with blocking read repair passes the same sweep", () => {
    const r = runWorkload({
      workload: linKv({ cas: false }),
      nodes: quorumLinKvNode({ r: 2, w: 2, readRepair: "blocking" }),
      nodeCount: 3,
      seeds: 30,
      nemesis: ["partition"],
      durationMs: 1000,
      recoveryMs: 300,
    });
    expect(r.valid, r.failure?.problems.join("\n")).toBe(true);
  });
});
