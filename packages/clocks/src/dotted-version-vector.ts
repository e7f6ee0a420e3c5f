import type { Dot } from "./dot.js";
import { ByteReader, ByteWriter, Tag } from "./encoding.js";
import { ClocksError, checkCounter, checkId, DecodeError } from "./errors.js";

type DecodeCode = "decode-truncated" | "decode-invalid";
import type { Ordering } from "./ordering.js";
import { VersionVector } from "./version-vector.js";

/**
 * A dotted version vector (Preguiça, Baquero, Almeida, Fonte, Gonçalves: "Dotted Version Vectors:
 * Logical Clocks for Optimistic Replication", 2010/2012): the clock of one sibling value. It is a
 * version vector `context` (the history the writer had seen) plus one `dot` (the write itself), with
 * `dot.counter > context.get(dot.replica)`. The dot may leave a gap after the context: that is exactly
 * what lets a server name a write from a client with a stale context without pretending the client saw
 * the writes in between, so concurrent writes through one server are not mistaken for ordered ones.
 *
 * It stands for the set of events `context ∪ {dot}`; {@link DottedVersionVector.compare} is inclusion of
 * those sets. For a whole key with its siblings, prefer the compact {@link DVVSet}.
 *
 * @example
 * ```ts
 * import { DottedVersionVector, VersionVector } from "@distkit/clocks";
 * // server r1 has issued dots r1:1 and r1:2; a client that read only r1:1 writes again:
 * const stale = VersionVector.from({ r1: 1 });
 * const w3 = DottedVersionVector.update(stale, [DottedVersionVector.create({ replica: "r1", counter: 2 }, stale)], "r1");
 * w3.dot;                                                    // { replica: "r1", counter: 3 }
 * w3.compare(DottedVersionVector.create({ replica: "r1", counter: 2 }, stale)); // "concurrent"
 * ```
 */
export class DottedVersionVector {
  private constructor(
    /** The write this clock names. */
    readonly dot: Dot,
    /** The history its writer had seen. */
    readonly context: VersionVector,
  ) {}

  /**
   * Builds a clock, validating `dot.counter > context.get(dot.replica)`; throws {@link ClocksError}
   * `invalid-argument` otherwise.
   *
   * @example
   * ```ts
   * import { DottedVersionVector, VersionVector } from "@distkit/clocks";
   * DottedVersionVector.create({ replica: "a", counter: 3 }, VersionVector.from({ a: 1 }));
   * ```
   */
  static create(dot: Dot, context: VersionVector = VersionVector.empty()): DottedVersionVector {
    checkId(dot?.replica, "DottedVersionVector: dot.replica");
    checkCounter(dot.counter, "DottedVersionVector: dot.counter");
    if (dot.counter <= context.get(dot.replica)) {
      throw new ClocksError(
        "invalid-argument",
        `DottedVersionVector: dot ${dot.replica}:${dot.counter} must be above its context entry ${context.get(dot.replica)}`,
      );
    }
    return new DottedVersionVector({ replica: dot.replica, counter: dot.counter }, context);
  }

  /**
   * The server-side update rule: a new clock for a write at `replica` whose client read `context`,
   * given the clocks `siblings` the replica currently stores for the key. Its dot is
   * `replica : 1 + (highest counter of replica in context and siblings)` and its context is `context`,
   * so it dominates exactly what the client had seen.
   *
   * @example
   * ```ts
   * import { DottedVersionVector, VersionVector } from "@distkit/clocks";
   * DottedVersionVector.update(VersionVector.empty(), [], "r1").dot; // { replica: "r1", counter: 1 }
   * ```
   */
  static update(
    context: VersionVector,
    siblings: Iterable<DottedVersionVector>,
    replica: string,
  ): DottedVersionVector {
    checkId(replica, "DottedVersionVector.update: replica");
    let max = context.get(replica);
    for (const s of siblings) max = Math.max(max, s.maxCounter(replica));
    return DottedVersionVector.create({ replica, counter: max + 1 }, context);
  }

