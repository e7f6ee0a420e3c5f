import { HashRing } from "@distkit/hashing";
import { type NodeRef, Simulation } from "@distkit/sim-net";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  type LwwState,
  lwwPolicy,
  MerkleTree,
  partitionerPlacement,
  QuorumClient,
  QuorumNode,
} from "../src/index.js";

/**
 * Two replicas (N = 2, so both hold every key). `base` keys are written to both; then n1 is cut off and
 * `extra` new keys are written on n2 alone, and `updated` base keys are rewritten on n1 alone, so the
 * replicas differ in exactly extra + updated keys. Anti-entropy starts after the partition heals.
 */
function twoReplicas(opts: { seed: number; depth: number; base: number; extra: number; updated: number }) {
  const placement = partitionerPlacement(HashRing.create(["n1", "n2"]));
  const sim = new Simulation({
    seed: opts.seed,
    network: { latency: { kind: "uniform", minMs: 0.5, maxMs: 2 } },
    trace: "off",
  });
  const nodes: NodeRef<QuorumNode<LwwState>>[] = ["n1", "n2"].map((id) =>
    sim.addNode(
      id,
      (ctx) =>
        new QuorumNode<LwwState>(ctx, {
          placement,
          policy: lwwPolicy(),
          n: 2,
          r: 1,
          w: 1,
          readRepair: "off",
          timeoutMs: 30,
          // First round somewhere in [0, 10 s): long after the setup below (which ends at 400 ms) with
          // high probability; the assertions below do not depend on it.
          antiEntropy: { intervalMs: 10_000, depth: opts.depth },
        }),
    ),
  );
  const c1 = sim.addNode("c1", (ctx) => new QuorumClient(ctx, { placement, coordinators: ["n1"], n: 2 }));
  const c2 = sim.addNode("c2", (ctx) => new QuorumClient(ctx, { placement, coordinators: ["n2"], n: 2 }));
  const base = Array.from({ length: opts.base }, (_, i) => `base-${i}`);
  const extra = Array.from({ length: opts.extra }, (_, i) => `extra-${i}`);
  const updated = base.slice(0, opts.updated);
  sim.schedule(1, () => {
    for (const k of base) c1.instance.put(k, `v0-${k}`, { w: "ALL", timestampMs: 1 });
  });
  sim.schedule(100, () => sim.partition(["n1", "c1"], ["n2", "c2"]));
  sim.schedule(150, () => {
    for (const k of extra) c2.instance.put(k, `new-${k}`, { w: 1, timestampMs: 2 });
    for (const k of updated) c1.instance.put(k, `v1-${k}`, { w: 1, timestampMs: 3 });
  });
  sim.schedule(400, () => sim.heal());
  return { sim, nodes, keys: [...base, ...extra], differing: [...extra, ...updated] };
}

function diverged(nodes: readonly NodeRef<QuorumNode<LwwState>>[], keys: readonly string[]): string[] {
  const [a, b] = nodes.map((n) => n.instance);
  return keys.filter((k) => a!.localDigest(k) !== b!.localDigest(k));
}

const total = (nodes: readonly NodeRef<QuorumNode<LwwState>>[], stat: "rounds" | "hashes" | "keys"): number =>
  nodes.reduce((s, n) => {
    const st = n.instance.stats;
    return (
      s +
      (stat === "rounds"
        ? st.antiEntropyRounds
        : stat === "hashes"
          ? st.antiEntropyHashesSent
          : st.antiEntropyKeysStreamed)
    );
  }, 0);

