import { ByteReader, ByteWriter, Tag } from "./encoding.js";
import { ClocksError, assert } from "./errors.js";
import type { Ordering } from "./ordering.js";

/**
 * The id component of an interval tree clock: which part of the unit interval a stamp owns.
 * `0` owns nothing, `1` owns all of it, `[l, r]` splits it into halves. Normalised: never `[0, 0]` or
 * `[1, 1]`.
 *
 * @example
 * ```ts
 * import type { ItcId } from "@distkit/clocks";
 * const leftHalf: ItcId = [1, 0];
 * ```
 */
export type ItcId = 0 | 1 | readonly [ItcId, ItcId];

/**
 * The event component of an interval tree clock: a tree of counters over the unit interval, either a
 * leaf `n` or a node `[n, left, right]` whose children count on top of `n`. Normalised: a node's children
 * are not two equal leaves and one of them has minimum 0.
 *
 * @example
 * ```ts
 * import type { ItcEvent } from "@distkit/clocks";
 * const e: ItcEvent = [1, 0, 2]; // 1 everywhere, 3 on the right half
 * ```
 */
export type ItcEvent = number | readonly [number, ItcEvent, ItcEvent];

/** Deepest id or event tree accepted (bounds recursion on hostile input). */
const MAX_DEPTH = 256;
/** Cost of expanding an event leaf in `grow`: larger than any path cost, so expansion is a last resort. */
const EXPAND_COST = 1 << 20;

/**
 * An interval tree clock stamp (Almeida, Baquero, Fonte: "Interval Tree Clocks: A Logical Clock for
 * Dynamic Systems", OPODIS 2008): causality tracking like a version vector, but for a dynamic number of
 * participants without global ids. Participants {@link ItcStamp.fork} to create new ones (splitting
 * their id interval), {@link ItcStamp.join} to retire one (summing ids, merging events), and
 * {@link ItcStamp.event} to record an event (inflating the event tree where they own the id). Stamps
 * are immutable and kept normalised, so equal clocks have equal representations.
 *
 * @example
 * ```ts
 * import { ItcStamp } from "@distkit/clocks";
 * const [a, b] = ItcStamp.seed().fork();
 * const a1 = a.event();
 * const b1 = b.event();
 * a1.compare(b1);                  // "concurrent"
 * const ab = a1.join(b1);          // owns the whole interval again
 * ab.compare(a1);                  // "after"
 * ```
 */
export class ItcStamp {
  private constructor(
    /** The owned part of the interval. */
    readonly id: ItcId,
    /** The causal history. */
    readonly eventTree: ItcEvent,
  ) {}

  /**
   * The initial stamp: owns the whole interval, no events: `(1, 0)`.
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * ItcStamp.seed().toString(); // "(1; 0)"
   * ```
   */
  static seed(): ItcStamp {
    return new ItcStamp(1, 0);
  }

  /**
   * Builds a stamp from an id and an event tree, validating their shape (counters non-negative safe
   * integers, depth at most 256) and normalising both. Throws {@link ClocksError} `invalid-argument`
   * otherwise.
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * ItcStamp.from([1, 1], [0, 2, 2]).toString(); // "(1; 2)"
   * ```
   */
  static from(id: ItcId, event: ItcEvent): ItcStamp {
    return new ItcStamp(normId(checkId(id, 0)), normEvent(checkEvent(event, 0)));
  }

  /**
   * Same as {@link ItcStamp.from} for the output of {@link ItcStamp.toJSON}.
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * ItcStamp.fromJSON(JSON.parse('{"id":1,"eventTree":0}'));
   * ```
   */
  static fromJSON(json: { readonly id: ItcId; readonly eventTree: ItcEvent }): ItcStamp {
    if (json === null || typeof json !== "object") {
      throw new ClocksError("invalid-argument", "ItcStamp.fromJSON: expected { id, event }");
    }
    return ItcStamp.from(json.id, json.eventTree);
  }

  /**
   * Decodes bytes from {@link ItcStamp.encode}. Throws {@link DecodeError} on truncated or corrupted
   * input, including non-normalised trees.
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * ItcStamp.decode(ItcStamp.seed().event().encode()).toString(); // "(1; 1)"
   * ```
   */
  static decode(bytes: Uint8Array): ItcStamp {
    const r = new ByteReader(bytes, "ItcStamp.decode");
    r.header(Tag.itcStamp);
    const id = readId(r, 0);
    const event = readEvent(r, 0);
    r.end();
    return new ItcStamp(id, event);
  }

