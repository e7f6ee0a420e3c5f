import { checkLinearizable, kvModel } from "@distkit/check";
import { type NodeId, SeededRandom } from "@distkit/sim-net";
import { forEachSeed } from "@distkit/sim-net/testing";
import { describe, expect, it } from "vitest";
import type { PartitionScheme, ShardedCluster } from "../src/index.js";
import {
  addClients,
  auditAppends,
  configOf,
  keysFor,
  makeCluster,
  ownershipProblems,
  startWorkload,
} from "./harness.js";

const schemes: PartitionScheme[] = [{ kind: "slots" }, { kind: "hashed", seed: 0 }, { kind: "range" }];

type Fault =
  | "source-leader"
  | "target-leader"
  | "router"
  | "config-leader"
  | "partition-source"
  | "isolate-target"
  | "partition-config";
const FAULTS: Fault[] = [
  "source-leader",
  "target-leader",
  "router",
  "config-leader",
  "partition-source",
  "isolate-target",
  "partition-config",
];

function inject(c: ShardedCluster, fault: Fault, source: string, target: string, rnd: SeededRandom): string {
  const sim = c.sim;
  const leaderOr = (id: string | undefined, group: readonly NodeId[]) => id ?? group[0]!;
  switch (fault) {
    case "source-leader": {
      const n = leaderOr(c.shardLeader(source), c.shardReplicas.get(source)!);
      sim.crash(n);
      sim.schedule(rnd.int(100, 400), () => sim.restart(n));
      return `crash ${n}`;
    }
    case "target-leader": {
      const n = leaderOr(c.shardLeader(target), c.shardReplicas.get(target)!);
      sim.crash(n);
      sim.schedule(rnd.int(100, 400), () => sim.restart(n));
      return `crash ${n}`;
    }
    case "router": {
      const n = c.routers[rnd.int(0, c.routers.length)]!;
      sim.crash(n);
      sim.schedule(rnd.int(200, 600), () => sim.restart(n));
      return `crash ${n}`;
    }
    case "config-leader": {
      const n = leaderOr(c.configLeader(), c.configReplicas);
      sim.crash(n);
      sim.schedule(rnd.int(100, 400), () => sim.restart(n));
      return `crash ${n}`;
    }
    case "partition-source": {
      const n = leaderOr(c.shardLeader(source), c.shardReplicas.get(source)!);
      sim.isolate(n);
      sim.schedule(rnd.int(150, 500), () => sim.heal());
      return `isolate ${n}`;
    }
    case "isolate-target": {
      // the whole target group cut off: the migration must stall, then abort or resume
      const group = c.shardReplicas.get(target)!;
      const others = c.sim.nodeIds.filter((id) => !group.includes(id));
      sim.partition(group, others);
      sim.schedule(rnd.int(300, 900), () => sim.heal());
      return `partition ${target}`;
    }
    case "partition-config": {
      const others = c.sim.nodeIds.filter((id) => !c.configReplicas.includes(id));
      sim.partition(c.configReplicas, others);
      sim.schedule(rnd.int(200, 600), () => sim.heal());
      return "partition config";
    }
  }
}

/**
 * One run: 3 shards x 3 replicas, config group, 2 routers, clients of all three styles appending unique
 * tokens; shard s4 is added and two ranges move to it while faults hit sources, targets, routers and the
 * config service. Returns what was checked.
 */
