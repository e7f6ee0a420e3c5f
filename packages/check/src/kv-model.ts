import { outcomeText } from "./describe.js";
import { CheckError } from "./errors.js";
import type { Operation } from "./history.js";
import { formatValue } from "./history.js";
import { hashString, hashValue, mixHash, valuesEqual } from "./hash.js";
import { ILLEGAL, type Model } from "./model.js";

/**
 * A string value built by puts and appends, hash-consed per model: appending the same suffix to the
 * same node gives the same node, so equal values built the same way are the same object (O(1)
 * equality and hashing, no string copies). @internal
 */
export class StringNode {
  readonly parent: StringNode | null;
  readonly suffix: string;
  readonly length: number;
  readonly hash: number;
  readonly interner: StringInterner;
  firstChild: StringNode | undefined = undefined;
  children: Map<string, StringNode> | undefined = undefined;
  /** The one-key state {soloKey: this} (shared, so per-key partitions allocate no states). */
  soloKey: string | undefined = undefined;
  soloState: KvState | undefined = undefined;

  constructor(parent: StringNode | null, suffix: string, interner: StringInterner) {
    this.parent = parent;
    this.suffix = suffix;
    this.length = (parent === null ? 0 : parent.length) + suffix.length;
    this.interner = interner;
    this.hash = mixHash(++interner.created ^ 0x27d4eb2f);
  }

  /** The node for this value followed by `suffix`. */
  append(suffix: string): StringNode {
    if (suffix.length === 0) return this;
    // Most nodes get at most one child: keep it in a field, and a Map only for further ones.
    const first = this.firstChild;
    if (first === undefined) return (this.firstChild = new StringNode(this, suffix, this.interner));
    if (first.suffix === suffix) return first;
    let c = this.children;
    if (c === undefined) this.children = c = new Map();
    let n = c.get(suffix);
    if (n === undefined) {
      n = new StringNode(this, suffix, this.interner);
      c.set(suffix, n);
    }
    return n;
  }

  /** Whether the value equals `s`, compared from the end without building the value. */
  equalsString(s: string): boolean {
    if (s.length !== this.length) return false;
    let pos = s.length;
    for (let n: StringNode | null = this; n !== null; n = n.parent) {
      const suf = n.suffix;
      pos -= suf.length;
      if (!s.startsWith(suf, pos)) return false;
    }
    return pos === 0;
  }

  /** Content equality (for nodes from different interners or different build paths). */
  equalsNode(o: StringNode): boolean {
    return this === o || (this.length === o.length && this.equalsString(o.toString()));
  }

  toString(): string {
    const parts: string[] = [];
    for (let n: StringNode | null = this; n !== null; n = n.parent) parts.push(n.suffix);
    return parts.reverse().join("");
  }
}

/** Owns the hash-consed string nodes of one kv model. @internal */
export class StringInterner {
  created = 0;
  root: StringNode;
  constructor() {
    this.root = new StringNode(null, "", this);
  }
  /** The node for a whole string. Bounded: past 4M nodes a fresh trie starts (older nodes stay valid). */
  of(s: string): StringNode {
    if (this.created > 4_000_000) {
      this.created = 0;
      this.root = new StringNode(null, "", this);
    }
    return this.root.append(s);
  }
}

type KvValue = StringNode | unknown;

function valueHashOf(v: KvValue): number {
  return v instanceof StringNode ? v.hash : hashValue(v);
}

/** Value equality; `fast` treats distinct nodes of one interner as different (stricter, O(1)). */
function kvValuesEqual(a: KvValue, b: KvValue, fast: boolean): boolean {
  if (a === b) return true;
  if (a instanceof StringNode) {
    if (b instanceof StringNode) return fast && a.interner === b.interner ? false : a.equalsNode(b);
    return typeof b === "string" && a.equalsString(b);
  }
  if (b instanceof StringNode) return typeof a === "string" && b.equalsString(a);
  return valuesEqual(a, b);
}

function entryTerm(key: string, vh: number): number {
  return mixHash(hashString(key) ^ Math.imul(vh, 31));
}

function materialize(v: KvValue): unknown {
  return v instanceof StringNode ? v.toString() : v;
}

/**
 * The state of the key-value model: an immutable map from keys (as strings) to values, carrying its
 * own hash (updated incrementally). String values are kept as shared, hash-consed pieces, so
 * appends cost O(suffix) and equal states compare in O(keys). Keys never written are absent and
 * read as the model's initial value.
 *
 * @example
 * ```ts
 * import { KvState } from "@distkit/check";
 * const s = KvState.empty().with("x", "a").append("x", "b");
 * s.get("x"); // "ab"
 * ```
 */
export class KvState {
  /**
   * A hash of the map, consistent with how the checker compares states (values built along the
   * same path); content-equal values built differently may hash differently.
   */
  readonly hash: number;
  /** @internal Sorted keys (shared between states with the same keys). */
  readonly keyList: readonly string[];
  /** @internal Values, parallel to `keyList`. */
  readonly valueList: readonly KvValue[];

