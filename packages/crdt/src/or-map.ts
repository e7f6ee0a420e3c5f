import type { Crdt, CrdtType } from "./crdt.js";
import { DotKernel } from "./dot-kernel.js";
import { CrdtError, DecodeError, invalidArgument } from "./errors.js";
import {
  asArray,
  asString,
  bytesEqual,
  checkReplicaId,
  compareStrings,
  decodeJsonDoc,
  encodeJsonDoc,
  field,
  fromBase64,
  type ReplicaId,
  toBase64,
} from "./json.js";

const KIND = "or-map";
const identity = (k: string): string => k;

/**
 * Observed-remove map whose values are CRDTs themselves (nested): key presence is add-wins (an update
 * concurrent with a remove keeps the key), and the values of a key updated on several replicas are
 * merged with the value type's own join.
 *
 * Removing a key hides it; the value's state is kept, so if the key is updated again later the value
 * continues from the merged state (a counter is not reset). Use values that can express a reset
 * themselves (e.g. set the quantity register) when you need one.
 *
 * @typeParam C - the value CRDT class
 *
 * @example
 * ```ts
 * import { ORMap, PNCounter } from "@distkit/crdt";
 * const a = new ORMap("a", PNCounter.type());
 * const b = new ORMap("b", PNCounter.type());
 * a.update("milk", (c) => c.increment(2));
 * b.update("milk", (c) => c.increment(1));
 * b.update("eggs", (c) => c.increment(12));
 * a.merge(b).value(); // Map { "eggs" => 12, "milk" => 3 }
 * ```
 */
