// End to end over loopback: a 3-process Raft key-value cluster under client load; the leader is
// killed with SIGKILL mid-load and restarted over its data folder. The per-key histories must be
// linearizable and every acknowledged write must be visible to the final reads.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { afterAll, describe, expect, it } from "vitest";
import { type ClusterClient, connectClient, type LocalCluster, startLocalCluster } from "../src/cluster.js";
import { checkAllKeys, finalReads, runLoad } from "./load.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function leaderOf(client: ClusterClient, timeoutMs = 10_000): Promise<string> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const leader = (await client.status(300)).find((s) => s.role === "leader");
    if (leader !== undefined) return leader.id;
    await sleep(100);
  }
  throw new Error("no leader within 10 s");
}

describe("kill -9 the Raft leader of a 3-process cluster on loopback", () => {
  let cluster: LocalCluster | undefined;
  const clients: ClusterClient[] = [];
  afterAll(async () => {
    for (const c of clients) await c.close();
    await cluster?.stop();
  });

  it("keeps every acknowledged write and stays linearizable per key", async () => {
    cluster = await startLocalCluster({ kind: "raft", nodes: 3, basePort: 18101, fsync: true });
    for (let i = 0; i < 4; i++)
      clients.push(
        await connectClient({ kind: "raft", servers: cluster.addresses, operationTimeoutMs: 4000 }),
      );
    const observer = clients[0]!;
    const firstLeader = await leaderOf(observer);
    let killed = "";
    let secondLeader = "";
    const result = await runLoad({ clients, keys: 6, durationMs: 7000, cas: true, seed: 1 }, async () => {
      await sleep(2000);
      killed = await leaderOf(observer);
      cluster!.kill(killed, "SIGKILL");
      await sleep(1500);
      secondLeader = await leaderOf(observer);
      await cluster!.restart(killed);
    });
    const finals = await finalReads(result, observer);
    const verdict = checkAllKeys(result);
    console.log(
      `raft kill -9: first leader ${firstLeader}, killed ${killed}, new leader ${secondLeader}; ` +
        `${result.ok} ok, ${result.timeouts} timed out; verdict ${verdict.verdict}`,
    );
    expect(verdict).toEqual({ verdict: "linearizable" });
    expect(secondLeader).not.toBe(killed);
    expect(result.ok).toBeGreaterThan(50);
    // Every key that had an acknowledged write reads a value (never absent: nothing acknowledged is lost).
    for (const [key, values] of result.acknowledged) {
      if (values.length > 0) expect(finals.get(key), key).not.toBeNull();
    }
    // The restarted node recovered its log from disk (the second "recovered" line of its log file).
    const spec = cluster.servers.find((s) => s.id === killed)!;
    const recoveries = readFileSync(spec.logFile, "utf8")
      .split("\n")
      .filter((l) => l.includes('"event":"recovered"'))
      .map((l) => JSON.parse(l).data as { recordsReplayed: number });
    expect(recoveries.length).toBe(2);
    expect(recoveries[1]!.recordsReplayed).toBeGreaterThan(0);
    const status = await observer.status(1000);
    expect(status.map((s) => s.id)).toContain(killed);
  }, 90_000);
});