  /**
   * Splits this stamp's id in two, keeping the event tree: two stamps for two participants.
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * const [a, b] = ItcStamp.seed().fork();
   * [a.id, b.id]; // [[1, 0], [0, 1]]
   * ```
   */
  fork(): [ItcStamp, ItcStamp] {
    const [i1, i2] = split(this.id);
    return [new ItcStamp(i1, this.eventTree), new ItcStamp(i2, this.eventTree)];
  }

  /**
   * An anonymous copy (id 0) carrying only the causal history, e.g. to attach to a message.
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * ItcStamp.seed().event().peek().id; // 0
   * ```
   */
  peek(): ItcStamp {
    return new ItcStamp(0, this.eventTree);
  }

  /**
   * Records an event: inflates the event tree within the owned id (filling first, growing only when
   * filling cannot inflate it). The result strictly dominates this stamp. Throws {@link ClocksError}
   * `invalid-argument` on an anonymous stamp (id 0), which owns nothing to count on.
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * ItcStamp.seed().event().event().eventTree; // 2
   * ```
   */
  event(): ItcStamp {
    if (this.id === 0) {
      throw new ClocksError(
        "invalid-argument",
        "ItcStamp.event: an anonymous stamp (id 0) cannot record events",
      );
    }
    const filled = fill(this.id, this.eventTree);
    if (!eventEquals(filled, this.eventTree)) return new ItcStamp(this.id, filled);
    const [grown] = grow(this.id, this.eventTree);
    return new ItcStamp(this.id, grown);
  }

  /**
   * Merges two stamps: sums their ids (which must not overlap) and joins their event trees.
   * Throws {@link ClocksError} `invalid-argument` when both own a common part of the interval.
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * const [a, b] = ItcStamp.seed().fork();
   * a.event().join(b).id; // 1
   * ```
   */
  join(other: ItcStamp): ItcStamp {
    return new ItcStamp(sumId(this.id, other.id, 0), joinEvent(this.eventTree, other.eventTree));
  }

  /**
   * The receive rule of the paper: join a message's (anonymous) stamp, then record the receive event.
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * const [a, b] = ItcStamp.seed().fork();
   * const msg = a.event().peek();
   * b.receive(msg).compare(msg); // "after"
   * ```
   */
  receive(message: ItcStamp): ItcStamp {
    return this.join(message).event();
  }

  /**
   * True when this stamp's history is contained in `other`'s (ids are ignored).
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * const s = ItcStamp.seed();
   * s.leq(s.event()); // true
   * ```
   */
  leq(other: ItcStamp): boolean {
    return leq(this.eventTree, other.eventTree);
  }

  /**
   * Causal comparison of the event trees: `before`, `after`, `equal` or `concurrent`.
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * const [a, b] = ItcStamp.seed().fork();
   * a.event().compare(b.event()); // "concurrent"
   * ```
   */
  compare(other: ItcStamp): Ordering {
    const le = leq(this.eventTree, other.eventTree);
    const ge = leq(other.eventTree, this.eventTree);
    return le ? (ge ? "equal" : "before") : ge ? "after" : "concurrent";
  }

  /**
   * True when both stamps have the same (normalised) id and event tree.
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * ItcStamp.seed().equals(ItcStamp.from([1, 1], 0)); // true
   * ```
   */
  equals(other: ItcStamp): boolean {
    return idEquals(this.id, other.id) && eventEquals(this.eventTree, other.eventTree);
  }

  /**
   * JSON-friendly form: the id and event trees as nested arrays.
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * ItcStamp.seed().toJSON(); // { id: 1, eventTree: 0 }
   * ```
   */
  toJSON(): { id: ItcId; eventTree: ItcEvent } {
    return { id: this.id, eventTree: this.eventTree };
  }

  /**
   * Compact binary form: tag, version, then the id tree in preorder (one byte per node: 0, 1 or 2 for a
   * split) and the event tree in preorder (one varint per node: `2n` for a leaf `n`, `2n+1` for a node).
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * ItcStamp.seed().encode().length; // 4
   * ```
   */
  encode(): Uint8Array {
    const w = new ByteWriter(16);
    w.header(Tag.itcStamp);
    writeId(w, this.id);
    writeEvent(w, this.eventTree);
    return w.finish();
  }

  /**
   * The paper's notation, e.g. `((1, 0); (0, 1, 0))`.
   *
   * @example
   * ```ts
   * import { ItcStamp } from "@distkit/clocks";
   * ItcStamp.seed().fork()[0].event().toString(); // "((1, 0); (0, 1, 0))"
   * ```
   */
  toString(): string {
    return `(${showId(this.id)}; ${showEvent(this.eventTree)})`;
  }
}

// ---------- id trees ----------