function runMigrationScenario(seed: number) {
  const rnd = new SeededRandom(seed);
  const scheme = schemes[seed % schemes.length]!;
  const c = makeCluster(
    seed,
    {
      scheme,
      shards: 3,
      ...(scheme.kind === "range" ? { splitPoints: ["k3", "k6"] } : {}),
      shard: { migrationTimeoutMs: 1500 },
    },
    {
      latency: { kind: "uniform", minMs: 1, maxMs: 4 },
      lossRate: rnd.chance(0.5) ? 0.02 : 0,
      duplicateRate: rnd.chance(0.3) ? 0.02 : 0,
    },
  );
  const clients = [
    ...addClients(c, "router", 2, "a"),
    ...addClients(c, "client", 2, "b"),
    ...addClients(c, "redirect", 2, "d"),
  ];
  const w = startWorkload(c, { clients, untilMs: 2600, keys: keysFor(24), readRatio: 0.4 });
  const sim = c.sim;
  const moves: string[] = [];
  sim.schedule(200, () => c.addShard("s4"));
  const move = (from: string) => {
    const cfg = configOf(c);
    const r = cfg.state.map.rangesOf(from)[0];
    if (r !== undefined)
      c.admin({ type: "start-migration", rangeId: r.id, to: "s4" }, (res) =>
        moves.push(`${from}:${res?.kind ?? "unreachable"}`),
      );
  };
  sim.schedule(300, () => move("s1"));
  sim.schedule(1400, () => move("s2"));
  const faults: string[] = [];
  const nFaults = rnd.int(1, 3);
  for (let i = 0; i < nFaults; i++) {
    const fault = FAULTS[rnd.int(0, FAULTS.length)]!;
    const at = rnd.int(320, 2000);
    sim.schedule(at, () => faults.push(`${at}: ${inject(c, fault, at < 1400 ? "s1" : "s2", "s4", rnd)}`));
  }
  sim.schedule(2300, () => {
    sim.heal();
    for (const id of sim.nodeIds) if (sim.node(id).status === "crashed") sim.restart(id);
  });
  sim.runFor(2700);
  sim.runUntil(() => w.done(), { timeoutMs: 3000 });
  sim.runFor(2500); // quiescence: migrations finish or abort
  const history = w.recorder.history();
  const verdict = checkLinearizable(history, kvModel()).verdict;
  const audit = auditAppends(c, w);
  const ownership = ownershipProblems(c);
  const migrations = configOf(c)
    .state.migrations()
    .map((m) => `${m.id}:${m.state}`);
  return { verdict, audit, ownership, migrations, faults, moves, ops: history.length, scheme: scheme.kind };
}

describe("live migration under faults (sim-net, many seeds)", () => {
  it("per-key linearizable, no acknowledged write lost or doubled, ownership agrees with the map", () => {
    const seeds = Array.from({ length: 36 }, (_, i) => 1000 + i);
    let committed = 0;
    forEachSeed(seeds, (seed) => {
      const r = runMigrationScenario(seed);
      const context = JSON.stringify({
        seed,
        scheme: r.scheme,
        faults: r.faults,
        migrations: r.migrations,
        moves: r.moves,
      });
      expect(r.ops, context).toBeGreaterThan(200);
      expect(r.verdict, context).toBe("linearizable");
      expect(r.audit.lost, context).toEqual([]);
      expect(r.audit.duplicated, context).toEqual([]);
      expect(r.ownership, context).toEqual([]);
      committed += r.migrations.filter((m) => m.endsWith("committed")).length;
    });
    // Most migrations get through the faults (aborts are allowed, but not the rule).
    expect(committed).toBeGreaterThan(seeds.length);
  });
});

describe("exactly-once across a move", () => {
  it("writes applied at the source whose answers were lost, retried at the target after the move, apply once", () => {
    forEachSeed([7, 8, 9, 10, 11, 12], (seed) => {
      const c = makeCluster(seed, { scheme: { kind: "slots" }, shards: 3 });
      const clients = [
        ...addClients(c, "router", 2, "a"),
        ...addClients(c, "client", 2, "b"),
        ...addClients(c, "redirect", 2, "d"),
      ];
      const w = startWorkload(c, { clients, untilMs: 1800, keys: keysFor(12), readRatio: 0.2 });
      const sim = c.sim;
      sim.schedule(100, () => c.addShard("s4"));
      sim.schedule(300, () => {
        const r = configOf(c).state.map.rangesOf("s1")[0]!;
        c.admin({ type: "start-migration", rangeId: r.id, to: "s4" });
        // s1 applies writes but its answers to clients and routers are lost until the move is done
        sim.partitionOneWay(c.shardReplicas.get("s1")!, [...clients, ...c.routers]);
      });
      sim.schedule(1000, () => sim.heal());
      sim.runFor(1900);
      sim.runUntil(() => w.done(), { timeoutMs: 3000 });
      sim.runFor(1500);
      const migrations = configOf(c).state.migrations();
      expect(migrations.map((m) => m.state)).toEqual(["committed"]);
      const audit = auditAppends(c, w);
      expect(audit.duplicated).toEqual([]);
      expect(audit.lost).toEqual([]);
      expect(checkLinearizable(w.recorder.history(), kvModel()).verdict).toBe("linearizable");
    });
  });
});
