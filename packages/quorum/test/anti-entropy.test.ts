import { describe, expect, it } from "vitest";
import { type LwwState, lwwPolicy, type QuorumNodeStats } from "../src/index.js";
import { type Cluster, makeCluster, rng } from "./helpers.js";

function replicasAgree(cluster: Cluster<LwwState>, keys: readonly string[]): string[] {
  const diverged: string[] = [];
  for (const key of keys) {
    const owners = cluster.placement.preferenceList(key, 3);
    const digests = new Set(
      owners.map((o) => cluster.nodes.find((n) => n.id === o)!.instance.localDigest(key)),
    );
    if (digests.size !== 1) diverged.push(key);
  }
  return diverged;
}

function divergentRun(seed: number, depth: number, antiEntropy: boolean) {
  const cluster = makeCluster<LwwState>({
    seed,
    clients: 2,
    node: {
      policy: lwwPolicy(),
      n: 3,
      r: 1,
      w: 1,
      readRepair: "off",
      timeoutMs: 30,
      antiEntropy: antiEntropy ? { intervalMs: 100, depth } : false,
    },
    client: { routing: "random", timeoutMs: 30 },
  });
  const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);
  const next = rng(seed);
  const ids = cluster.nodes.map((n) => n.id);
  // Partitions come and go while W = 1 writes land on whichever replicas are reachable.
  for (let t = 0; t < 1000; t += 100) {
    cluster.sim.schedule(t, () => {
      cluster.sim.heal();
      const shuffled = [...ids].sort(() => next() - 0.5);
      cluster.sim.partition([...shuffled.slice(0, 2), "c1"], [...shuffled.slice(2), "c2"]);
    });
  }
  keys.forEach((key, i) => {
    cluster.sim.schedule(next() * 1000, () => cluster.clients[i % 2]!.instance.put(key, `v-${i}`));
    cluster.sim.schedule(next() * 1000, () => cluster.clients[(i + 1) % 2]!.instance.put(key, `w-${i}`));
  });
  cluster.sim.schedule(1000, () => cluster.sim.heal());
  cluster.sim.runFor(1000);
  return { cluster, keys };
}

describe("anti-entropy", () => {
  it("after partitions heal, Merkle-tree rounds make every replica of every key equal", () => {
    const { cluster, keys } = divergentRun(21, 6, true);
    // Right after healing, W = 1 writes under partitions have left replicas apart.
    const before = replicasAgree(cluster, keys).length;
    cluster.sim.runFor(5000);
    expect(before).toBeGreaterThan(20);
    expect(replicasAgree(cluster, keys)).toEqual([]);
    const streamed = cluster.nodes.reduce((s, n) => s + n.instance.stats.antiEntropyKeysStreamed, 0);
    expect(streamed).toBeGreaterThan(0);
  });

  it("without anti-entropy (and without read repair) the replicas stay apart", () => {
    const { cluster, keys } = divergentRun(21, 6, false);
    cluster.sim.runFor(5000);
    expect(replicasAgree(cluster, keys).length).toBeGreaterThan(20);
  });

  it("only differing keys are streamed whatever the depth; deeper trees cost more hashes instead", () => {
    const run = (depth: number) => {
      const { cluster, keys } = divergentRun(22, depth, true);
      cluster.sim.runFor(5000);
      expect(replicasAgree(cluster, keys)).toEqual([]);
      const sum = (f: (s: QuorumNodeStats) => number) =>
        cluster.nodes.reduce((a, n) => a + f(n.instance.stats), 0);
      return { keys: sum((s) => s.antiEntropyKeysStreamed), hashes: sum((s) => s.antiEntropyHashesSent) };
    };
    const shallow = run(1);
    const deep = run(8);
    // A depth-1 tree has two leaves of about 60 shared keys each; exchanging whole leaves would stream many
    // times the keys a depth-8 tree streams. Exchanging key/version lists streams about the same keys.
    expect(shallow.keys).toBeGreaterThan(0);
    expect(Math.abs(shallow.keys - deep.keys)).toBeLessThanOrEqual(0.1 * deep.keys);
    expect(deep.hashes).toBeGreaterThan(shallow.hashes);
  });
});