function checkId(id: unknown, depth: number): ItcId {
  if (depth > MAX_DEPTH)
    throw new ClocksError("invalid-argument", `ItcStamp: id tree deeper than ${MAX_DEPTH}`);
  if (id === 0 || id === 1) return id;
  if (Array.isArray(id) && id.length === 2) return [checkId(id[0], depth + 1), checkId(id[1], depth + 1)];
  throw new ClocksError("invalid-argument", "ItcStamp: an id is 0, 1 or a pair [id, id]");
}

function normId(id: ItcId): ItcId {
  if (typeof id === "number") return id;
  const l = normId(id[0]);
  const r = normId(id[1]);
  if (l === 0 && r === 0) return 0;
  if (l === 1 && r === 1) return 1;
  return [l, r];
}

function split(id: ItcId): [ItcId, ItcId] {
  if (id === 0) return [0, 0];
  if (id === 1)
    return [
      [1, 0],
      [0, 1],
    ];
  const [l, r] = id;
  if (l === 0) {
    const [r1, r2] = split(r);
    return [
      [0, r1],
      [0, r2],
    ];
  }
  if (r === 0) {
    const [l1, l2] = split(l);
    return [
      [l1, 0],
      [l2, 0],
    ];
  }
  return [
    [l, 0],
    [0, r],
  ];
}

function sumId(a: ItcId, b: ItcId, depth: number): ItcId {
  if (a === 0) return b;
  if (b === 0) return a;
  if (a === 1 || b === 1) {
    throw new ClocksError(
      "invalid-argument",
      "ItcStamp.join: the two stamps' ids overlap; only disjoint ids (from fork) can be joined",
    );
  }
  assert(depth <= MAX_DEPTH * 2, "ITC id depth bounded");
  return normId([sumId(a[0], b[0], depth + 1), sumId(a[1], b[1], depth + 1)]);
}

function idEquals(a: ItcId, b: ItcId): boolean {
  if (typeof a === "number" || typeof b === "number") return a === b;
  return idEquals(a[0], b[0]) && idEquals(a[1], b[1]);
}

function showId(id: ItcId): string {
  return typeof id === "number" ? String(id) : `(${showId(id[0])}, ${showId(id[1])})`;
}

function writeId(w: ByteWriter, id: ItcId): void {
  if (typeof id === "number") {
    w.byte(id);
    return;
  }
  w.byte(2);
  writeId(w, id[0]);
  writeId(w, id[1]);
}

function readId(r: ByteReader, depth: number): ItcId {
  const at = r.offset;
  if (depth > MAX_DEPTH) r.fail(`id tree deeper than ${MAX_DEPTH}`, at);
  const b = r.byte();
  if (b === 0 || b === 1) return b;
  if (b !== 2) r.fail(`bad id node byte ${b}; 0, 1 or 2 expected`, at);
  const l = readId(r, depth + 1);
  const rr = readId(r, depth + 1);
  if ((l === 0 && rr === 0) || (l === 1 && rr === 1)) r.fail("id tree is not normalised", at);
  return [l, rr];
}

// ---------- event trees ----------

function checkEvent(e: unknown, depth: number): ItcEvent {
  if (depth > MAX_DEPTH)
    throw new ClocksError("invalid-argument", `ItcStamp: event tree deeper than ${MAX_DEPTH}`);
  if (typeof e === "number") {
    if (!Number.isSafeInteger(e) || e < 0) {
      throw new ClocksError(
        "invalid-argument",
        `ItcStamp: event counters must be non-negative safe integers, got ${e}`,
      );
    }
    return e;
  }
  if (Array.isArray(e) && e.length === 3 && typeof e[0] === "number") {
    return [checkEvent(e[0], depth + 1) as number, checkEvent(e[1], depth + 1), checkEvent(e[2], depth + 1)];
  }
  throw new ClocksError("invalid-argument", "ItcStamp: an event is a counter n or a node [n, left, right]");
}

function lift(e: ItcEvent, m: number): ItcEvent {
  if (m === 0) return e;
  return typeof e === "number" ? e + m : [e[0] + m, e[1], e[2]];
}

function sink(e: ItcEvent, m: number): ItcEvent {
  return typeof e === "number" ? e - m : [e[0] - m, e[1], e[2]];
}

function minOf(e: ItcEvent): number {
  return typeof e === "number" ? e : e[0] + Math.min(minOf(e[1]), minOf(e[2]));
}

function maxOf(e: ItcEvent): number {
  return typeof e === "number" ? e : e[0] + Math.max(maxOf(e[1]), maxOf(e[2]));
}

