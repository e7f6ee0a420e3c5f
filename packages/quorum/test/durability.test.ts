import { describe, expect, it } from "vitest";
import { type LwwState, lwwPolicy, type ReadResult } from "../src/index.js";
import { type Cluster, makeCluster, rng } from "./helpers.js";

/** One writer per key writes 1, 2, 3, ... and remembers the last acknowledged value. */
function writeSequences(cluster: Cluster<LwwState>, keys: readonly string[], count: number, seed: number) {
  const acked = new Map<string, number>();
  const next = rng(seed);
  keys.forEach((key, i) => {
    const client = cluster.clients[i % cluster.clients.length]!.instance;
    let v = 0;
    const step = (): void => {
      if (v >= count) return;
      v++;
      const value = v;
      client.put(key, value, {}, (r) => {
        if (r.ok) acked.set(key, Math.max(acked.get(key) ?? 0, value));
        cluster.sim.schedule(next() * 10, step);
      });
    };
    cluster.sim.schedule(next() * 10, step);
  });
  return acked;
}

describe("durability", () => {
  for (const seed of [11, 12, 13]) {
    it(`no acknowledged write is lost while at most N - W replicas of a key fail (seed ${seed})`, () => {
      const cluster = makeCluster<LwwState>({
        seed,
        clients: 3,
        node: { policy: lwwPolicy(), n: 3, r: 2, w: 2, readRepair: "async", timeoutMs: 30 },
        client: { timeoutMs: 30 },
      });
      const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
      const acked = writeSequences(cluster, keys, 25, seed);
      // Crash one node (N - W = 1 replica per key) at a random moment, restart it later, crash another.
      const next = rng(seed * 7);
      const ids = cluster.nodes.map((n) => n.id);
      const first = ids[Math.floor(next() * ids.length)]!;
      const second = ids.filter((x) => x !== first)[Math.floor(next() * (ids.length - 1))]!;
      cluster.sim.schedule(50 + next() * 100, () => cluster.sim.crash(first));
      cluster.sim.schedule(300, () => cluster.sim.restart(first));
      cluster.sim.schedule(320, () => cluster.sim.crash(second));
      cluster.sim.runFor(2000);
      expect(acked.size).toBe(keys.length);
      const reads = new Map<string, ReadResult>();
      const reader = cluster.clients[0]!.instance;
      const read = (key: string, attempts: number): void => {
        reader.get(key, {}, (r) => {
          // The coordinator picked may be the crashed node: retry.
          if (!r.ok && attempts > 1) read(key, attempts - 1);
          else reads.set(key, r);
        });
      };
      for (const key of keys) cluster.sim.schedule(1, () => read(key, 8));
      cluster.sim.runFor(500);
      for (const key of keys) {
        const r = reads.get(key);
        expect(r?.ok).toBe(true);
        // The read sees the last acknowledged value, or a later write that timed out (it may have applied).
        const seen = r?.ok ? (r.values[0] as number) : -1;
        expect(seen).toBeGreaterThanOrEqual(acked.get(key)!);
      }
    });
  }
});
