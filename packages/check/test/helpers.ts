import type { History, Model } from "../src/index.js";
import { valuesEqual } from "../src/index.js";

/**
 * Independent validation of a claimed linearization (ids in order): it respects real time, and the
 * model accepts the operations in that order. Returns a problem description, or undefined when valid.
 */
export function validateLinearization<S, I, O>(
  history: History<I, O>,
  model: Model<S, I, O>,
  order: readonly number[],
): string | undefined {
  const seen = new Set<number>();
  for (let j = 0; j < order.length; j++) {
    const b = history[order[j]!]!;
    if (seen.has(b.id)) return `op ${b.id} appears twice`;
    seen.add(b.id);
    for (let i = 0; i < j; i++) {
      const a = history[order[i]!]!;
      if (b.returnMs < a.callMs)
        return `op ${b.id} returned before op ${a.id} was invoked but is ordered after it`;
    }
  }
  let states: S[] = [model.init()];
  for (const id of order) {
    const next: S[] = [];
    for (const s of states) {
      for (const t of model.step(s, history[id]!)) {
        if (!next.some((u) => (model.equal ?? valuesEqual)(u, t))) next.push(t);
      }
    }
    if (next.length === 0) return `model rejects op ${id} at its place`;
    states = next;
  }
  return undefined;
}

/** A deterministic PRNG (mulberry32) for simulations in tests. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