  /**
   * Keeps the clocks of `clocks` that no other clock in it strictly dominates (one copy of equal
   * ones): the siblings that survive merging two replicas' sibling lists.
   *
   * @example
   * ```ts
   * import { DottedVersionVector } from "@distkit/clocks";
   * const a = DottedVersionVector.create({ replica: "r1", counter: 1 });
   * DottedVersionVector.sync([a, a]).length; // 1
   * ```
   */
  static sync(clocks: Iterable<DottedVersionVector>): DottedVersionVector[] {
    const all = [...clocks];
    const out: DottedVersionVector[] = [];
    for (let i = 0; i < all.length; i++) {
      const c = all[i]!;
      let keep = true;
      for (let j = 0; j < all.length && keep; j++) {
        if (i === j) continue;
        const o = c.compare(all[j]!);
        if (o === "before" || (o === "equal" && j < i)) keep = false;
      }
      if (keep) out.push(c);
    }
    return out;
  }

  /**
   * The version vector covering every clock in `clocks`: the context a client should send back.
   *
   * @example
   * ```ts
   * import { DottedVersionVector } from "@distkit/clocks";
   * DottedVersionVector.join([DottedVersionVector.create({ replica: "r1", counter: 2 })]).toJSON(); // { r1: 2 }
   * ```
   */
  static join(clocks: Iterable<DottedVersionVector>): VersionVector {
    let acc = VersionVector.empty();
    for (const c of clocks) acc = acc.merge(c.context).withDot(c.dot);
    return acc;
  }

  /**
   * Rebuilds a clock from {@link DottedVersionVector.toJSON} output, validating it like
   * {@link DottedVersionVector.create}.
   *
   * @example
   * ```ts
   * import { DottedVersionVector } from "@distkit/clocks";
   * DottedVersionVector.fromJSON({ dot: { replica: "r", counter: 2 }, context: { r: 1 } }).dot.counter; // 2
   * ```
   */
  static fromJSON(json: {
    readonly dot: Dot;
    readonly context: Record<string, number>;
  }): DottedVersionVector {
    if (json === null || typeof json !== "object" || json.dot === null || typeof json.dot !== "object") {
      throw new ClocksError(
        "invalid-argument",
        "DottedVersionVector.fromJSON: expected { dot: { replica, counter }, context }",
      );
    }
    return DottedVersionVector.create(json.dot, VersionVector.fromJSON(json.context));
  }

  /**
   * Decodes bytes from {@link DottedVersionVector.encode}; throws {@link DecodeError} on bad input.
   *
   * @example
   * ```ts
   * import { DottedVersionVector } from "@distkit/clocks";
   * const d = DottedVersionVector.create({ replica: "r", counter: 1 });
   * DottedVersionVector.decode(d.encode()).dot.counter; // 1
   * ```
   */
  static decode(bytes: Uint8Array): DottedVersionVector {
    const r = new ByteReader(bytes, "DottedVersionVector.decode");
    r.header(Tag.dottedVersionVector);
    const replica = r.string();
    const cAt = r.offset;
    const counter = r.varint();
    const ctxAt = r.offset;
    const ctxBytes = r.bytes();
    r.end();
    let context: VersionVector;
    try {
      context = VersionVector.decode(ctxBytes);
    } catch (e) {
      if (e instanceof DecodeError)
        throw new DecodeError(e.code as DecodeCode, `context: ${e.message}`, ctxAt);
      throw e;
    }
    if (counter < 1 || counter <= context.get(replica)) {
      r.fail("dot counter must be >= 1 and above its context entry", cAt);
    }
    return new DottedVersionVector({ replica, counter }, context);
  }

  /** Highest counter of `replica` among the events of this clock. */
  private maxCounter(replica: string): number {
    return this.dot.replica === replica ? this.dot.counter : this.context.get(replica);
  }

