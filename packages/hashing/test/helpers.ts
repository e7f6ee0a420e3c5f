import { expect } from "vitest";
import {
  applyPlan,
  HashRing,
  JumpHash,
  MaglevHash,
  ModNPartitioner,
  type Partitioner,
  RangePartitioner,
  RendezvousHash,
  SlotPartitioner,
  type MemberInput,
  planRebalance,
  unitContains,
} from "../src/index.js";

/** A partitioner family under test, with what the tests may expect of it. */
export interface Family {
  readonly name: string;
  readonly create: (members: readonly MemberInput[]) => Partitioner;
  /** Placement depends on member order (jump, mod-N): determinism is per ordered list. */
  readonly ordered: boolean;
  /** Only integer weights. */
  readonly integerWeights: boolean;
  /** Adding a member moves keys only to it (monotone). */
  readonly monotoneAdd: boolean;
  /** Bound on moved fraction / ideal fraction when adding one member to n (minimal-disruption algorithms). */
  readonly addExcessBound: number | null;
}

export const families: readonly Family[] = [
  {
    name: "mod-n",
    create: (ms) => ModNPartitioner.create(ms),
    ordered: true,
    integerWeights: true,
    monotoneAdd: false,
    addExcessBound: null,
  },
  {
    name: "ring",
    create: (ms) => HashRing.create(ms, { vnodesPerWeight: 64 }),
    ordered: false,
    integerWeights: false,
    monotoneAdd: true,
    addExcessBound: 2.2,
  },
  {
    name: "ring-balanced",
    create: (ms) => HashRing.create(ms, { vnodesPerWeight: 64, balanceRounds: 2 }),
    ordered: false,
    integerWeights: false,
    monotoneAdd: false,
    addExcessBound: 3,
  },
  {
    name: "rendezvous",
    create: (ms) => RendezvousHash.create(ms),
    ordered: false,
    integerWeights: false,
    monotoneAdd: true,
    addExcessBound: 1.45,
  },
  {
    name: "jump",
    create: (ms) => JumpHash.create(ms),
    ordered: true,
    integerWeights: true,
    monotoneAdd: true,
    addExcessBound: 1.45,
  },
  {
    name: "maglev",
    create: (ms) => MaglevHash.create(ms, { tableSize: 1009 }),
    ordered: false,
    integerWeights: false,
    monotoneAdd: false,
    addExcessBound: 2.2,
  },
  {
    name: "range-by-hash",
    create: (ms) => RangePartitioner.byHash(ms),
    ordered: false,
    integerWeights: false,
    monotoneAdd: true,
    addExcessBound: 1.45,
  },
  {
    name: "slots-redis",
    create: (ms) => SlotPartitioner.create(ms),
    ordered: false,
    integerWeights: false,
    monotoneAdd: true,
    addExcessBound: 1.45,
  },
  {
    name: "slots-riak",
    create: (ms) => SlotPartitioner.create(ms, { slotting: "hash-range", slotCount: 256 }),
    ordered: false,
    integerWeights: false,
    monotoneAdd: true,
    addExcessBound: 1.6,
  },
];

/** Deterministic keys: no randomness in tests beyond fast-check's seeded generators. */
export function keys(count: number, prefix = "key"): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}:${i}:${(i * 2654435761) >>> 0}`);
}

export function memberIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `node-${i}`);
}

/** Every key is in exactly the move that takes it from its old owner to its new one, or in none. */
export function expectPlanExact(before: Partitioner, after: Partitioner, ks: readonly string[]): void {
  const plan = planRebalance(before, after);
  for (const k of ks) {
    const from = before.locate(k);
    const to = after.locate(k);
    const containing = plan.moves.filter((m) => unitContains(m.unit, k));
    if (from === to) {
      expect(containing).toEqual([]);
    } else {
      expect(containing.length).toBe(1);
      expect(containing[0]!.from).toBe(from);
      expect(containing[0]!.to).toBe(to);
    }
    expect(applyPlan(plan, k, from)).toBe(to);
  }
}
