import { ByteReader, ByteWriter, Tag } from "./encoding.js";
import { ClocksError, assert, checkId } from "./errors.js";
import type { Ordering } from "./ordering.js";
import { decodeValue, type ValueCodec } from "./value-codec.js";
import { VersionVector } from "./version-vector.js";

/**
 * One entry of a {@link DVVSet}: replica `id` has issued `counter` dots for this key; `values` holds the
 * siblings still alive among them, newest first: `values[k]` carries the dot `(id, counter - k)`.
 *
 * @example
 * ```ts
 * import { DVVSet } from "@distkit/clocks";
 * DVVSet.new("v1").update("r1").entries(); // [{ id: "r1", counter: 1, values: ["v1"] }]
 * ```
 */
export interface DVVSetEntry<V> {
  /** Replica id. */
  readonly id: string;
  /** Number of dots replica `id` has issued that this clock knows of (>= values.length). */
  readonly counter: number;
  /** Live sibling values for the newest dots of this replica, newest first. */
  readonly values: readonly V[];
}

/**
 * JSON-friendly form of a {@link DVVSet}: `[id, counter, values]` triples sorted by id, plus anonymous values.
 *
 * @example
 * ```ts
 * import { DVVSet, type DVVSetJSON } from "@distkit/clocks";
 * const json: DVVSetJSON<string> = DVVSet.new("v1").toJSON();
 * const again = DVVSet.fromJSON(json);
 * ```
 */
export interface DVVSetJSON<V> {
  /** `[id, counter, values newest first]`, ids strictly ascending. */
  readonly entries: ReadonlyArray<readonly [string, number, readonly V[]]>;
  /** Values without a dot yet (a client's new write, or a reconciled value). */
  readonly anonymous: readonly V[];
}

type Entry<V> = DVVSetEntry<V>;

/**
 * A dotted version vector set (DVVSet; Gonçalves, Almeida, Baquero, Fonte: "Dotted Version Vectors:
 * Efficient Causality Tracking for Distributed Key-Value Stores", 2014; Riak's `dvvset`): the clock
 * *and* the concurrent values (siblings) of one key, in one compact structure about the size of a
 * version vector. Unlike a version vector per sibling, a write with a stale context replaces exactly
 * what its writer had seen: no false conflicts, and no sibling explosion.
 *
 * The API follows Riak's `dvvset.erl`: {@link DVVSet.new} (client-side: a value plus the context the
 * client read), {@link DVVSet.update} (server-side: give the new value a dot at this replica, discarding
 * what the context covers), {@link DVVSet.sync} (merge replicas' states), {@link DVVSet.join} (the
 * context to hand to clients), {@link DVVSet.values}, {@link DVVSet.reconcile}, {@link DVVSet.lww}.
 * Values are immutable; every operation returns a new set.
 *
 * @typeParam V - the stored value type
 *
 * @example
 * ```ts
 * import { DVVSet } from "@distkit/clocks";
 * // Two clients write with the same (empty) context: siblings.
 * let server = DVVSet.new("v1").update("r1");
 * const ctx = server.join();                               // a client reads v1 and its context
 * server = DVVSet.new("v2").update("r1", server);          // a blind write: concurrent with v1
 * server = DVVSet.new("v3", ctx).update("r1", server);     // replaces v1 (seen), keeps v2
 * server.values();                                         // ["v3", "v2"]
 * ```
 */
export class DVVSet<V> {
  private constructor(
    private readonly es: readonly Entry<V>[],
    private readonly anon: readonly V[],
  ) {}

  /**
   * A client-side clock holding one new `value` (in the anonymous slot) and the causal `context` the
   * client read (the output of {@link DVVSet.join}; default: empty, a blind write).
   *
   * @example
   * ```ts
   * import { DVVSet, VersionVector } from "@distkit/clocks";
   * DVVSet.new("v", VersionVector.from({ r1: 2 })).size; // 1
   * ```
   */
  static new<V>(value: V, context: VersionVector = VersionVector.empty()): DVVSet<V> {
    return DVVSet.newList([value], context);
  }