describe("level-by-level Merkle anti-entropy", () => {
  it("replicas that differ in k keys converge, streaming only the differing keys", () => {
    const run = twoReplicas({ seed: 5, depth: 4, base: 300, extra: 6, updated: 4 });
    run.sim.runFor(500);
    // The setup produced exactly the intended divergence.
    expect(diverged(run.nodes, run.keys).sort()).toEqual([...run.differing].sort());
    run.sim.runFor(30_000);
    expect(diverged(run.nodes, run.keys)).toEqual([]);
    // New keys on n2 stream once (n2 -> n1); keys both hold in different versions stream both ways, so
    // each differing key costs at most 2 per comparing round. With 16 leaves, a whole-leaf exchange would
    // have streamed about 300 / 16 = 19 keys per differing key.
    const streamed = total(run.nodes, "keys");
    expect(streamed).toBeGreaterThanOrEqual(run.differing.length);
    expect(streamed).toBeLessThanOrEqual(2 * 6 + 2 * 2 * 4);
    // The rewritten keys converged to the newer (higher timestamp) version on both sides.
    for (const n of run.nodes) expect(n.instance.localValues("base-0")).toEqual(["v1-base-0"]);
  });

  it("identical replicas exchange only the root hash per round", () => {
    const run = twoReplicas({ seed: 6, depth: 8, base: 200, extra: 0, updated: 0 });
    run.sim.runFor(60_000);
    const rounds = total(run.nodes, "rounds");
    expect(rounds).toBeGreaterThanOrEqual(10);
    expect(total(run.nodes, "hashes")).toBe(rounds);
    expect(total(run.nodes, "keys")).toBe(0);
  });

  it("one differing key costs about depth x fan-out hashes, far below the tree size", () => {
    const depth = 10;
    const run = twoReplicas({ seed: 7, depth, base: 500, extra: 1, updated: 0 });
    run.sim.runFor(500);
    expect(diverged(run.nodes, run.keys)).toEqual(["extra-0"]);
    const roundsBefore = total(run.nodes, "rounds");
    const hashesBefore = total(run.nodes, "hashes");
    run.sim.runFor(30_000);
    expect(diverged(run.nodes, run.keys)).toEqual([]);
    const rounds = total(run.nodes, "rounds") - roundsBefore;
    // Every round sends the root; a round that finds the difference adds 2 hashes (fan-out 2) per level.
    const beyondRoots = total(run.nodes, "hashes") - hashesBefore - rounds;
    const perDescent = depth * 2;
    expect(beyondRoots).toBeGreaterThanOrEqual(perDescent);
    // At most both replicas' first rounds overlap and both descend.
    expect(beyondRoots).toBeLessThanOrEqual(2 * perDescent);
    const treeSize = MerkleTree.build([], depth).size;
    expect(treeSize).toBe(2 ** (depth + 1) - 1);
    expect(1 + perDescent).toBeLessThan(treeSize / 50);
    expect(total(run.nodes, "keys")).toBe(1);
  });
});

/** The level-by-level descent of anti-entropy, run locally: the differing leaves and the hashes sent. */
function descend(a: MerkleTree, b: MerkleTree): { leaves: number[]; hashes: number } {
  let level = [0];
  let hashes = 1;
  const leaves: number[] = [];
  for (let d = 0; d <= a.depth && level.length > 0; d++) {
    const differing = a.differingNodes(
      level,
      level.map((i) => b.hashAt(i)),
    );
    leaves.push(...differing.filter((i) => a.isLeaf(i)).map((i) => i - a.firstLeaf));
    const inner = differing.filter((i) => !a.isLeaf(i));
    level = inner.length > 0 ? a.childrenOf(inner) : [];
    hashes += level.length;
  }
  return { leaves: leaves.sort((x, y) => x - y), hashes };
}

const entriesArb = fc.uniqueArray(
  fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 4 })),
  {
    selector: ([k]) => k,
    maxLength: 60,
  },
);

describe("MerkleTree level-by-level descent", () => {
  test.prop([entriesArb, entriesArb, fc.integer({ min: 0, max: 10 })], { numRuns: 60 })(
    "finds exactly the leaves diff() finds",
    (xs, ys, depth) => {
      const a = MerkleTree.build(xs, depth);
      const b = MerkleTree.build(ys, depth);
      expect(descend(a, b).leaves).toEqual(a.diff(b));
    },
  );

  test.prop(
    [entriesArb, fc.integer({ min: 0, max: 12 }), fc.nat(), fc.string({ minLength: 1, maxLength: 3 })],
    {
      numRuns: 60,
    },
  )(
    "one changed key costs 1 + 2 x depth hashes; equal trees cost the root only",
    (xs, depth, pick, suffix) => {
      fc.pre(xs.length > 0);
      const i = pick % xs.length;
      const changed = xs.map((e, j) => (j === i ? ([e[0], e[1] + suffix] as [string, string]) : e));
      const a = MerkleTree.build(xs, depth);
      expect(descend(a, MerkleTree.build(xs, depth)).hashes).toBe(1);
      expect(descend(a, MerkleTree.build(changed, depth)).hashes).toBe(1 + 2 * depth);
    },
  );

  it("rejects out-of-range nodes and mismatched hash lists", () => {
    const a = MerkleTree.build([["k", "v"]], 3);
    expect(a.size).toBe(15);
    expect(() => a.hashAt(a.size)).toThrow(/out of range/);
    expect(() => a.differingNodes([0], [])).toThrow(/one hash per Merkle node/);
  });
});
