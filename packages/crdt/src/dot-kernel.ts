import { CausalContext } from "./causal-context.js";
import { DecodeError, invariant } from "./errors.js";
import {
  asArray,
  asJson,
  asNat,
  asReplicaId,
  compareStrings,
  decodeJsonDoc,
  encodeJsonDoc,
  field,
  type JsonValue,
  type ReplicaId,
} from "./json.js";

/** One live dot with its payload. @internal */
export interface KernelEntry<V> {
  readonly r: ReplicaId;
  readonly c: number;
  /** Group key (e.g. the canonical JSON of a set element). */
  readonly k: string;
  readonly v: V;
}

function dotKey(r: string, c: number): string {
  return `${c}\u0000${r}`;
}

/**
 * A dot store with a causal context (the "dot kernel" of delta-state CRDTs): a map from live dots to
 * payloads, grouped by a key, plus the set of all dots ever seen. Removing means forgetting the dots
 * while keeping them in the causal context, so nothing like a tombstone per element accumulates.
 * Shared machinery of the OR-Set, remove-wins set, MV-Register, flags and OR-Map. @internal
 */
export class DotKernel<V> {
  entries = new Map<string, KernelEntry<V>>();
  groups = new Map<string, Map<string, KernelEntry<V>>>();
  readonly cc: CausalContext;

  constructor(
    readonly keyOf: (v: V) => string,
    cc?: CausalContext,
  ) {
    this.cc = cc ?? new CausalContext();
  }

  private put(e: KernelEntry<V>): void {
    const dk = dotKey(e.r, e.c);
    this.entries.set(dk, e);
    let g = this.groups.get(e.k);
    if (g === undefined) {
      g = new Map();
      this.groups.set(e.k, g);
    }
    g.set(dk, e);
  }

  private drop(dk: string, e: KernelEntry<V>): void {
    this.entries.delete(dk);
    const g = this.groups.get(e.k);
    const removed = g?.delete(dk) ?? false;
    invariant(removed, "kernel group index out of sync");
    if (g?.size === 0) this.groups.delete(e.k);
  }

  /** Entries of one group. */
  group(k: string): Iterable<KernelEntry<V>> {
    return this.groups.get(k)?.values() ?? [];
  }

  /**
   * One value per group, picked from the group's entries (in insertion order) and sorted by group key;
   * groups for which `pick` returns `undefined` are left out.
   */
  sortedGroups<R>(pick: (entries: Iterable<KernelEntry<V>>) => R | undefined): R[] {
    const out: [string, R][] = [];
    for (const [k, g] of this.groups) {
      const r = pick(g.values());
      if (r !== undefined) out.push([k, r]);
    }
    return out.sort((x, y) => compareStrings(x[0], y[0])).map(([, r]) => r);
  }

  /** Delta that replaces all dots of group `keyOf(v)` by one new dot carrying `v`; applied to this. */
  replace(replicaId: ReplicaId, v: V, replaceAllGroups = false): DotKernel<V> {
    const k = this.keyOf(v);
    const delta = new DotKernel<V>(this.keyOf);
    const covered = replaceAllGroups ? this.entries.values() : this.group(k);
    for (const e of covered) delta.cc.add(e.r, e.c);
    const c = this.cc.nextCounter(replicaId);
    delta.put({ r: replicaId, c, k, v });
    delta.cc.add(replicaId, c);
    this.join(delta);
    return delta;
  }

  /** Delta that removes every dot of group `k` (or of all groups); applied to this. */
  remove(k: string | null): DotKernel<V> {
    const delta = new DotKernel<V>(this.keyOf);
    const covered = k === null ? this.entries.values() : this.group(k);
    for (const e of covered) delta.cc.add(e.r, e.c);
    this.join(delta);
    return delta;
  }

