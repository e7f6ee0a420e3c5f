import { PNCounter } from "@distkit/crdt";
import { fc } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import type { ConflictPolicy, CrdtValueType, JsonValue, Topology } from "../src/index.js";
import { multiLeaderCluster } from "./ml-helpers.js";

const LEADERS = ["a", "b", "c"] as const;

const counter: CrdtValueType<PNCounter> = {
  type: PNCounter.type(),
  apply: (state, op) => (Number(op) < 0 ? state.decrement(-Number(op)) : state.increment(Number(op))),
};

const unionMerge = (siblings: readonly JsonValue[]): JsonValue =>
  [...new Set(siblings.flatMap((v) => (Array.isArray(v) ? v : [v])).map(String))].sort();

const POLICIES: readonly ConflictPolicy[] = [
  { kind: "lww" },
  { kind: "siblings" },
  { kind: "merge", merge: unionMerge },
  { kind: "crdt", crdt: counter },
];
const TOPOLOGIES: readonly Topology[] = [
  { kind: "all-to-all" },
  { kind: "circular" },
  { kind: "star", hub: "b" },
];

describe("convergence after partitions heal", () => {
  for (const conflict of POLICIES) {
    for (const topology of TOPOLOGIES) {
      it(`${conflict.kind} over ${topology.kind}: every leader and follower converges`, () => {
        fc.assert(
          fc.property(
            fc.integer({ min: 1, max: 1_000_000 }),
            fc.array(
              fc.record({
                atMs: fc.integer({ min: 0, max: 400 }),
                leader: fc.constantFrom(...LEADERS),
                key: fc.constantFrom("x", "y", "z"),
                value: fc.integer({ min: -5, max: 5 }),
              }),
              { minLength: 1, maxLength: 25 },
            ),
            fc.constantFrom<readonly (readonly string[])[]>(
              [["a"], ["b", "c", "fa", "fc"]],
              [
                ["a", "b", "fa"],
                ["c", "fc"],
              ],
            ),
            fc.boolean(),
            (seed, writes, groups, causal) => {
              const c = multiLeaderCluster(
                {
                  leaders: [...LEADERS],
                  followers: { a: ["fa"], c: ["fc"] },
                  topology,
                  conflict,
                  causalDelivery: causal,
                },
                { seed },
              );
              c.sim.partition(...groups);
              for (const w of writes) {
                c.sim.schedule(w.atMs, () => {
                  c.node(w.leader).write(w.key, conflict.kind === "crdt" ? "crdt" : "put", w.value);
                });
              }
              c.sim.runFor(500);
              c.sim.heal();
              c.sim.runFor(1500);
              const snaps = c.snapshots();
              expect(new Set(snaps).size).toBe(1);
              for (const id of c.all) expect(c.node(id).stats().buffered).toBe(0);
              if (conflict.kind === "crdt") {
                const sums: Record<string, number> = {};
                for (const w of writes) sums[w.key] = (sums[w.key] ?? 0) + w.value;
                expect(JSON.parse(snaps[0]!)).toEqual(sums);
              }
            },
          ),
          { numRuns: 8 },
        );
      });
    }
  }
});

