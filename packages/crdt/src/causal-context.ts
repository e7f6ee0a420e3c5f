import { DecodeError, invariant } from "./errors.js";
import { asArray, asNat, asReplicaId, compareStrings, type ReplicaId } from "./json.js";

/**
 * A dot: the unique identifier `(replica, counter)` of one update event. Counters start at 1.
 *
 * @example
 * ```ts
 * import type { Dot } from "@distkit/crdt";
 * const d: Dot = { replicaId: "a", counter: 1 };
 * ```
 */
export interface Dot {
  /** The replica that created the event. */
  readonly replicaId: ReplicaId;
  /** The replica's event counter (1, 2, ...). */
  readonly counter: number;
}

/** Encoded form of a causal context. @internal */
export interface CausalContextJson {
  readonly vv: readonly (readonly [string, number])[];
  readonly cloud: readonly (readonly [string, readonly number[]])[];
}

/**
 * A compact causal context (Almeida et al., delta-state CRDTs): the set of dots a state has seen,
 * stored as a version vector (all counters `1..n` per replica) plus a "dot cloud" of seen dots beyond it.
 * Joining contexts compacts the cloud into the vector whenever counters become contiguous.
 *
 * @example
 * ```ts
 * import { CausalContext } from "@distkit/crdt";
 * const cc = new CausalContext();
 * cc.add("a", 1);
 * cc.add("a", 3);
 * cc.has("a", 2); // false
 * cc.add("a", 2);
 * cc.versionVector(); // Map { "a" => 3 }
 * ```
 */
export class CausalContext {
  private readonly vv = new Map<ReplicaId, number>();
  private readonly cloud = new Map<ReplicaId, Set<number>>();

  /** `true` iff the dot has been seen. */
  has(replicaId: ReplicaId, counter: number): boolean {
    if (counter <= (this.vv.get(replicaId) ?? 0)) return true;
    return this.cloud.get(replicaId)?.has(counter) ?? false;
  }

  /** Marks a dot as seen (and compacts). */
  add(replicaId: ReplicaId, counter: number): void {
    invariant(Number.isSafeInteger(counter) && counter >= 1, "dot counters are positive integers");
    const base = this.vv.get(replicaId) ?? 0;
    if (counter <= base) return;
    if (counter === base + 1) {
      let next = counter;
      const cl = this.cloud.get(replicaId);
      if (cl !== undefined) {
        while (cl.delete(next + 1)) next++;
        if (cl.size === 0) this.cloud.delete(replicaId);
      }
      this.vv.set(replicaId, next);
      return;
    }
    let cl = this.cloud.get(replicaId);
    if (cl === undefined) {
      cl = new Set();
      this.cloud.set(replicaId, cl);
    }
    cl.add(counter);
  }

  /** The next counter `replicaId` should use: one past the highest contiguous counter seen from it. */
  nextCounter(replicaId: ReplicaId): number {
    let n = (this.vv.get(replicaId) ?? 0) + 1;
    const cl = this.cloud.get(replicaId);
    if (cl !== undefined) for (const c of cl) if (c >= n) n = c + 1;
    return n;
  }

  /** Joins another context into this one (set union). */
  join(other: CausalContext): void {
    for (const [r, n] of other.vv) {
      const mine = this.vv.get(r) ?? 0;
      if (n > mine) {
        this.vv.set(r, n);
        const cl = this.cloud.get(r);
        if (cl !== undefined) {
          for (const c of cl) if (c <= n) cl.delete(c);
          let next = n;
          while (cl.delete(next + 1)) next++;
          this.vv.set(r, next);
          if (cl.size === 0) this.cloud.delete(r);
        }
      }
    }
    for (const [r, cl] of other.cloud) for (const c of cl) this.add(r, c);
  }

  /** `true` iff every dot of this context is in `other`. */
  leq(other: CausalContext): boolean {
    for (const [r, n] of this.vv) {
      const theirs = other.vv.get(r) ?? 0;
      if (n > theirs) {
        for (let c = theirs + 1; c <= n; c++) if (!other.has(r, c)) return false;
      }
    }
    for (const [r, cl] of this.cloud) for (const c of cl) if (!other.has(r, c)) return false;
    return true;
  }

  /** The version-vector part (replica to highest contiguous counter). */
  versionVector(): ReadonlyMap<ReplicaId, number> {
    return new Map(this.vv);
  }

  /** Number of dots held outside the version vector (the cloud). */
  get cloudSize(): number {
    let n = 0;
    for (const cl of this.cloud.values()) n += cl.size;
    return n;
  }

  /** A deep copy. */
  clone(): CausalContext {
    const c = new CausalContext();
    for (const [r, n] of this.vv) c.vv.set(r, n);
    for (const [r, cl] of this.cloud) c.cloud.set(r, new Set(cl));
    return c;
  }

  /** Deterministic JSON form. @internal */
  toJson(): CausalContextJson {
    const vv = [...this.vv].sort((x, y) => compareStrings(x[0], y[0]));
    const cloud = [...this.cloud]
      .map(([r, cl]) => [r, [...cl].sort((x, y) => x - y)] as const)
      .sort((x, y) => compareStrings(x[0], y[0]));
    return { vv, cloud };
  }

  /** Parses the JSON form; throws DecodeError. @internal */
  static fromJson(json: unknown, what: string): CausalContext {
    if (typeof json !== "object" || json === null) throw new DecodeError(`${what}: expected an object`);
    const o = json as Record<string, unknown>;
    const cc = new CausalContext();
    for (const e of asArray(o["vv"], `${what}.vv`)) {
      const pair = asArray(e, `${what}.vv entry`);
      if (pair.length !== 2) throw new DecodeError(`${what}.vv: entries are [replicaId, counter]`);
      const r = asReplicaId(pair[0], `${what}.vv replica`);
      const n = asNat(pair[1], `${what}.vv counter`);
      if (cc.vv.has(r)) throw new DecodeError(`${what}.vv: duplicate replica ${JSON.stringify(r)}`);
      if (n > 0) cc.vv.set(r, n);
    }
    for (const e of asArray(o["cloud"], `${what}.cloud`)) {
      const pair = asArray(e, `${what}.cloud entry`);
      if (pair.length !== 2) throw new DecodeError(`${what}.cloud: entries are [replicaId, counters[]]`);
      const r = asReplicaId(pair[0], `${what}.cloud replica`);
      for (const c of asArray(pair[1], `${what}.cloud counters`)) {
        const n = asNat(c, `${what}.cloud counter`);
        if (n === 0) throw new DecodeError(`${what}.cloud: counters start at 1`);
        cc.add(r, n);
      }
    }
    return cc;
  }
}
