import { describe, expect, it } from "vitest";
import { type DvvState, dvvPolicy } from "../src/index.js";
import { driveClients, makeCluster } from "./helpers.js";

function run(seed: number): string {
  const cluster = makeCluster<DvvState>({
    seed,
    clients: 3,
    network: { latency: { kind: "exponential", meanMs: 2 }, lossRate: 0.05 },
    node: {
      policy: dvvPolicy(),
      r: 1,
      w: 2,
      sloppyQuorum: true,
      antiEntropy: { intervalMs: 50, depth: 3 },
      timeoutMs: 30,
    },
    client: { timeoutMs: 30 },
  });
  cluster.sim.schedule(100, () => cluster.sim.partition(["n1", "n2"], ["n3", "n4", "n5"]));
  cluster.sim.schedule(300, () => cluster.sim.heal());
  driveClients(cluster, { opsPerClient: 40, keys: ["a", "b"], readRatio: 0.5, thinkMs: 10, seed });
  cluster.sim.runFor(2000);
  const stats = cluster.nodes.map((n) => n.instance.stats);
  const history = cluster.clients.map((c) => c.instance.history);
  return JSON.stringify({ stats, history });
}

describe("determinism", () => {
  it("the same seed gives the same run, a different seed a different one", () => {
    const a = run(5);
    expect(run(5)).toBe(a);
    expect(run(6)).not.toBe(a);
  });
});