describe("last write wins", () => {
  it("lost updates equal the writes of the side whose clock is behind, at every node", () => {
    // b and c run 1 s ahead: every write of theirs beats a's concurrent writes to the same key.
    const c = multiLeaderCluster(
      { leaders: [...LEADERS], topology: { kind: "all-to-all" }, conflict: { kind: "lww" } },
      { clockOffsets: { b: 1000, c: 1000 } },
    );
    c.sim.partition(["a"], ["b", "c"]);
    const plan: [string, string, number][] = [
      ["a", "x", 1],
      ["a", "x", 2],
      ["a", "y", 3],
      ["b", "x", 10],
      ["c", "y", 20],
      ["c", "y", 21],
      ["a", "z", 5], // no concurrent write to z: not lost
    ];
    plan.forEach(([leader, key, value], i) => {
      c.sim.schedule(10 + i * 10, () => c.node(leader).write(key, "put", value));
    });
    c.sim.runFor(200);
    c.sim.heal();
    c.sim.runFor(500);
    // Predicted: a's two writes of x lose to b's; a's write of y loses to c's; c's y=20 was
    // overwritten by c's own y=21, which had seen it: not lost. z survives.
    for (const id of LEADERS) {
      expect(c.node(id).snapshot()).toEqual({ x: 10, y: 21, z: 5 });
      expect(c.node(id).stats().lostUpdates).toBe(3);
    }
  });

  it("a write that had seen the previous value is not a lost update", () => {
    const c = multiLeaderCluster({
      leaders: [...LEADERS],
      topology: { kind: "all-to-all" },
      conflict: { kind: "lww" },
    });
    c.sim.schedule(1, () => c.node("a").write("x", "put", 1));
    c.sim.schedule(50, () => c.node("b").write("x", "put", 2));
    c.sim.schedule(100, () => c.node("c").write("x", "put", 3));
    c.sim.runFor(300);
    for (const id of LEADERS) expect(c.node(id).stats()).toMatchObject({ lostUpdates: 0, conflicts: 0 });
  });
});

describe("version vectors, merge functions and CRDTs", () => {
  function concurrentWrites(conflict: ConflictPolicy) {
    const c = multiLeaderCluster({ leaders: [...LEADERS], topology: { kind: "all-to-all" }, conflict });
    c.sim.schedule(1, () => {
      c.node("a").write("cart", "put", "milk");
      c.node("b").write("cart", "put", "eggs");
    });
    c.sim.runFor(100);
    return c;
  }

  it("siblings keeps both concurrent values everywhere, and a write that saw them replaces them", () => {
    const c = concurrentWrites({ kind: "siblings" });
    for (const id of LEADERS) expect(c.node(id).read("cart").siblings).toEqual(["milk", "eggs"]);
    c.sim.schedule(1, () => c.node("c").write("cart", "put", "milk+eggs"));
    c.sim.runFor(100);
    for (const id of LEADERS)
      expect(c.node(id).read("cart")).toEqual({ value: "milk+eggs", siblings: ["milk+eggs"] });
  });

  it("a merge function resolves siblings on read", () => {
    const c = concurrentWrites({ kind: "merge", merge: unionMerge });
    for (const id of LEADERS) expect(c.node(id).read("cart").value).toEqual(["eggs", "milk"]);
    expect(c.node("c").stats().conflicts).toBe(1);
  });

  it("CRDT counters add up concurrent increments", () => {
    const c = multiLeaderCluster({
      leaders: [...LEADERS],
      topology: { kind: "circular" },
      conflict: { kind: "crdt", crdt: counter },
    });
    c.sim.schedule(1, () => {
      c.node("a").write("likes", "crdt", 2);
      c.node("b").write("likes", "crdt", 3);
      c.node("c").write("likes", "crdt", -1);
    });
    c.sim.runFor(100);
    for (const id of LEADERS) expect(c.node(id).read("likes").value).toBe(4);
  });

  it("insert and update check the key at the leader taking the write", () => {
    const c = multiLeaderCluster({
      leaders: [...LEADERS],
      topology: { kind: "all-to-all" },
      conflict: { kind: "lww" },
    });
    expect(c.node("a").write("x", "update", 1)).toMatchObject({ outcome: "rejected" });
    expect(c.node("a").write("x", "insert", 1)).toMatchObject({ outcome: "ok" });
    expect(c.node("a").write("x", "insert", 2)).toMatchObject({ outcome: "rejected" });
  });
});