/** Normalises a node whose children are normalised. */
function normNode(n: number, l: ItcEvent, r: ItcEvent): ItcEvent {
  if (typeof l === "number" && typeof r === "number" && l === r) return n + l;
  const m = Math.min(minOf(l), minOf(r));
  return [n + m, sink(l, m), sink(r, m)];
}

function normEvent(e: ItcEvent): ItcEvent {
  if (typeof e === "number") return e;
  return normNode(e[0], normEvent(e[1]), normEvent(e[2]));
}

function joinEvent(a: ItcEvent, b: ItcEvent): ItcEvent {
  if (typeof a === "number" && typeof b === "number") return Math.max(a, b);
  const an: readonly [number, ItcEvent, ItcEvent] = typeof a === "number" ? [a, 0, 0] : a;
  const bn: readonly [number, ItcEvent, ItcEvent] = typeof b === "number" ? [b, 0, 0] : b;
  if (an[0] > bn[0]) return joinEvent(bn, an);
  const d = bn[0] - an[0];
  return normNode(an[0], joinEvent(an[1], lift(bn[1], d)), joinEvent(an[2], lift(bn[2], d)));
}

function leq(a: ItcEvent, b: ItcEvent): boolean {
  if (typeof a === "number") return a <= (typeof b === "number" ? b : b[0]);
  if (typeof b === "number") {
    return a[0] <= b && leq(lift(a[1], a[0]), b) && leq(lift(a[2], a[0]), b);
  }
  return a[0] <= b[0] && leq(lift(a[1], a[0]), lift(b[1], b[0])) && leq(lift(a[2], a[0]), lift(b[2], b[0]));
}

function eventEquals(a: ItcEvent, b: ItcEvent): boolean {
  if (typeof a === "number" || typeof b === "number") return a === b;
  return a[0] === b[0] && eventEquals(a[1], b[1]) && eventEquals(a[2], b[2]);
}

/** Inflates `e` as much as possible within id `i` without growing the tree. */
function fill(i: ItcId, e: ItcEvent): ItcEvent {
  if (i === 0) return e;
  if (i === 1) return maxOf(e);
  if (typeof e === "number") return e;
  const [il, ir] = i;
  const [n, el, er] = e;
  if (il === 1) {
    const er2 = fill(ir, er);
    return normNode(n, Math.max(maxOf(el), minOf(er2)), er2);
  }
  if (ir === 1) {
    const el2 = fill(il, el);
    return normNode(n, el2, Math.max(maxOf(er), minOf(el2)));
  }
  return normNode(n, fill(il, el), fill(ir, er));
}

/** Inflates `e` by adding the smallest amount of new structure; returns the tree and its cost. */
function grow(i: ItcId, e: ItcEvent): [ItcEvent, number] {
  if (typeof e === "number") {
    if (i === 1) return [e + 1, 0];
    const [g, c] = grow(i, [e, 0, 0]);
    return [g, c + EXPAND_COST];
  }
  assert(typeof i !== "number", "ITC grow: id is a split when the event is a node");
  const [il, ir] = i;
  const [n, el, er] = e;
  if (il === 0) {
    const [er2, cr] = grow(ir, er);
    return [[n, el, er2], cr + 1];
  }
  if (ir === 0) {
    const [el2, cl] = grow(il, el);
    return [[n, el2, er], cl + 1];
  }
  const [el2, cl] = grow(il, el);
  const [er2, cr] = grow(ir, er);
  return cl < cr ? [[n, el2, er], cl + 1] : [[n, el, er2], cr + 1];
}

function showEvent(e: ItcEvent): string {
  return typeof e === "number" ? String(e) : `(${e[0]}, ${showEvent(e[1])}, ${showEvent(e[2])})`;
}

function writeEvent(w: ByteWriter, e: ItcEvent): void {
  if (typeof e === "number") {
    w.varint(e * 2);
    return;
  }
  w.varint(e[0] * 2 + 1);
  writeEvent(w, e[1]);
  writeEvent(w, e[2]);
}

function readEvent(r: ByteReader, depth: number): ItcEvent {
  const at = r.offset;
  if (depth > MAX_DEPTH) r.fail(`event tree deeper than ${MAX_DEPTH}`, at);
  const v = r.varint();
  const n = Math.floor(v / 2);
  if (v % 2 === 0) return n;
  const l = readEvent(r, depth + 1);
  const rr = readEvent(r, depth + 1);
  if (typeof l === "number" && typeof rr === "number" && l === rr) r.fail("event tree is not normalised", at);
  if (Math.min(minOf(l), minOf(rr)) !== 0) r.fail("event tree is not normalised", at);
  if (!Number.isSafeInteger(n + maxOf(l) + maxOf(rr))) r.fail("event counters exceed 2^53-1", at);
  return [n, l, rr];
}