  private constructor(keys: readonly string[], values: readonly KvValue[], hash: number) {
    this.keyList = keys;
    this.valueList = values;
    this.hash = hash;
  }

  static readonly #empty: KvState = new KvState([], [], 0);
  static readonly #interner = new StringInterner();

  /**
   * The empty map.
   *
   * @example
   * ```ts
   * import { KvState } from "@distkit/check";
   * KvState.empty().size; // 0
   * ```
   */
  static empty(): KvState {
    return KvState.#empty;
  }

  /**
   * The number of keys written.
   *
   * @example
   * ```ts
   * import { KvState } from "@distkit/check";
   * KvState.empty().with("k", 1).size; // 1
   * ```
   */
  get size(): number {
    return this.keyList.length;
  }

  /** @internal Index of a key, or -1. */
  indexOf(key: string): number {
    const keys = this.keyList;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return i;
    return -1;
  }

  /**
   * Whether the key was written.
   *
   * @example
   * ```ts
   * import { KvState } from "@distkit/check";
   * KvState.empty().has("k"); // false
   * ```
   */
  has(key: string): boolean {
    return this.indexOf(key) >= 0;
  }

  /**
   * The key's value, or `undefined` when never written.
   *
   * @example
   * ```ts
   * import { KvState } from "@distkit/check";
   * KvState.empty().with("k", "v").get("k"); // "v"
   * ```
   */
  get(key: string): unknown {
    const i = this.indexOf(key);
    return i < 0 ? undefined : materialize(this.valueList[i]);
  }

  /**
   * The keys written, sorted.
   *
   * @example
   * ```ts
   * import { KvState } from "@distkit/check";
   * KvState.empty().with("b", 1).with("a", 2).keys(); // ["a", "b"]
   * ```
   */
  keys(): string[] {
    return this.keyList.slice();
  }

