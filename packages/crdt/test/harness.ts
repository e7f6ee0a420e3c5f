import fc from "fast-check";
import type { Crdt } from "../src/index.js";

/** Describes one CRDT type to the generic law tests. */
export interface Spec<C extends Crdt<C, unknown>> {
  readonly name: string;
  create(replicaId: string): C;
  decode(bytes: Uint8Array, replicaId: string): C;
  /** Random mutation: applies it to the state and returns the delta. */
  readonly op: fc.Arbitrary<Op<C>>;
}

export interface Op<C> {
  readonly label: string;
  apply(state: C): C;
}

export const REPLICAS = ["r0", "r1", "r2"] as const;

export type Step<C> = { kind: "op"; at: number; op: Op<C> } | { kind: "merge"; into: number; from: number };

export function stepArb<C extends Crdt<C, unknown>>(spec: Spec<C>): fc.Arbitrary<Step<C>> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("op" as const), at: fc.nat(2), op: spec.op }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("merge" as const), into: fc.nat(2), from: fc.nat(2) }),
    },
  );
}

/** Runs steps on three replicas; returns their states and, per replica, the deltas it produced. */
export function runSteps<C extends Crdt<C, unknown>>(
  spec: Spec<C>,
  steps: readonly Step<C>[],
): { states: C[] } {
  const states = REPLICAS.map((r) => spec.create(r));
  for (const s of steps) {
    if (s.kind === "op") s.op.apply(states[s.at] as C);
    else (states[s.into] as C).merge(states[s.from] as C);
  }
  return { states };
}

export function join<C extends Crdt<C, unknown>>(a: C, b: C): C {
  return a.clone().merge(b);
}

/** Deterministic shuffle from a seed (mulberry32), for test-side delivery orders. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let t = seed >>> 0;
  const rnd = (): number => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = t;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
