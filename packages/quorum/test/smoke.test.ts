import { describe, expect, it } from "vitest";
import { lwwPolicy, type ReadResult, type WriteResult } from "../src/index.js";
import { makeCluster } from "./helpers.js";

describe("smoke", () => {
  it("writes then reads a value with QUORUM", () => {
    const { sim, clients } = makeCluster({ node: { policy: lwwPolicy() } });
    const c = clients[0]!;
    let w: WriteResult | undefined;
    let r: ReadResult | undefined;
    sim.schedule(1, () => c.instance.put("x", 42, {}, (res) => (w = res)));
    sim.runFor(50);
    sim.schedule(1, () => c.instance.get("x", {}, (res) => (r = res)));
    sim.runFor(50);
    expect(w?.ok).toBe(true);
    expect(r?.ok && r.values).toEqual([42]);
  });
});
