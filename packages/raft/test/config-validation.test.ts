import { Simulation } from "@distkit/sim-net";
import { describe, expect, it } from "vitest";
import { RaftError, RaftNode, resolveRaftConfig } from "../src/index.js";

describe("configuration mistakes are RaftErrors, not silent", () => {
  it("a bootstrap voter that is not a node of the simulation is refused when the run starts", () => {
    const sim = new Simulation({ seed: 1, trace: "off" });
    const ids = ["n1", "n2", "n3"];
    for (const id of ids) sim.addNode(id, (ctx) => new RaftNode(ctx, { voters: ["node1", "n2", "n3"] }));
    let error: unknown;
    try {
      sim.runFor(100);
    } catch (e) {
      error = e;
    }
    const cause = error instanceof RaftError ? error : (error as { cause?: unknown } | undefined)?.cause;
    const message =
      String((error as Error | undefined)?.message) + String((cause as Error | undefined)?.message);
    expect(error).toBeDefined();
    expect(message).toMatch(/voter "node1" of node n\d is not a node of the simulation/);
    expect(message).toMatch(/n1, n2, n3/);
  });

  it("well-named voters, a joining node and a single-node cluster start fine", () => {
    const sim = new Simulation({ seed: 2, trace: "off" });
    for (const id of ["n1", "n2", "n3"])
      sim.addNode(id, (ctx) => new RaftNode(ctx, { voters: ["n1", "n2", "n3"] }));
    sim.addNode("n4", (ctx) => new RaftNode(ctx, { join: true }));
    sim.addNode("solo", (ctx) => new RaftNode(ctx, { voters: ["solo"] }));
    expect(() => sim.runFor(500)).not.toThrow();
    expect(sim.node<RaftNode>("solo").instance.core.currentRole).toBe("leader");
  });

  it("a membership change naming a node that does not exist is refused", () => {
    const sim = new Simulation({ seed: 3, trace: "off" });
    sim.addNode("solo", (ctx) => new RaftNode(ctx, { voters: ["solo"] }));
    sim.runFor(500);
    const node = sim.node<RaftNode>("solo").instance;
    expect(() => node.proposeMembership({ voters: ["solo", "ghost"] })).toThrow(/"ghost" is not a node/);
  });

  it("unknown RaftNode option keys are refused, naming the key and the accepted ones", () => {
    const sim = new Simulation({ seed: 4, trace: "off" });
    const make = (options: object) => () =>
      sim.addNode(`x${Math.random()}`, (ctx) => new RaftNode(ctx, options as never)).instance;
    const misplaced = make({ voters: ["a"], electionTimeoutMs: 300 });
    expect(misplaced).toThrow(RaftError);
    expect(misplaced).toThrow(/unknown RaftNode options key "electionTimeoutMs"/);
    expect(misplaced).toThrow(/inside `raft: \{ electionTimeoutMs \}`/);
    expect(misplaced).toThrow(/accepted keys: voters, join, raft, readMode/);
    expect(make({ voters: ["a"], snapshotThreshold: 10 })).toThrow(
      /unknown RaftNode options key "snapshotThreshold"/,
    );
  });

  it("unknown RaftConfig keys are refused, naming the key and the accepted ones", () => {
    expect(() => resolveRaftConfig({ electionTimeout: 300 } as never)).toThrow(
      /unknown raft config key "electionTimeout"; accepted keys: tickMs, electionTimeoutMs/,
    );
    expect(() => resolveRaftConfig({ heartbeatMs: 10 } as never)).toThrow(
      expect.objectContaining({ name: "RaftError", code: "invalid-config" }),
    );
    expect(resolveRaftConfig({ electionTimeoutMs: 300 }).electionTicks).toBe(30);
  });
});