  /**
   * Like {@link DVVSet.new} with several anonymous values.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * DVVSet.newList(["a", "b"]).values(); // ["a", "b"]
   * ```
   */
  static newList<V>(values: readonly V[], context: VersionVector = VersionVector.empty()): DVVSet<V> {
    if (!(context instanceof VersionVector)) {
      throw new ClocksError("invalid-argument", "DVVSet.new: context must be a VersionVector (from join())");
    }
    const es: Entry<V>[] = [];
    for (const [id, counter] of context.entries()) es.push({ id, counter, values: [] });
    return new DVVSet(es, values.slice());
  }

  /**
   * An empty set: no history, no values (the identity of {@link DVVSet.sync}).
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * DVVSet.empty<string>().size; // 0
   * ```
   */
  static empty<V>(): DVVSet<V> {
    return new DVVSet<V>([], []);
  }

  /**
   * Merges many sets with {@link DVVSet.sync}: obsolete values are dropped, histories joined.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * const a = DVVSet.new("x").update("r1");
   * DVVSet.syncAll([a, DVVSet.new("y").update("r2")]).values(); // ["x", "y"]
   * ```
   */
  static syncAll<V>(sets: Iterable<DVVSet<V>>, valueEquals: (a: V, b: V) => boolean = Object.is): DVVSet<V> {
    let acc = DVVSet.empty<V>();
    for (const s of sets) acc = acc.sync(s, valueEquals);
    return acc;
  }

  /**
   * Rebuilds a set from {@link DVVSet.toJSON} output, validating it (ids strictly ascending, counters
   * positive safe integers, at most `counter` values per entry). Throws {@link ClocksError}
   * `invalid-argument` otherwise.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * DVVSet.fromJSON({ entries: [["r1", 1, ["v"]]], anonymous: [] }).values(); // ["v"]
   * ```
   */
  static fromJSON<V>(json: DVVSetJSON<V>): DVVSet<V> {
    if (
      json === null ||
      typeof json !== "object" ||
      !Array.isArray(json.entries) ||
      !Array.isArray(json.anonymous)
    ) {
      throw new ClocksError(
        "invalid-argument",
        "DVVSet.fromJSON: expected { entries: [id, counter, values][], anonymous: [] }",
      );
    }
    const es: Entry<V>[] = [];
    let prev: string | undefined;
    for (const e of json.entries) {
      if (!Array.isArray(e) || e.length !== 3 || !Array.isArray(e[2])) {
        throw new ClocksError(
          "invalid-argument",
          "DVVSet.fromJSON: each entry must be [id, counter, values[]]",
        );
      }
      const [id, counter, values] = e;
      checkId(id, "DVVSet.fromJSON: id");
      if (prev !== undefined && !(prev < id)) {
        throw new ClocksError("invalid-argument", "DVVSet.fromJSON: entry ids must be strictly ascending");
      }
      if (!Number.isSafeInteger(counter) || counter < 1 || counter < values.length) {
        throw new ClocksError(
          "invalid-argument",
          `DVVSet.fromJSON: counter of "${id}" must be a safe integer >= max(1, number of values), got ${counter}`,
        );
      }
      es.push({ id, counter, values: values.slice() });
      prev = id;
    }
    return new DVVSet(es, json.anonymous.slice());
  }

  /**
   * Decodes bytes from {@link DVVSet.encode} using the same value codec. Throws {@link DecodeError} on
   * truncated or corrupted input, or when the codec rejects a value.
   *
   * @example
   * ```ts
   * import { DVVSet, jsonValueCodec } from "@distkit/clocks";
   * const codec = jsonValueCodec<number>();
   * DVVSet.decode(DVVSet.new(7).update("r").encode(codec), codec).values(); // [7]
   * ```
   */
  static decode<V>(bytes: Uint8Array, codec: ValueCodec<V>): DVVSet<V> {
    const r = new ByteReader(bytes, "DVVSet.decode");
    r.header(Tag.dvvSet);
    const n = r.count(3);
    const es: Entry<V>[] = [];
    let prev: string | undefined;
    for (let i = 0; i < n; i++) {
      const at = r.offset;
      const id = r.string();
      if (prev !== undefined && !(prev < id)) r.fail("entry ids are not strictly ascending", at);
      const cAt = r.offset;
      const counter = r.varint();
      if (counter < 1) r.fail(`counter of "${id}" is 0; counters are at least 1`, cAt);
      const vAt = r.offset;
      const nv = r.count(1);
      if (nv > counter) r.fail(`entry "${id}" has ${nv} values but counter ${counter}`, vAt);
      const values: V[] = [];
      for (let k = 0; k < nv; k++) {
        const at2 = r.offset;
        values.push(decodeValue(codec, r.bytes(), at2, "DVVSet.decode"));
      }
      es.push({ id, counter, values });
      prev = id;
    }
    const na = r.count(1);
    const anon: V[] = [];
    for (let k = 0; k < na; k++) {
      const at2 = r.offset;
      anon.push(decodeValue(codec, r.bytes(), at2, "DVVSet.decode"));
    }
    r.end();
    return new DVVSet(es, anon);
  }

