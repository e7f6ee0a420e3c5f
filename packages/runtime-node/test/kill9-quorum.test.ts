// End to end over loopback: a 3-process quorum store (N = 3, R = W = 2, two-phase LWW writes,
// blocking read repair) under client load; one replica is killed with SIGKILL mid-load and restarted
// over its data folder. The per-key histories must be linearizable and every acknowledged write must
// be visible to the final reads.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { type ClusterClient, connectClient, type LocalCluster, startLocalCluster } from "../src/cluster.js";
import { checkAllKeys, finalReads, runLoad } from "./load.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("kill -9 a replica of a 3-process quorum store (R = W = 2) on loopback", () => {
  let cluster: LocalCluster | undefined;
  const clients: ClusterClient[] = [];
  afterAll(async () => {
    for (const c of clients) await c.close();
    await cluster?.stop();
  });

  it("keeps every acknowledged write and stays linearizable per key", async () => {
    cluster = await startLocalCluster({ kind: "quorum", nodes: 3, basePort: 18201, fsync: true });
    for (let i = 0; i < 4; i++)
      clients.push(
        await connectClient({ kind: "quorum", servers: cluster.addresses, operationTimeoutMs: 4000 }),
      );
    const observer = clients[0]!;
    const killed = "n1";
    const result = await runLoad({ clients, keys: 6, durationMs: 7000, cas: false, seed: 1 }, async () => {
      await sleep(2000);
      cluster!.kill(killed, "SIGKILL");
      await sleep(1500);
      await cluster!.restart(killed);
    });
    const finals = await finalReads(result, observer);
    const verdict = checkAllKeys(result);
    console.log(
      `quorum kill -9: killed ${killed}; ` +
        `${result.ok} ok, ${result.timeouts} timed out; verdict ${verdict.verdict}`,
    );
    expect(verdict).toEqual({ verdict: "linearizable" });
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