describe("topology failure modes", () => {
  function crashAndWrite(topology: Topology, crashed: string, writer: string) {
    const c = multiLeaderCluster({ leaders: ["a", "b", "c", "d"], topology, conflict: { kind: "lww" } });
    c.sim.crash(crashed);
    c.sim.schedule(1, () => c.node(writer).write("x", "put", writer));
    c.sim.runFor(1000);
    const got = ["a", "b", "c", "d"].filter((id) => id !== crashed && c.node(id).read("x").value === writer);
    return { c, got };
  }

  it("circular: one failed leader stops propagation past it", () => {
    const { c, got } = crashAndWrite({ kind: "circular" }, "b", "a");
    expect(got).toEqual(["a"]); // c and d sit behind b in the ring
    expect(c.node("a").stats().unacknowledged).toEqual({ b: 1 });
  });

  it("star: a failed hub stops all propagation", () => {
    const { got } = crashAndWrite({ kind: "star", hub: "b" }, "b", "a");
    expect(got).toEqual(["a"]);
  });

  it("all-to-all: a failed leader does not stop the others", () => {
    const { got } = crashAndWrite({ kind: "all-to-all" }, "b", "a");
    expect(got).toEqual(["a", "c", "d"]);
  });

  it("circular and star never send a change back to a leader it passed", () => {
    for (const topology of [{ kind: "circular" }, { kind: "star", hub: "c" }] as const) {
      const c = multiLeaderCluster({ leaders: ["a", "b", "c", "d"], topology, conflict: { kind: "lww" } });
      c.sim.schedule(1, () => c.node("a").write("x", "put", 1));
      c.sim.runFor(200);
      const totals = ["a", "b", "c", "d"].map((id) => c.node(id).stats());
      expect(totals.reduce((n, s) => n + s.duplicates, 0)).toBe(0);
      expect(totals.reduce((n, s) => n + s.applied, 0)).toBe(3);
      expect(totals.reduce((n, s) => n + s.loopsPrevented, 0)).toBe(1);
    }
  });

  function updateOvertakesInsert(causalDelivery: boolean) {
    const c = multiLeaderCluster({
      leaders: [...LEADERS],
      topology: { kind: "all-to-all" },
      conflict: { kind: "lww" },
      causalDelivery,
    });
    c.sim.setLink("a", "c", { latency: { kind: "constant", ms: 100 } });
    c.sim.schedule(1, () => c.node("a").write("row", "insert", "v1"));
    c.sim.schedule(20, () => c.node("b").write("row", "update", "v2"));
    c.sim.runFor(60);
    const midway = c.node("c").stats();
    c.sim.runFor(300);
    return { c, midway };
  }

  it("all-to-all: an update can arrive before the insert it depends on", () => {
    const { c, midway } = updateOvertakesInsert(false);
    expect(midway.updatesBeforeInsert).toBe(1);
    expect(c.node("c").stats().outOfCausalOrder).toBe(1);
  });

  it("all-to-all with causal delivery: the update waits for the insert", () => {
    const { c, midway } = updateOvertakesInsert(true);
    expect(midway).toMatchObject({ buffered: 1, updatesBeforeInsert: 0 });
    expect(c.node("c").stats()).toMatchObject({ buffered: 0, updatesBeforeInsert: 0, outOfCausalOrder: 0 });
    expect(c.node("c").read("row").value).toBe("v2");
  });
});

describe("crash and restart", () => {
  for (const topology of TOPOLOGIES) {
    it(`${topology.kind}: a restarted leader recovers its changes from disk and everyone converges`, () => {
      const c = multiLeaderCluster({
        leaders: [...LEADERS],
        followers: { b: ["fb"] },
        topology,
        conflict: { kind: "siblings" },
      });
      c.sim.schedule(1, () => {
        c.node("a").write("x", "put", "a1");
        c.node("b").write("y", "put", "b1");
      });
      c.sim.runFor(3);
      // b dies with changes half-propagated; the others keep writing while it is down.
      c.sim.crash("b");
      c.sim.schedule(5, () => c.node("c").write("z", "put", "c1"));
      c.sim.schedule(10, () => c.node("a").write("x", "put", "a2"));
      c.sim.runFor(300);
      c.sim.restart("b");
      expect(c.node("b").read("y").value).toBe("b1");
      c.sim.schedule(1, () => c.node("b").write("y", "put", "b2"));
      c.sim.runFor(1000);
      const snaps = c.snapshots();
      expect(new Set(snaps).size).toBe(1);
      expect(JSON.parse(snaps[0]!)).toEqual({ x: "a2", y: "b2", z: "c1" });
    });
  }
});