  /**
   * Total number of values (siblings), including anonymous ones.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * DVVSet.new("a").update("r1").size; // 1
   * ```
   */
  get size(): number {
    let n = this.anon.length;
    for (const e of this.es) n += e.values.length;
    return n;
  }

  /**
   * The replica ids present in the causal history, ascending.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * DVVSet.new("a").update("r1").ids(); // ["r1"]
   * ```
   */
  ids(): string[] {
    return this.es.map((e) => e.id);
  }

  /**
   * The entries (id, counter, values newest first), ascending by id.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * DVVSet.new("a").update("r1").entries()[0]?.counter; // 1
   * ```
   */
  entries(): readonly DVVSetEntry<V>[] {
    return this.es;
  }

  /**
   * All values: anonymous ones first, then each entry's values (newest first) in id order.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * DVVSet.new("a").update("r1").values(); // ["a"]
   * ```
   */
  values(): V[] {
    const out = this.anon.slice();
    for (const e of this.es) for (const v of e.values) out.push(v);
    return out;
  }

  /**
   * The causal context as a version vector: what a client must send back with its next write so that
   * the write replaces every value it has seen.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * DVVSet.new("a").update("r1").join().toJSON(); // { r1: 1 }
   * ```
   */
  join(): VersionVector {
    return VersionVector.from(this.es.map((e) => [e.id, e.counter] as const));
  }

  /**
   * Merges two replicas' states of one key: joins the histories and keeps only the values neither
   * history has made obsolete. Commutative, associative and idempotent on histories and values.
   * Anonymous values of concurrent sets are united, de-duplicated with `valueEquals`.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * const a = DVVSet.new("x").update("r1");
   * const b = DVVSet.new("y", a.join()).update("r1", a); // y supersedes x
   * a.sync(b).values(); // ["y"]
   * ```
   */
  sync(other: DVVSet<V>, valueEquals: (a: V, b: V) => boolean = Object.is): DVVSet<V> {
    let anon: readonly V[];
    if (this.less(other)) anon = other.anon;
    else if (other.less(this)) anon = this.anon;
    else {
      const u: V[] = this.anon.slice();
      for (const v of other.anon) if (!u.some((x) => valueEquals(x, v))) u.push(v);
      anon = u;
    }
    return new DVVSet(syncEntries(this.es, other.es), anon);
  }

  /**
   * Server-side write. `this` must be a client clock from {@link DVVSet.new} with exactly one
   * anonymous value. The value gets the next dot of `replica`; with `server` (the replica's current
   * state) the result also keeps the server's values that the client's context had not seen, so it
   * dominates both. Throws {@link ClocksError} `invalid-argument` if `this` does not hold exactly one
   * anonymous value.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * const s1 = DVVSet.new("v1").update("r1");
   * DVVSet.new("v2").update("r1", s1).values(); // ["v2", "v1"]: concurrent siblings
   * ```
   */
  update(replica: string, server?: DVVSet<V>): DVVSet<V> {
    checkId(replica, "DVVSet.update: replica");
    if (this.anon.length !== 1) {
      throw new ClocksError(
        "invalid-argument",
        `DVVSet.update: the client clock must hold exactly one anonymous value (from DVVSet.new), it holds ${this.anon.length}`,
      );
    }
    const value = this.anon[0] as V;
    if (server === undefined) return new DVVSet(event(this.es, replica, value), []);
    const synced = new DVVSet<V>(this.es, []).sync(server);
    return new DVVSet(event(synced.es, replica, value), synced.anon);
  }