  /** In-place join. */
  join(other: DotKernel<V>): void {
    for (const [dk, e] of this.entries) {
      if (!other.entries.has(dk) && other.cc.has(e.r, e.c)) this.drop(dk, e);
    }
    for (const [dk, e] of other.entries) {
      if (!this.entries.has(dk) && !this.cc.has(e.r, e.c)) this.put(e);
    }
    this.cc.join(other.cc);
  }

  /** Lattice order: this <= other. */
  leq(other: DotKernel<V>): boolean {
    if (!this.cc.leq(other.cc)) return false;
    // A dot other still holds but this has seen and dropped means this removed something other has not.
    for (const [dk, e] of other.entries) {
      if (!this.entries.has(dk) && this.cc.has(e.r, e.c)) return false;
    }
    return true;
  }

  clone(): DotKernel<V> {
    const k = new DotKernel<V>(this.keyOf, this.cc.clone());
    k.entries = new Map(this.entries);
    for (const [key, g] of this.groups) k.groups.set(key, new Map(g));
    return k;
  }

  /** Deterministic JSON form. */
  toJson(encodeV: (v: V) => unknown): { cc: unknown; dots: unknown[] } {
    const dots = [...this.entries.values()]
      .sort((a, b) => compareStrings(a.r, b.r) || a.c - b.c)
      .map((e) => [e.r, e.c, encodeV(e.v)]);
    return { cc: this.cc.toJson(), dots };
  }

  /** The UTF-8 JSON document `{"t":kind,"v":1,"k":{cc,dots}}` of this kernel. */
  encodeDoc(kind: string, encodeV: (v: V) => unknown = (v) => v): Uint8Array {
    return encodeJsonDoc(kind, { k: this.toJson(encodeV) });
  }

  /** Parses a document written by {@link DotKernel.encodeDoc}; throws DecodeError. */
  static decodeDoc<V>(
    bytes: Uint8Array,
    kind: string,
    keyOf: (v: V) => string,
    decodeV: (raw: unknown, what: string) => V,
  ): DotKernel<V> {
    return DotKernel.fromJson<V>(field(decodeJsonDoc(bytes, kind), "k", kind), `${kind}.k`, keyOf, decodeV);
  }

  static fromJson<V>(
    json: unknown,
    what: string,
    keyOf: (v: V) => string,
    decodeV: (raw: unknown, what: string) => V,
  ): DotKernel<V> {
    if (typeof json !== "object" || json === null) throw new DecodeError(`${what}: expected an object`);
    const o = json as Record<string, unknown>;
    const kernel = new DotKernel<V>(keyOf, CausalContext.fromJson(o["cc"], `${what}.cc`));
    for (const raw of asArray(o["dots"], `${what}.dots`)) {
      const t = asArray(raw, `${what}.dots entry`);
      if (t.length !== 3) throw new DecodeError(`${what}.dots: entries are [replicaId, counter, value]`);
      const r = asReplicaId(t[0], `${what}.dots replica`);
      const c = asNat(t[1], `${what}.dots counter`);
      if (c === 0) throw new DecodeError(`${what}.dots: counters start at 1`);
      if (kernel.entries.has(dotKey(r, c))) throw new DecodeError(`${what}.dots: duplicate dot ${c}@${r}`);
      if (!kernel.cc.has(r, c))
        throw new DecodeError(`${what}.dots: dot ${c}@${r} is not in the causal context`);
      const v = decodeV(t[2], `${what}.dots value`);
      kernel.put({ r, c, k: keyOf(v), v });
    }
    return kernel;
  }
}

/** `true` iff the entries are non-empty and all satisfy `pred` (e.g. "observed and none removed"). @internal */
export function allLive<V>(entries: Iterable<KernelEntry<V>>, pred: (v: V) => boolean): boolean {
  let seen = false;
  for (const e of entries) {
    if (!pred(e.v)) return false;
    seen = true;
  }
  return seen;
}

/** Payload decoder for kernels whose payloads are plain JSON values. @internal */
export function jsonPayload<T extends JsonValue>(raw: unknown, what: string): T {
  return asJson(raw, what) as T;
}
