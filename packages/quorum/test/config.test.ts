import { Simulation } from "@distkit/sim-net";
import { describe, expect, it } from "vitest";
import {
  QuorumClient,
  QuorumError,
  type QuorumMessage,
  QuorumNode,
  dvvPolicy,
  isStrictQuorum,
  levelToCount,
  lwwPolicy,
  resolveQuorum,
} from "../src/index.js";
import { testPlacement } from "./helpers.js";

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof QuorumError) {
      expect(e.message.length).toBeGreaterThan(20);
      return e.code;
    }
    throw e;
  }
  return undefined;
}

describe("consistency levels", () => {
  it("maps names to counts", () => {
    expect(levelToCount("ONE", 5)).toBe(1);
    expect(levelToCount("TWO", 5)).toBe(2);
    expect(levelToCount("THREE", 5)).toBe(3);
    expect(levelToCount("QUORUM", 5)).toBe(3);
    expect(levelToCount("QUORUM", 4)).toBe(3);
    expect(levelToCount("ALL", 5)).toBe(5);
    expect(resolveQuorum({ n: 3, r: "QUORUM", w: "ONE" }, 5)).toEqual({ n: 3, r: 2, w: 1 });
    expect(isStrictQuorum({ n: 3, r: 2, w: 2 })).toBe(true);
    expect(isStrictQuorum({ n: 3, r: 1, w: 2 })).toBe(false);
  });

  it("rejects bad quorums with a typed error saying what is accepted", () => {
    expect(code(() => resolveQuorum({ n: 3, r: 4, w: 2 }, 5))).toBe("invalid-quorum");
    expect(code(() => resolveQuorum({ n: 3, r: 2, w: 4 }, 5))).toBe("invalid-quorum");
    expect(code(() => resolveQuorum({ n: 3, r: 0, w: 2 }, 5))).toBe("invalid-quorum");
    expect(code(() => resolveQuorum({ n: 6, r: 2, w: 2 }, 5))).toBe("invalid-replication");
    expect(code(() => resolveQuorum({ n: 3, r: "MAJORITY", w: 2 }, 5))).toBe("unknown-consistency-level");
    expect(code(() => levelToCount("THREE", 2))).toBe("invalid-quorum");
    try {
      levelToCount("LOCAL_QUORUM", 3);
    } catch (e) {
      expect((e as Error).message).toContain("ONE, TWO, THREE, QUORUM, ALL");
    }
  });
});

describe("bad configuration and requests", () => {
  const placement = testPlacement(["n1", "n2", "n3"]);

  it("node configuration", () => {
    const sim = new Simulation({ seed: 1 });
    const add = (id: string, cfg: Partial<ConstructorParameters<typeof QuorumNode>[1]>) => () =>
      sim.addNode(id, (ctx) => new QuorumNode(ctx, { placement, policy: lwwPolicy(), ...cfg })).instance;
    expect(code(add("a", { n: 4 }))).toBe("invalid-replication");
    expect(code(add("b", { n: 3, r: 4 }))).toBe("invalid-quorum");
    expect(code(add("c", { w: "EACH_QUORUM" as "ONE" }))).toBe("unknown-consistency-level");
    expect(code(add("d", { timeoutMs: 0 }))).toBe("invalid-config");
    expect(code(add("e", { antiEntropy: { intervalMs: 100, depth: 17 } }))).toBe("invalid-config");
    expect(code(add("f", { readRepair: "sometimes" as "off" }))).toBe("invalid-config");
  });

  it("client requests", () => {
    const sim = new Simulation({ seed: 1 });
    const c = sim.addNode("c", (ctx) => new QuorumClient(ctx, { placement })).instance;
    expect(code(() => c.put("k", 1, { w: 4 }))).toBe("invalid-quorum");
    expect(code(() => c.get("k", { r: 5 }))).toBe("invalid-quorum");
    expect(code(() => c.get("k", { n: 4 }))).toBe("invalid-replication");
    expect(code(() => c.get("k", { r: "SOME" as "ONE" }))).toBe("unknown-consistency-level");
    expect(code(() => c.put("k", 1, { context: "{not json" }))).toBe("malformed-context");
    expect(code(() => c.put("k", 1, { context: '"a string"' }))).toBe("malformed-context");
    expect(code(() => c.put("", 1))).toBe("invalid-request");
    expect(code(() => c.put("k", Number.NaN))).toBe("invalid-request");
    expect(code(() => sim.addNode("c2", (ctx) => new QuorumClient(ctx, { placement, n: 5 })).instance)).toBe(
      "invalid-replication",
    );
  });

  it("policies validate causal contexts", () => {
    expect(code(() => dvvPolicy().validateContext('{"n1":-1}'))).toBe("malformed-context");
    expect(code(() => dvvPolicy().validateContext("[1,2]"))).toBe("malformed-context");
    expect(code(() => dvvPolicy().validateContext("{oops"))).toBe("malformed-context");
    expect(code(() => dvvPolicy().validateContext('{"n1":2}'))).toBeUndefined();
    expect(code(() => lwwPolicy().validateContext("12x"))).toBe("malformed-context");
    expect(code(() => lwwPolicy().validateContext("12.5"))).toBeUndefined();
  });

  it("a coordinator answers a malformed context from a raw message with a rejection, not a crash", () => {
    const sim = new Simulation({ seed: 1 });
    for (const id of placement.members)
      sim.addNode(id, (ctx) => new QuorumNode(ctx, { placement, policy: dvvPolicy() }));
    const replies: unknown[] = [];
    sim.addNode("raw", () => ({ onMessage: (_f: string, m: unknown) => void replies.push(m) }));
    const bad: QuorumMessage = {
      type: "q.put",
      reqId: 1,
      key: "k",
      value: 1,
      deleted: false,
      context: "{bad",
      options: {},
    };
    sim.schedule(1, () => sim.send("raw", "n1", bad));
    sim.runFor(20);
    expect(replies).toEqual([
      expect.objectContaining({
        type: "q.putResult",
        reqId: 1,
        result: expect.objectContaining({ ok: false, reason: "rejected" }),
      }),
    ]);
  });
});