  /** Contiguous prefix of `replica`'s events held by this clock: dots 1..n are all included. */
  private contiguous(replica: string): number {
    const base = this.context.get(replica);
    return this.dot.replica === replica && this.dot.counter === base + 1 ? base + 1 : base;
  }

  /**
   * True when the event `d` belongs to this clock's history (`context` or the dot itself).
   *
   * @example
   * ```ts
   * import { DottedVersionVector } from "@distkit/clocks";
   * DottedVersionVector.create({ replica: "r", counter: 3 }).includes({ replica: "r", counter: 2 }); // false
   * ```
   */
  includes(d: Dot): boolean {
    return (d.replica === this.dot.replica && d.counter === this.dot.counter) || this.context.includes(d);
  }

  private subsetOf(other: DottedVersionVector): boolean {
    if (!other.includes(this.dot)) return false;
    for (const [id, n] of this.context.entries()) if (n > other.contiguous(id)) return false;
    return true;
  }

  /**
   * Compares the event sets: `before` (this one's history is contained in `other`'s), `after`, `equal`
   * or `concurrent`. Constant time in the dot check plus one pass over the context.
   *
   * @example
   * ```ts
   * import { DottedVersionVector, VersionVector } from "@distkit/clocks";
   * const a = DottedVersionVector.create({ replica: "r", counter: 1 });
   * const b = DottedVersionVector.create({ replica: "r", counter: 2 }, VersionVector.from({ r: 1 }));
   * a.compare(b); // "before"
   * ```
   */
  compare(other: DottedVersionVector): Ordering {
    const le = this.subsetOf(other);
    const ge = other.subsetOf(this);
    return le ? (ge ? "equal" : "before") : ge ? "after" : "concurrent";
  }

  /**
   * The smallest version vector containing this clock's history (context with the dot added).
   *
   * @example
   * ```ts
   * import { DottedVersionVector } from "@distkit/clocks";
   * DottedVersionVector.create({ replica: "r", counter: 2 }).toVersionVector().toJSON(); // { r: 2 }
   * ```
   */
  toVersionVector(): VersionVector {
    return this.context.withDot(this.dot);
  }

  /**
   * JSON-friendly form: the dot and the context as a `{ replica: counter }` record.
   *
   * @example
   * ```ts
   * import { DottedVersionVector } from "@distkit/clocks";
   * DottedVersionVector.create({ replica: "r", counter: 1 }).toJSON(); // { dot: { replica: "r", counter: 1 }, context: {} }
   * ```
   */
  toJSON(): { dot: Dot; context: Record<string, number> } {
    return { dot: { replica: this.dot.replica, counter: this.dot.counter }, context: this.context.toJSON() };
  }

  /**
   * Compact binary form: tag, version, dot (UTF-8 replica, varint counter), then the length-prefixed
   * encoding of the context version vector.
   *
   * @example
   * ```ts
   * import { DottedVersionVector } from "@distkit/clocks";
   * DottedVersionVector.create({ replica: "r", counter: 1 }).encode();
   * ```
   */
  encode(): Uint8Array {
    const w = new ByteWriter(32);
    w.header(Tag.dottedVersionVector);
    w.string(this.dot.replica);
    w.varint(this.dot.counter);
    w.bytes(this.context.encode());
    return w.finish();
  }

  /**
   * A readable form, e.g. `DVV(r1:3 | {"r1":1})`.
   *
   * @example
   * ```ts
   * import { DottedVersionVector } from "@distkit/clocks";
   * String(DottedVersionVector.create({ replica: "r1", counter: 1 })); // "DVV(r1:1 | {})"
   * ```
   */
  toString(): string {
    return `DVV(${this.dot.replica}:${this.dot.counter} | ${JSON.stringify(this.context.toJSON())})`;
  }
}
