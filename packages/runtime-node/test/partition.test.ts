// End to end over loopback, with partitions between the server processes (each server's transport
// drops the traffic of the servers cut from it; clients still reach every server, as in Jepsen).
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { type ClusterClient, connectClient, type LocalCluster, startLocalCluster } from "../src/cluster.js";
import { checkAllKeys, finalReads, runLoad } from "./load.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let cluster: LocalCluster | undefined;
const clients: ClusterClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await cluster?.stop();
  cluster = undefined;
});

async function leaderOf(client: ClusterClient, exclude: string | undefined = undefined): Promise<string> {
  const until = performance.now() + 10_000;
  while (performance.now() < until) {
    const all = await client.status(300);
    const leader = all.find((s) => s.role === "leader" && s.id !== exclude);
    if (leader !== undefined) return leader.id;
    await sleep(100);
  }
  throw new Error("no leader within 10 s");
}

describe("partitions between server processes on loopback", () => {
  it("Raft: the leader cut from both followers is replaced; the history stays linearizable and nothing acknowledged is lost", async () => {
    cluster = await startLocalCluster({ kind: "raft", nodes: 3, basePort: 18301 });
    for (let i = 0; i < 4; i++)
      clients.push(
        await connectClient({ kind: "raft", servers: cluster.addresses, operationTimeoutMs: 3000 }),
      );
    const observer = clients[0]!;
    // Bad partitions are rejected, and change nothing.
    await expect(cluster.partition([["n1"], ["nX"]])).rejects.toThrow(/no server "nX"/);
    await expect(cluster.partition([["n1"], ["n1", "n2"]])).rejects.toThrow(/in two groups/);
    const old = await leaderOf(observer);
    let replacement = "";
    const result = await runLoad({ clients, keys: 6, durationMs: 6000, cas: true, seed: 2 }, async () => {
      await sleep(1500);
      await cluster!.partition([[old], cluster!.servers.map((s) => s.id).filter((id) => id !== old)]);
      replacement = await leaderOf(observer, old);
      await sleep(1500);
      await cluster!.heal();
    });
    const finals = await finalReads(result, observer);
    const verdict = checkAllKeys(result);
    console.log(
      `raft partition: isolated leader ${old}, new leader ${replacement}; ${result.ok} ok, ${result.timeouts} timed out; ${verdict.verdict}`,
    );
    expect(verdict).toEqual({ verdict: "linearizable" });
    expect(replacement).not.toBe(old);
    for (const [key, values] of result.acknowledged)
      if (values.length > 0) expect(finals.get(key), key).not.toBeNull();
  }, 90_000);

  it("quorum R = W = 2: a replica cut from the others; the history stays linearizable", async () => {
    cluster = await startLocalCluster({ kind: "quorum", nodes: 3, basePort: 18401 });
    for (let i = 0; i < 4; i++)
      clients.push(
        await connectClient({ kind: "quorum", servers: cluster.addresses, operationTimeoutMs: 3000 }),
      );
    const observer = clients[0]!;
    const result = await runLoad({ clients, keys: 6, durationMs: 6000, cas: false, seed: 3 }, async () => {
      await sleep(1500);
      await cluster!.partition([["n1"], ["n2", "n3"]]);
      await sleep(2000);
      await cluster!.heal();
    });
    const finals = await finalReads(result, observer);
    const verdict = checkAllKeys(result);
    console.log(
      `quorum partition: n1 | n2 n3; ${result.ok} ok, ${result.timeouts} timed out; ${verdict.verdict}`,
    );
    expect(verdict).toEqual({ verdict: "linearizable" });
    for (const [key, values] of result.acknowledged)
      if (values.length > 0) expect(finals.get(key), key).not.toBeNull();
  }, 90_000);
});
