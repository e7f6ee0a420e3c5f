import { CheckError } from "./errors.js";
import type { History, Operation } from "./history.js";
import { formatValue } from "./history.js";
import { casInput } from "./register-model.js";

/** A register/kv operation seen as a read or a write of one key. @internal */
export interface Access<I, O> {
  readonly op: Operation<I, O>;
  readonly kind: "read" | "write";
  readonly key: string;
  /** The value read, or written. */
  readonly value: unknown;
}

function keyOf(input: unknown): { key: string; value: unknown } | undefined {
  if (typeof input === "object" && input !== null && !Array.isArray(input) && "key" in input) {
    const r = input as { key: unknown; value?: unknown };
    if (typeof r.key === "string" || typeof r.key === "number") return { key: String(r.key), value: r.value };
  }
  return undefined;
}

/**
 * Classifies register (read/write/cas) and kv (get/put) operations as reads and writes of keys
 * (a register is the key ""). Successful cas writes its `to`. Other functions (append, ...) are not
 * supported by value-based checks and throw.
 * @internal
 */
export function accessesOf<I, O>(history: History<I, O>): Access<I, O>[] {
  const out: Access<I, O>[] = [];
  for (const op of history) {
    const keyed = keyOf(op.input);
    const key = keyed?.key ?? "";
    switch (op.f) {
      case "read":
      case "get":
        if (op.status === "ok") out.push({ op, kind: "read", key, value: op.output ?? null });
        break;
      case "write":
      case "put":
        if (op.status !== "fail") out.push({ op, kind: "write", key, value: keyed ? keyed.value : op.input });
        break;
      case "cas":
        if (op.status === "ok" && op.output !== false) {
          out.push({ op, kind: "write", key, value: casInput(op as Operation<unknown, unknown>).to });
        }
        break;
      default:
        throw new CheckError(
          "unknown-function",
          `op ${op.id}: ${JSON.stringify(op.f)} is not a register/kv read or write; value-based checks accept read, write, cas, get, put`,
        );
    }
  }
  return out;
}

/** A canonical string for a written value (for unique-value lookup). @internal */
export function valueKey(v: unknown): string {
  return typeof v === "string" ? `s${v}` : `v${formatValue(v)}`;
}

/**
 * Version order per key: index 0 is the initial value; writes follow in the given order, or by
 * completion time (`info` writes by invocation time). @internal
 */
export interface Versions<I, O> {
  /** key -> (value key -> version number, 1-based; the initial value is 0). */
  readonly versionOf: Map<string, Map<string, number>>;
  /** key -> writes in version order (index i is version i+1). */
  readonly writes: Map<string, Access<I, O>[]>;
}

/** @internal */
export function buildVersions<I, O>(
  accesses: readonly Access<I, O>[],
  initial: unknown,
  versionOrder: ReadonlyMap<string, readonly unknown[]> | undefined,
): Versions<I, O> {
  const writes = new Map<string, Access<I, O>[]>();
  for (const a of accesses) {
    if (a.kind !== "write") continue;
    let list = writes.get(a.key);
    if (list === undefined) writes.set(a.key, (list = []));
    list.push(a);
  }
  const versionOf = new Map<string, Map<string, number>>();
  for (const [key, list] of writes) {
    const order = versionOrder?.get(key);
    const byValue = new Map<string, Access<I, O>>();
    for (const w of list) {
      const vk = valueKey(w.value);
      if (byValue.has(vk) || vk === valueKey(initial)) {
        throw new CheckError(
          "invalid-argument",
          `key ${JSON.stringify(key)}: value ${formatValue(w.value)} is written more than once (or equals the initial value); session and staleness checks need unique written values per key`,
        );
      }
      byValue.set(vk, w);
    }
    let sorted: Access<I, O>[];
    if (order !== undefined) {
      sorted = [];
      for (const v of order) {
        const w = byValue.get(valueKey(v));
        if (w !== undefined) sorted.push(w);
      }
      for (const w of list) if (!sorted.includes(w)) sorted.push(w);
    } else {
      const t = (a: Access<I, O>) => (a.op.status === "info" ? a.op.callMs : a.op.returnMs);
      sorted = list.slice().sort((a, b) => t(a) - t(b) || a.op.id - b.op.id);
    }
    writes.set(key, sorted);
    versionOf.set(key, new Map(sorted.map((w, i) => [valueKey(w.value), i + 1])));
  }
  return { versionOf, writes };
}

/** The version a read saw: 0 for the initial value, undefined for a value never written. @internal */
export function versionRead<I, O>(
  v: Versions<I, O>,
  key: string,
  value: unknown,
  initial: unknown,
): number | undefined {
  const n = v.versionOf.get(key)?.get(valueKey(value));
  if (n !== undefined) return n;
  return valueKey(value) === valueKey(initial) ? 0 : undefined;
}