export class ORMap<C extends Crdt<C, unknown>>
  implements Crdt<ORMap<C>, Map<string, ReturnType<C["value"]>>>
{
  /** Kind tag. */
  readonly kind = KIND;
  /** The replica this instance acts as. */
  readonly replicaId: ReplicaId;
  /** The type of the values. */
  readonly valueType: CrdtType<C>;
  private keys: DotKernel<string>;
  private children = new Map<string, C>();

  /**
   * @param replicaId - the replica this instance acts as
   * @param valueType - descriptor of the value CRDT (e.g. `PNCounter.type()`)
   */
  constructor(replicaId: ReplicaId, valueType: CrdtType<C>) {
    checkReplicaId(replicaId);
    this.replicaId = replicaId;
    this.valueType = valueType;
    this.keys = new DotKernel<string>(identity);
  }

  /**
   * A {@link CrdtType} descriptor for OR-Maps of the given value type (maps can nest maps).
   * @example
   * ```ts
   * import { ORMap, ORSet } from "@distkit/crdt";
   * const nested = ORMap.type(ORMap.type(ORSet.type<string>())).create("a");
   * ```
   */
  static type<C extends Crdt<C, unknown>>(valueType: CrdtType<C>): CrdtType<ORMap<C>> {
    return {
      kind: `${KIND}<${valueType.kind}>`,
      create: (r) => new ORMap<C>(r, valueType),
      decode: (b, r) => ORMap.decode<C>(b, r, valueType),
    };
  }

  /**
   * Updates the value at `key` (creating it if absent) with `mutate`, which receives the value state and
   * must return the delta of the mutation it made; returns the map delta.
   */
  update(key: string, mutate: (value: C) => C): ORMap<C> {
    if (typeof key !== "string") invalidArgument(`ORMap.update: keys must be strings, got ${typeof key}`);
    let child = this.children.get(key);
    if (child === undefined) {
      child = this.valueType.create(this.replicaId);
      this.children.set(key, child);
    }
    const childDelta = mutate(child);
    if (childDelta === undefined || childDelta === null || childDelta.kind !== child.kind) {
      invalidArgument("ORMap.update: mutate must return the delta of the value's mutator (same CRDT type)");
    }
    const delta = new ORMap<C>(this.replicaId, this.valueType);
    delta.keys = this.keys.replace(this.replicaId, key);
    delta.children.set(key, childDelta);
    return delta;
  }

  /** Removes `key` as observed here (add-wins against concurrent updates); returns the delta. */
  remove(key: string): ORMap<C> {
    if (typeof key !== "string") invalidArgument(`ORMap.remove: keys must be strings, got ${typeof key}`);
    const delta = new ORMap<C>(this.replicaId, this.valueType);
    delta.keys = this.keys.remove(key);
    return delta;
  }

  /** `true` iff `key` is present. */
  has(key: string): boolean {
    return this.keys.groups.has(key);
  }

  /** The value state at `key` if present (do not mutate it directly; use {@link ORMap.update}). */
  get(key: string): C | undefined {
    return this.keys.groups.has(key) ? this.children.get(key) : undefined;
  }

  /** Present keys, sorted. */
  keyList(): string[] {
    return [...this.keys.groups.keys()].sort(compareStrings);
  }

  /** Present keys mapped to their values' `value()`, keys sorted. */
  value(): Map<string, ReturnType<C["value"]>> {
    const out = new Map<string, ReturnType<C["value"]>>();
    for (const k of this.keyList()) {
      const child = this.children.get(k) ?? this.valueType.create(this.replicaId);
      out.set(k, child.value() as ReturnType<C["value"]>);
    }
    return out;
  }

  /** Join, in place. */
  merge(other: ORMap<C>): this {
    if (!(other instanceof ORMap) || other.valueType.kind !== this.valueType.kind) {
      throw new CrdtError("type-mismatch", `ORMap.merge expects an ORMap of ${this.valueType.kind}`);
    }
    this.keys.join(other.keys);
    for (const [k, c] of other.children) {
      const mine = this.children.get(k);
      if (mine === undefined) this.children.set(k, c.clone(this.replicaId));
      else mine.merge(c);
    }
    return this;
  }

  /** Lattice order. */
  leq(other: ORMap<C>): boolean {
    if (!this.keys.leq(other.keys)) return false;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (o === undefined ? !c.equals(this.valueType.create(this.replicaId)) : !c.leq(o)) return false;
    }
    return true;
  }

  /** Lattice equality. */
  equals(other: ORMap<C>): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy. */
  clone(replicaId: ReplicaId = this.replicaId): ORMap<C> {
    const m = new ORMap<C>(replicaId, this.valueType);
    m.keys = this.keys.clone();
    for (const [k, c] of this.children) m.children.set(k, c.clone(replicaId));
    return m;
  }

  /** UTF-8 JSON `{"t":"or-map","v":1,"k":{cc,dots},"c":[[key, base64 of value.encode()], ...]}`. */
  encode(): Uint8Array {
    const c = [...this.children]
      .sort((x, y) => compareStrings(x[0], y[0]))
      .map(([k, child]) => [k, toBase64(child.encode())]);
    return encodeJsonDoc(KIND, { vt: this.valueType.kind, k: this.keys.toJson((v) => v), c });
  }

  /**
   * Decodes `encode()` output given the value type; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { ORMap, PNCounter } from "@distkit/crdt";
   * const m = new ORMap("a", PNCounter.type());
   * m.update("x", (c) => c.increment());
   * ORMap.decode(m.encode(), "b", PNCounter.type()).value(); // Map { "x" => 1 }
   * ```
   */
  static decode<C extends Crdt<C, unknown>>(
    bytes: Uint8Array,
    replicaId: ReplicaId,
    valueType: CrdtType<C>,
  ): ORMap<C> {
    const doc = decodeJsonDoc(bytes, KIND);
    if (field(doc, "vt", KIND) !== valueType.kind) {
      throw new DecodeError(
        `${KIND}: value type is ${JSON.stringify(doc["vt"])}, expected "${valueType.kind}"`,
      );
    }
    const m = new ORMap<C>(replicaId, valueType);
    m.keys = DotKernel.fromJson<string>(field(doc, "k", KIND), `${KIND}.k`, identity, (raw, w) =>
      asString(raw, w),
    );
    for (const e of asArray(field(doc, "c", KIND), `${KIND}.c`)) {
      const row = asArray(e, `${KIND}.c entry`);
      if (row.length !== 2) throw new DecodeError(`${KIND}.c: entries are [key, base64 state]`);
      const k = asString(row[0], `${KIND}.c key`);
      if (m.children.has(k)) throw new DecodeError(`${KIND}.c: duplicate key ${JSON.stringify(k)}`);
      const child = valueType.decode(
        fromBase64(asString(row[1], `${KIND}.c state`), `${KIND}.c state`),
        replicaId,
      );
      m.children.set(k, child);
    }
    return m;
  }
}
