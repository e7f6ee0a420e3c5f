import { checkSeeds } from "@distkit/sim-net/testing";
import { describe, expect, it } from "vitest";
import { runFaultSchedule } from "./fault-run.js";
import { buildCluster, serverNames } from "./harness.js";

// Random fault schedules over many seeds: the invariant checker runs after every simulated event,
// then liveness (a leader and progress once faults stop) and linearizability of the KV history.
// Seeds: 220 (3 nodes) + 180 (5 nodes) + 60 (lease reads) + 60 (membership churn) = 520. The
// fast-check seeds are pinned so CI is reproducible; `pnpm soak` explores fresh seeds.
describe("safety invariants under random faults", () => {
  it("3 nodes: 220 seeds of partitions, one-way partitions, crashes, pauses, clock drift, loss, duplication", () => {
    checkSeeds(
      { numRuns: 220, fcSeed: 701, schedule: { nodeIds: serverNames(3), durationMs: 2000, maxFaults: 8 } },
      (seed, schedule) => {
        runFaultSchedule(seed, schedule, { servers: 3, durationMs: 2000 });
      },
    );
  });

  it("5 nodes: 180 seeds", () => {
    checkSeeds(
      { numRuns: 180, fcSeed: 702, schedule: { nodeIds: serverNames(5), durationMs: 2000, maxFaults: 10 } },
      (seed, schedule) => {
        runFaultSchedule(seed, schedule, { servers: 5, durationMs: 2000 });
      },
    );
  });

  it("lease reads stay linearizable under clock drift within the bound: 60 seeds", () => {
    checkSeeds(
      {
        numRuns: 60,
        fcSeed: 703,
        schedule: {
          nodeIds: serverNames(3),
          durationMs: 2000,
          maxFaults: 8,
          kinds: ["partition", "isolate", "heal", "crash", "restart", "pause", "resume", "clock"],
          maxDriftPpm: 5000,
        },
      },
      (seed, schedule) => {
        runFaultSchedule(seed, schedule, { servers: 3, durationMs: 2000, readMode: "lease" });
      },
    );
  });

  it("joint-consensus membership churn (learners, promotions, removals) under faults: 60 seeds", () => {
    let changes = 0;
    checkSeeds(
      { numRuns: 60, fcSeed: 704, schedule: { nodeIds: serverNames(5), durationMs: 2500, maxFaults: 8 } },
      (seed, schedule) => {
        changes += runFaultSchedule(seed, schedule, {
          servers: 5,
          durationMs: 2500,
          membershipChangeEveryMs: 250,
        }).membershipChanges;
      },
    );
    expect(changes).toBeGreaterThan(60);
  });

  it("is deterministic: the same seed gives the same trace digest", () => {
    const digest = (seed: number) => {
      const c = buildCluster({ seed, servers: 3, trace: "digest", clients: 0 });
      c.sim.runFor(1500);
      return c.sim.trace.digest();
    };
    expect(digest(5)).toBe(digest(5));
    expect(digest(5)).not.toBe(digest(6));
  });
});