  /**
   * A copy with `key` set to `value`.
   *
   * @example
   * ```ts
   * import { KvState } from "@distkit/check";
   * const s = KvState.empty().with("k", "v");
   * ```
   */
  with(key: string, value: unknown): KvState {
    return this.set(key, typeof value === "string" ? KvState.#interner.of(value) : value);
  }

  /**
   * A copy with the string `suffix` appended to `key`'s value (a key never written counts as "").
   *
   * @example
   * ```ts
   * import { KvState } from "@distkit/check";
   * KvState.empty().append("k", "x").get("k"); // "x"
   * ```
   */
  append(key: string, suffix: string): KvState {
    const i = this.indexOf(key);
    return this.set(key, appendTo(i < 0 ? "" : this.valueList[i], suffix, KvState.#interner));
  }

  #asResult: readonly KvState[] | undefined;

  /** @internal `[this]`, allocated once: the result of a step that leads to this state. */
  asResult(): readonly KvState[] {
    if (this.#asResult === undefined) this.#asResult = [this];
    return this.#asResult;
  }

  /** @internal A copy with `key` set to an internal value. */
  set(key: string, value: KvValue): KvState {
    const i = this.indexOf(key);
    if (value instanceof StringNode && this.keyList.length - (i >= 0 ? 1 : 0) === 0) {
      // A one-key state: shared per (node, key).
      if (value.soloKey !== key || value.soloState === undefined) {
        value.soloKey = key;
        value.soloState = new KvState([key], [value], entryTerm(key, value.hash));
      }
      return value.soloState;
    }
    const vh = valueHashOf(value);
    if (i >= 0) {
      const values = this.valueList.slice();
      const hash = (this.hash - entryTerm(key, valueHashOf(values[i])) + entryTerm(key, vh)) | 0;
      values[i] = value;
      return new KvState(this.keyList, values, hash);
    }
    let at = 0;
    while (at < this.keyList.length && this.keyList[at]! < key) at++;
    const keys = [...this.keyList.slice(0, at), key, ...this.keyList.slice(at)];
    const values = [...this.valueList.slice(0, at), value, ...this.valueList.slice(at)];
    return new KvState(keys, values, (this.hash + entryTerm(key, vh)) | 0);
  }

  /**
   * Whether both maps hold the same keys with equal values.
   *
   * @example
   * ```ts
   * import { KvState } from "@distkit/check";
   * KvState.empty().with("k", "v").equals(KvState.empty().with("k", "v")); // true
   * ```
   */
  equals(other: KvState): boolean {
    return this.sameAs(other, false);
  }

  /**
   * @internal Equality for the checker: `fast` compares string values built along different paths
   * as different (stricter than content equality, so still sound for memoisation), and requires
   * equal hashes.
   */
  sameAs(other: KvState, fast: boolean): boolean {
    if (this === other) return true;
    if ((fast && this.hash !== other.hash) || this.keyList.length !== other.keyList.length) return false;
    const ok = this.keyList;
    const bk = other.keyList;
    for (let i = 0; i < ok.length; i++) {
      if (ok[i] !== bk[i] || !kvValuesEqual(this.valueList[i], other.valueList[i], fast)) return false;
    }
    return true;
  }

  /**
   * `{"k": "v", ...}` with keys sorted.
   *
   * @example
   * ```ts
   * import { KvState } from "@distkit/check";
   * KvState.empty().with("k", "v").toString(); // '{"k": "v"}'
   * ```
   */
  toString(): string {
    return `{${this.keyList.map((k, i) => `${formatValue(k)}: ${formatValue(materialize(this.valueList[i]))}`).join(", ")}}`;
  }
}

function appendTo(current: KvValue, suffix: string, interner: StringInterner): KvValue {
  if (current instanceof StringNode) return current.append(suffix);
  const base = current === null || current === undefined ? "" : String(current);
  return interner.of(base).append(suffix);
}

/**
 * Options of {@link kvModel}.
 *
 * @example
 * ```ts
 * import { kvModel } from "@distkit/check";
 * const m = kvModel({ initial: null, partitioned: false });
 * ```
 */
export interface KvModelOptions {
  /** The value of a key never written (default `""`, as in Porcupine's kv tests). */
  readonly initial?: unknown;
  /**
   * Check each key on its own (default `true`). Linearizability is compositional, so this gives the
   * same verdict, much faster; `false` checks the whole map at once.
   */
  readonly partitioned?: boolean;
}

/** @internal */
export function keyedInput(op: Operation<unknown, unknown>): { key: string; value: unknown } {
  const input = op.input;
  if (Array.isArray(input) && input.length === 2) return { key: keyString(input[0], op), value: input[1] };
  if (typeof input === "object" && input !== null && "key" in input) {
    const r = input as { key: unknown; value?: unknown };
    return { key: keyString(r.key, op), value: r.value };
  }
  throw new CheckError(
    "invalid-operation",
    `op ${op.id}: ${op.f} input ${formatValue(input)} is not { key, value } or [key, value]`,
  );
}

function keyString(k: unknown, op: Operation<unknown, unknown>): string {
  if (typeof k === "string") return k;
  if (typeof k === "number") return String(k);
  throw new CheckError("invalid-operation", `op ${op.id}: key ${formatValue(k)} is not a string or a number`);
}

/**
 * A key-value map with `get`, `put` and `append` (string concatenation), partitioned per key
 * (Porcupine's kv model). Inputs are `{ key, value }` (what {@link historyFromEvents} makes of events
 * with a `:key`) or `[key, value]`; `get` outputs the value read (`null` reads as the initial value).
 * A `fail` put/append did not happen; an `info` one may have.
 *
 * @example
 * ```ts
 * import { checkLinearizable, HistoryRecorder, kvModel } from "@distkit/check";
 * const h = new HistoryRecorder();
 * h.ok(h.invoke(0, "put", { key: "x", value: "a" }, 0), undefined, 1);
 * h.ok(h.invoke(1, "append", { key: "x", value: "b" }, 2), undefined, 3);
 * h.ok(h.invoke(0, "get", { key: "x" }, 4), "ab", 5);
 * console.log(checkLinearizable(h.history(), kvModel()).verdict); // "linearizable"
 * ```
 */
export function kvModel(options: KvModelOptions = {}): Model<KvState> {
  const initial = options.initial ?? "";
  const interner = new StringInterner();
  const initialValue: KvValue = typeof initial === "string" ? interner.of(initial) : initial;
  const model: Model<KvState> = {
    name: "kv",
    init: () => KvState.empty(),
    step(state, op) {
      const input = op.input as { key?: unknown; value?: unknown } | null;
      let key: string;
      let value: unknown;
      if (typeof input === "object" && input !== null && typeof input.key === "string") {
        key = input.key;
        value = input.value;
      } else {
        ({ key, value } = keyedInput(op));
      }
      const i = state.indexOf(key);
      const current = i < 0 ? initialValue : state.valueList[i];
      switch (op.f) {
        case "get":
          if (op.status !== "ok") return [state];
          return kvValuesEqual(current, op.output ?? initial, false) ? [state] : ILLEGAL;
        case "put":
          if (op.status === "fail") return [state];
          return [state.set(key, typeof value === "string" ? interner.of(value) : value)];
        case "append":
          if (op.status === "fail") return [state];
          return [
            state.set(
              key,
              appendTo(current, value === null || value === undefined ? "" : String(value), interner),
            ),
          ];
        default:
          throw new CheckError(
            "unknown-function",
            `op ${op.id}: the kv model has no function ${JSON.stringify(op.f)}; it accepts get, put, append`,
          );
      }
    },
    isReadOnly: (op) => op.f === "get" || op.status === "fail",
    hash: (state) => state.hash,
    equal: (a, b) => a.sameAs(b, true),
    describeOperation(op) {
      const { key, value } = keyedInput(op);
      if (op.f === "get") return `get(${formatValue(key)}) -> ${outcomeText(op)}`;
      const tail = op.status === "ok" ? "" : ` -> ${outcomeText(op)}`;
      return `${op.f}(${formatValue(key)}, ${formatValue(value)})${tail}`;
    },
    describeState: (state) => state.toString(),
  };
  if (options.partitioned === false) return model;
  return { ...model, partitionKey: (op) => keyedInput(op).key };
}
