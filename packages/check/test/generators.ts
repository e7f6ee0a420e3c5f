import fc from "fast-check";
import type { History, Operation } from "../src/index.js";

/** One planned operation: which process, what, and timing knobs. */
export interface PlannedOp {
  readonly proc: number;
  readonly kind: number; // chooses the function
  readonly key: number;
  readonly gapMs: number;
  readonly durMs: number;
  readonly pointFrac: number; // where in [call, return] it takes effect
  readonly info: number; // 0: ok; 1: info that took effect; 2: info that never took effect
}

export const plannedOps = (maxOps: number, maxProcs: number, keys = 1) =>
  fc.array(
    fc.record({
      proc: fc.nat({ max: maxProcs - 1 }),
      kind: fc.nat({ max: 99 }),
      key: fc.nat({ max: keys - 1 }),
      gapMs: fc.integer({ min: 0, max: 5 }),
      durMs: fc.integer({ min: 1, max: 20 }),
      pointFrac: fc.double({ min: 0, max: 1, noNaN: true }),
      info: fc.oneof(
        { weight: 8, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.constantFrom(1, 2) },
      ),
    }),
    { maxLength: maxOps },
  );

interface Timed {
  plan: PlannedOp;
  callMs: number;
  returnMs: number;
  pointMs: number;
  index: number;
}

/** Lays the planned operations out in time: each process runs its operations one after another. */
function layout(plan: readonly PlannedOp[]): Timed[] {
  const clock = new Map<number, number>();
  const retired = new Set<number>(); // a process that saw `info` never runs again (Jepsen)
  const out: Timed[] = [];
  plan.forEach((p, index) => {
    if (retired.has(p.proc)) return;
    const callMs = (clock.get(p.proc) ?? 0) + p.gapMs + 0.001 * index; // distinct times
    const returnMs = callMs + p.durMs;
    clock.set(p.proc, returnMs);
    if (p.info !== 0) retired.add(p.proc);
    out.push({ plan: p, callMs, returnMs, pointMs: callMs + p.pointFrac * p.durMs, index });
  });
  return out;
}

/** An object implemented directly (independently of the models under test). */
export interface Impl {
  /** Chooses f and input for a planned op; `fresh` is a unique number. */
  make(p: PlannedOp, fresh: number): { f: string; input: unknown };
  /** Applies it atomically, returning the output. */
  apply(f: string, input: unknown): unknown;
}

/**
 * Executes the planned operations atomically at their linearization points on `impl` and returns
 * the resulting history (in invocation order). `info` ops either take effect (output lost) or never.
 */
export function atomicHistory(plan: readonly PlannedOp[], impl: Impl): History {
  const timed = layout(plan);
  const made = timed.map((t, i) => impl.make(t.plan, i + 1));
  const outputs = new Map<number, unknown>();
  const byPoint = timed.map((_, i) => i).sort((a, b) => timed[a]!.pointMs - timed[b]!.pointMs || a - b);
  for (const i of byPoint) {
    const t = timed[i]!;
    if (t.plan.info === 2) continue;
    outputs.set(i, impl.apply(made[i]!.f, made[i]!.input));
  }
  const order = timed.map((_, i) => i).sort((a, b) => timed[a]!.callMs - timed[b]!.callMs || a - b);
  return order.map((i, id): Operation => {
    const t = timed[i]!;
    const info = t.plan.info !== 0;
    return {
      id,
      process: t.plan.proc,
      f: made[i]!.f,
      input: made[i]!.input,
      output: info ? undefined : outputs.get(i),
      status: info ? "info" : "ok",
      callMs: t.callMs,
      returnMs: info ? Number.POSITIVE_INFINITY : t.returnMs,
    };
  });
}

export function registerImpl(withCas: boolean): Impl {
  let value: unknown = null;
  return {
    make(p, fresh) {
      if (p.kind < 45) return { f: "read", input: null };
      if (!withCas || p.kind < 80) return { f: "write", input: fresh };
      return { f: "cas", input: [p.kind % 2 === 0 ? value : fresh - 1, fresh] };
    },
    apply(f, input) {
      if (f === "read") return value;
      if (f === "write") {
        value = input;
        return undefined;
      }
      const [from, to] = input as [unknown, unknown];
      if (from === value) {
        value = to;
        return true;
      }
      return false;
    },
  };
}

export function kvImpl(): Impl {
  const store = new Map<string, string>();
  return {
    make(p, fresh) {
      const key = `k${p.key}`;
      if (p.kind < 40) return { f: "get", input: { key, value: null } };
      if (p.kind < 60) return { f: "put", input: { key, value: `p${fresh};` } };
      return { f: "append", input: { key, value: `a${fresh};` } };
    },
    apply(f, input) {
      const { key, value } = input as { key: string; value: string | null };
      if (f === "get") return store.get(key) ?? "";
      store.set(key, f === "put" ? value! : (store.get(key) ?? "") + value!);
      return undefined;
    },
  };
}

export function queueImpl(): Impl {
  const q: unknown[] = [];
  return {
    make: (p, fresh) => (p.kind < 50 ? { f: "enqueue", input: fresh } : { f: "dequeue", input: null }),
    apply(f, input) {
      if (f === "enqueue") {
        q.push(input);
        return undefined;
      }
      return q.length === 0 ? null : q.shift();
    },
  };
}

export function counterImpl(): Impl {
  let n = 0;
  return {
    make: (p) => (p.kind < 50 ? { f: "add", input: (p.kind % 3) + 1 } : { f: "read", input: null }),
    apply(f, input) {
      if (f === "add") {
        n += input as number;
        return undefined;
      }
      return n;
    },
  };
}
