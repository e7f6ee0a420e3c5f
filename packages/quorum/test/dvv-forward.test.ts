import { describe, expect, it } from "vitest";
import { type DvvState, dvvPolicy, QuorumClient, type WriteResult } from "../src/index.js";
import { makeCluster } from "./helpers.js";

describe("DVV writes are coordinated by a replica", () => {
  it("a non-replica forwards to a replica, and after a crashed replica times out, to the next one", () => {
    const cluster = makeCluster<DvvState>({ node: { policy: dvvPolicy(), n: 3, w: 2, timeoutMs: 20 } });
    const { sim, placement } = cluster;
    const key = "fwd";
    const list = placement.preferenceList(key, 5);
    const [owner, , , outsider] = list as [string, string, string, string];
    const client = sim.addNode(
      "cx",
      (ctx) => new QuorumClient(ctx, { placement, coordinators: [outsider], timeoutMs: 20 }),
    );
    const results: WriteResult[] = [];
    sim.schedule(1, () => client.instance.put(key, "a", {}, (r) => results.push(r)));
    sim.runFor(100);
    expect(results[0]).toMatchObject({ ok: true, coordinator: owner });
    sim.crash(owner);
    // The retry right after the timeout goes through the next replica (the dead one is presumed down).
    sim.schedule(1, () =>
      client.instance.put(key, "b", {}, (r) => {
        results.push(r);
        client.instance.put(key, "c", {}, (r2) => results.push(r2));
      }),
    );
    sim.runFor(300);
    expect(results[1]).toMatchObject({ ok: false, reason: "timeout" });
    expect(results[2]?.ok).toBe(true);
    expect(results[2]?.ok && results[2].coordinator).not.toBe(owner);
  });
});