  /**
   * True when this set's history is strictly older than `other`'s (all its values are obsolete).
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * const a = DVVSet.new("x").update("r1");
   * a.less(DVVSet.new("y", a.join()).update("r1", a)); // true
   * ```
   */
  less(other: DVVSet<V>): boolean {
    return greater(other.es, this.es);
  }

  /**
   * True when both histories are the same (same ids, counters and number of values per entry);
   * values themselves are not compared.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * DVVSet.new("x").update("r1").equal(DVVSet.new("y").update("r1")); // true
   * ```
   */
  equal(other: DVVSet<V>): boolean {
    const a = this.es;
    const b = other.es;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      const y = b[i]!;
      if (x.id !== y.id || x.counter !== y.counter || x.values.length !== y.values.length) return false;
    }
    return true;
  }

  /**
   * Causal comparison of the histories: `before` ({@link DVVSet.less}), `after`, `equal` (same
   * counters) or `concurrent`.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * DVVSet.new("x").update("r1").compare(DVVSet.new("y").update("r2")); // "concurrent"
   * ```
   */
  compare(other: DVVSet<V>): Ordering {
    if (this.less(other)) return "before";
    if (other.less(this)) return "after";
    return this.join().equals(other.join()) ? "equal" : "concurrent";
  }

  /**
   * Applies `f` to every value, keeping the history.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * DVVSet.new(1).update("r").map((x) => x * 10).values(); // [10]
   * ```
   */
  map<W>(f: (value: V) => W): DVVSet<W> {
    return new DVVSet<W>(
      this.es.map((e) => ({ id: e.id, counter: e.counter, values: e.values.map(f) })),
      this.anon.map(f),
    );
  }

  /**
   * Replaces all siblings by `merge(values())`, kept as the single anonymous value over the joined
   * history (as in Riak: the result is a client clock; write it with {@link DVVSet.update}).
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * const s = DVVSet.new(1).update("r1").sync(DVVSet.new(2).update("r2"));
   * s.reconcile((vs) => Math.max(...vs)).values(); // [2]
   * ```
   */
  reconcile(merge: (values: V[]) => V): DVVSet<V> {
    return DVVSet.new(merge(this.values()), this.join());
  }

  /**
   * The value that is greatest by `lessOrEqual(a, b)` ("a is older than or as old as b"); ties go to
   * the value met later (values of an entry are visited oldest first, entries in id order, then the
   * anonymous values). Throws {@link ClocksError} `invalid-argument` on an empty set.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * const s = DVVSet.new(3).update("r1").sync(DVVSet.new(5).update("r2"));
   * s.last((a, b) => a <= b); // 5
   * ```
   */
  last(lessOrEqual: (a: V, b: V) => boolean): V {
    return this.findLast(lessOrEqual).value;
  }

  /**
   * Last-writer-wins: keeps only the {@link DVVSet.last} value, over the same history. If the winner
   * has a dot it keeps it (in its entry's head position); if it is anonymous it stays anonymous.
   * Unlike Riak, which compares only the newest value of each entry, every sibling is a candidate.
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * const s = DVVSet.new(3).update("r1").sync(DVVSet.new(5).update("r2"));
   * s.lww((a, b) => a <= b).values(); // [5]
   * ```
   */
  lww(lessOrEqual: (a: V, b: V) => boolean): DVVSet<V> {
    const w = this.findLast(lessOrEqual);
    if (w.id === undefined) return DVVSet.new(w.value, this.join());
    return new DVVSet(
      this.es.map((e) => ({ id: e.id, counter: e.counter, values: e.id === w.id ? [w.value] : [] })),
      [],
    );
  }

  private findLast(lessOrEqual: (a: V, b: V) => boolean): { value: V; id: string | undefined } {
    let best: { value: V; id: string | undefined } | undefined;
    const visit = (value: V, id: string | undefined): void => {
      if (best === undefined || lessOrEqual(best.value, value)) best = { value, id };
    };
    for (const e of this.es) for (let k = e.values.length - 1; k >= 0; k--) visit(e.values[k] as V, e.id);
    for (const v of this.anon) visit(v, undefined);
    if (best === undefined)
      throw new ClocksError("invalid-argument", "DVVSet.last/lww: the set holds no values");
    return best;
  }

  /**
   * JSON-friendly form (values are included as they are).
   *
   * @example
   * ```ts
   * import { DVVSet } from "@distkit/clocks";
   * DVVSet.new("a").update("r1").toJSON(); // { entries: [["r1", 1, ["a"]]], anonymous: [] }
   * ```
   */
  toJSON(): DVVSetJSON<V> {
    return {
      entries: this.es.map((e) => [e.id, e.counter, e.values.slice()] as const),
      anonymous: this.anon.slice(),
    };
  }

  /**
   * Compact binary form: tag, version, entries (UTF-8 id, varint counter, values), anonymous values;
   * values are length-prefixed bytes from `codec`.
   *
   * @example
   * ```ts
   * import { DVVSet, jsonValueCodec } from "@distkit/clocks";
   * DVVSet.new("a").update("r1").encode(jsonValueCodec<string>());
   * ```
   */
  encode(codec: ValueCodec<V>): Uint8Array {
    const w = new ByteWriter(64);
    w.header(Tag.dvvSet);
    w.varint(this.es.length);
    for (const e of this.es) {
      w.string(e.id);
      w.varint(e.counter);
      w.varint(e.values.length);
      for (const v of e.values) w.bytes(codec.encode(v));
    }
    w.varint(this.anon.length);
    for (const v of this.anon) w.bytes(codec.encode(v));
    return w.finish();
  }
}

/** Joins two sorted entry lists; per id, keeps the values not made obsolete by the other side. */
function syncEntries<V>(a: readonly Entry<V>[], b: readonly Entry<V>[]): Entry<V>[] {
  const out: Entry<V>[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x.id < y.id) {
      out.push(x);
      i++;
    } else if (x.id > y.id) {
      out.push(y);
      j++;
    } else {
      out.push(mergeEntry(x, y));
      i++;
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/**
 * Entry x covers dots 1..x.counter and holds values for the dots above x.counter - x.values.length.
 * The merged entry keeps the larger counter and the values whose dots neither side has discarded.
 */
function mergeEntry<V>(x: Entry<V>, y: Entry<V>): Entry<V> {
  if (x.counter < y.counter) return mergeEntry(y, x);
  // x.counter >= y.counter
  const xFloor = x.counter - x.values.length; // dots <= xFloor are obsolete according to x
  const yFloor = y.counter - y.values.length;
  if (xFloor >= yFloor) return x;
  // y has discarded dots in (xFloor, yFloor]: keep x's values for dots > yFloor.
  const keep = x.counter - yFloor;
  assert(keep >= 0 && keep < x.values.length, "DVVSet merge keeps a proper prefix");
  return { id: x.id, counter: x.counter, values: x.values.slice(0, keep) };
}

/** Adds a dot for `id` carrying `value` (newest first). */
function event<V>(es: readonly Entry<V>[], id: string, value: V): Entry<V>[] {
  const out: Entry<V>[] = [];
  let done = false;
  for (const e of es) {
    if (!done && e.id === id) {
      if (!Number.isSafeInteger(e.counter + 1)) {
        throw new ClocksError("invalid-argument", `DVVSet.update: counter of "${id}" would exceed 2^53-1`);
      }
      out.push({ id, counter: e.counter + 1, values: [value, ...e.values] });
      done = true;
    } else if (!done && e.id > id) {
      out.push({ id, counter: 1, values: [value] });
      out.push(e);
      done = true;
    } else {
      out.push(e);
    }
  }
  if (!done) out.push({ id, counter: 1, values: [value] });
  return out;
}

/** True when history `a` strictly dominates history `b` (compares ids and counters only). */
function greater<V>(a: readonly Entry<V>[], b: readonly Entry<V>[]): boolean {
  let strict = false;
  let i = 0;
  let j = 0;
  while (true) {
    if (i === a.length) return j === b.length ? strict : false;
    if (j === b.length) return true;
    const x = a[i]!;
    const y = b[j]!;
    if (x.id === y.id) {
      if (x.counter < y.counter) return false;
      if (x.counter > y.counter) strict = true;
      i++;
      j++;
    } else if (x.id < y.id) {
      strict = true;
      i++;
    } else {
      return false;
    }
  }
}
