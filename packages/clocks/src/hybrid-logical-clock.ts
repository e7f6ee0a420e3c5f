import { ByteReader } from "./encoding.js";
import { ClockOffsetError, ClocksError, DecodeError, assert } from "./errors.js";

/**
 * A hybrid logical clock timestamp `(l, c)` of Kulkarni et al. 2014: `physicalMs` is the largest
 * physical time (integer milliseconds) the clock has heard of, `logical` orders events that share it.
 * Fits in 64 bits: 48 bits of milliseconds (good until year 10889) and 16 bits of logical counter.
 *
 * @example
 * ```ts
 * import { type HlcTimestamp, compareHlc } from "@distkit/clocks";
 * const a: HlcTimestamp = { physicalMs: 1000, logical: 1 };
 * compareHlc(a, { physicalMs: 1000, logical: 2 }); // -1
 * ```
 */
export interface HlcTimestamp {
  /** The `l` component: integer milliseconds, 0..2^48-1. */
  readonly physicalMs: number;
  /** The `c` component: 0..65535. */
  readonly logical: number;
}

/**
 * Largest physical time an {@link HlcTimestamp} can hold: 2^48-1 ms.
 *
 * @example
 * ```ts
 * import { HLC_MAX_PHYSICAL_MS } from "@distkit/clocks";
 * HLC_MAX_PHYSICAL_MS === 2 ** 48 - 1; // true
 * ```
 */
export const HLC_MAX_PHYSICAL_MS = 2 ** 48 - 1;

/**
 * Largest logical counter an {@link HlcTimestamp} can hold: 2^16-1.
 *
 * @example
 * ```ts
 * import { HLC_MAX_LOGICAL } from "@distkit/clocks";
 * HLC_MAX_LOGICAL; // 65535
 * ```
 */
export const HLC_MAX_LOGICAL = 0xffff;

/**
 * Builds a validated {@link HlcTimestamp}. Throws {@link ClocksError}: `invalid-argument` unless both
 * parts are non-negative integers, `physical-overflow` / `logical-overflow` when they do not fit 48/16 bits.
 *
 * @example
 * ```ts
 * import { hlcTimestamp } from "@distkit/clocks";
 * hlcTimestamp(1_700_000_000_000, 0);
 * ```
 */
export function hlcTimestamp(physicalMs: number, logical: number): HlcTimestamp {
  checkPhysical(physicalMs, "hlcTimestamp: physicalMs");
  checkLogical(logical, "hlcTimestamp: logical");
  return { physicalMs, logical };
}

function checkPhysical(ms: number, what: string): void {
  if (!Number.isInteger(ms) || ms < 0) {
    throw new ClocksError("invalid-argument", `${what} must be a non-negative integer of ms, got ${ms}`);
  }
  if (ms > HLC_MAX_PHYSICAL_MS) {
    throw new ClocksError(
      "physical-overflow",
      `${what} ${ms} does not fit in 48 bits (max ${HLC_MAX_PHYSICAL_MS})`,
    );
  }
}

function checkLogical(c: number, what: string): void {
  if (!Number.isInteger(c) || c < 0) {
    throw new ClocksError("invalid-argument", `${what} must be a non-negative integer, got ${c}`);
  }
  if (c > HLC_MAX_LOGICAL) {
    throw new ClocksError(
      "logical-overflow",
      `${what} ${c} does not fit in 16 bits (max ${HLC_MAX_LOGICAL})`,
    );
  }
}

/**
 * Lexicographic order on `(physicalMs, logical)`: -1, 0 or 1. HLC order extends happened-before: if
 * event e happened before f then `compareHlc(hlc(e), hlc(f)) < 0`.
 *
 * @example
 * ```ts
 * import { compareHlc } from "@distkit/clocks";
 * compareHlc({ physicalMs: 2, logical: 0 }, { physicalMs: 1, logical: 9 }); // 1
 * ```
 */
export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): -1 | 0 | 1 {
  if (a.physicalMs !== b.physicalMs) return a.physicalMs < b.physicalMs ? -1 : 1;
  return a.logical < b.logical ? -1 : a.logical > b.logical ? 1 : 0;
}

/**
 * Options of {@link HybridLogicalClock}.
 *
 * @example
 * ```ts
 * import { HybridLogicalClock, type HybridLogicalClockOptions } from "@distkit/clocks";
 * const options: HybridLogicalClockOptions = { now: () => ctx.now(), maxOffsetMs: 250 };
 * const hlc = new HybridLogicalClock(options);
 * ```
 */
export interface HybridLogicalClockOptions {
  /**
   * The local physical clock in milliseconds, e.g. `ctx.now` in sim-net. Fractions are floored;
   * negative readings count as 0; NaN and infinities are rejected.
   */
  readonly now: () => number;
  /**
   * Largest amount a remote timestamp may be ahead of the local physical clock before
   * {@link HybridLogicalClock.receive} rejects it with a {@link ClockOffsetError}. Default 500 ms (as in
   * CockroachDB); `Infinity` disables the guard.
   */
  readonly maxOffsetMs?: number;
  /** Start state, e.g. restored from durable storage. Default `{ physicalMs: 0, logical: 0 }`. */
  readonly initial?: HlcTimestamp;
}

/**
 * A hybrid logical clock (Kulkarni, Demirbas, Madappa, Avva, Leone: "Logical Physical Clocks", 2014).
 * Timestamps stay close to physical time (`l - pt` is bounded by the clock skew) while, like Lamport
 * clocks, they respect causality: a receive is always stamped after the matching send. Used for
 * last-writer-wins registers and MVCC.
 *
 * The clock is a mutable per-node object: {@link HybridLogicalClock.now} is the send/local-event rule,
 * {@link HybridLogicalClock.receive} the receive rule. A state change is atomic: a method that throws
 * leaves the clock as it was.
 *
 * @example
 * ```ts
 * import { HybridLogicalClock } from "@distkit/clocks";
 * let wallMs = 1000;
 * const hlc = new HybridLogicalClock({ now: () => wallMs, maxOffsetMs: 250 });
 * hlc.now();                                   // { physicalMs: 1000, logical: 0 }
 * hlc.now();                                   // { physicalMs: 1000, logical: 1 }
 * hlc.receive({ physicalMs: 1100, logical: 7 }); // { physicalMs: 1100, logical: 8 }
 * wallMs = 1200;
 * hlc.now();                                   // { physicalMs: 1200, logical: 0 }
 * ```
 */
export class HybridLogicalClock {
  private l: number;
  private c: number;
  private readonly clock: () => number;
  /** The configured bound on how far ahead a remote timestamp may be, in ms. */
  readonly maxOffsetMs: number;

  /**
   * @param options - the physical clock, the offset bound and an optional start state
   */
  constructor(options: HybridLogicalClockOptions) {
    if (typeof options?.now !== "function") {
      throw new ClocksError(
        "invalid-argument",
        "HybridLogicalClock: options.now must be a function returning ms",
      );
    }
    const maxOffsetMs = options.maxOffsetMs ?? 500;
    if (!(maxOffsetMs >= 0)) {
      throw new ClocksError(
        "invalid-argument",
        `HybridLogicalClock: maxOffsetMs must be >= 0 (or Infinity), got ${maxOffsetMs}`,
      );
    }
    const initial = options.initial ?? { physicalMs: 0, logical: 0 };
    checkPhysical(initial.physicalMs, "HybridLogicalClock: initial.physicalMs");
    checkLogical(initial.logical, "HybridLogicalClock: initial.logical");
    this.clock = options.now;
    this.maxOffsetMs = maxOffsetMs;
    this.l = initial.physicalMs;
    this.c = initial.logical;
  }

  private physicalNow(): number {
    const raw = this.clock();
    if (typeof raw !== "number" || !Number.isFinite(raw)) {
      throw new ClocksError(
        "invalid-argument",
        `HybridLogicalClock: the physical clock returned ${String(raw)}; a finite number of ms is required`,
      );
    }
    // Readings before the epoch (a simulated clock with a negative offset near time 0) count as 0:
    // HLC stays monotonic and causal; only the closeness to physical time is lost while pt < 0.
    const pt = raw < 0 ? 0 : Math.floor(raw);
    if (pt > HLC_MAX_PHYSICAL_MS) {
      throw new ClocksError(
        "physical-overflow",
        `HybridLogicalClock: physical time ${pt} does not fit 48 bits`,
      );
    }
    return pt;
  }

  /**
   * The latest timestamp issued or absorbed, without advancing the clock.
   *
   * @example
   * ```ts
   * import { HybridLogicalClock } from "@distkit/clocks";
   * new HybridLogicalClock({ now: () => 5 }).peek(); // { physicalMs: 0, logical: 0 }
   * ```
   */
  peek(): HlcTimestamp {
    return { physicalMs: this.l, logical: this.c };
  }

  /**
   * The send / local-event rule: `l := max(l, pt)`; `c := c + 1` if `l` did not change, else 0. Returns
   * the new timestamp, strictly greater than every earlier one of this clock. Throws
   * {@link ClocksError} `logical-overflow` if 65536 events share one millisecond.
   *
   * @example
   * ```ts
   * import { HybridLogicalClock } from "@distkit/clocks";
   * const hlc = new HybridLogicalClock({ now: () => 7 });
   * hlc.now(); // { physicalMs: 7, logical: 0 }
   * ```
   */
  now(): HlcTimestamp {
    const pt = this.physicalNow();
    let l = this.l;
    let c: number;
    if (pt > l) {
      l = pt;
      c = 0;
    } else {
      c = this.c + 1;
    }
    return this.commit(l, c);
  }

  /**
   * The receive rule for a message stamped `remote`:
   * `l := max(l, remote.l, pt)`, with `c` from whichever of the previous and remote states set `l`,
   * plus one (0 if `pt` alone set it). The result is strictly greater than both the previous state
   * and `remote`.
   *
   * Throws {@link ClockOffsetError} (leaving the clock untouched) if `remote.physicalMs` is more than
   * `maxOffsetMs` ahead of the local physical clock, and {@link ClocksError} `logical-overflow` if
   * the logical counter would not fit 16 bits.
   *
   * @example
   * ```ts
   * import { HybridLogicalClock } from "@distkit/clocks";
   * const hlc = new HybridLogicalClock({ now: () => 10 });
   * hlc.receive({ physicalMs: 12, logical: 3 }); // { physicalMs: 12, logical: 4 }
   * ```
   */
  receive(remote: HlcTimestamp): HlcTimestamp {
    checkPhysical(remote?.physicalMs, "HybridLogicalClock.receive: remote.physicalMs");
    checkLogical(remote.logical, "HybridLogicalClock.receive: remote.logical");
    const pt = this.physicalNow();
    const aheadMs = remote.physicalMs - pt;
    if (aheadMs > this.maxOffsetMs) throw new ClockOffsetError(aheadMs, this.maxOffsetMs);
    const lOld = this.l;
    const lm = remote.physicalMs;
    const l = Math.max(lOld, lm, pt);
    let c: number;
    if (l === lOld && l === lm) c = Math.max(this.c, remote.logical) + 1;
    else if (l === lOld) c = this.c + 1;
    else if (l === lm) c = remote.logical + 1;
    else c = 0;
    return this.commit(l, c);
  }

  private commit(l: number, c: number): HlcTimestamp {
    if (c > HLC_MAX_LOGICAL) {
      throw new ClocksError(
        "logical-overflow",
        `HybridLogicalClock: more than ${HLC_MAX_LOGICAL + 1} events at physical time ${l} ms; the 16-bit logical counter overflowed`,
      );
    }
    assert(l > this.l || (l === this.l && c > this.c), "HLC must advance strictly");
    this.l = l;
    this.c = c;
    return { physicalMs: l, logical: c };
  }
}

/**
 * Packs a timestamp into one unsigned 64-bit integer: `physicalMs << 16 | logical`. Integer order
 * equals {@link compareHlc} order.
 *
 * @example
 * ```ts
 * import { hlcToBigInt } from "@distkit/clocks";
 * hlcToBigInt({ physicalMs: 1, logical: 2 }); // 65538n
 * ```
 */
export function hlcToBigInt(ts: HlcTimestamp): bigint {
  checkPhysical(ts.physicalMs, "hlcToBigInt: physicalMs");
  checkLogical(ts.logical, "hlcToBigInt: logical");
  return (BigInt(ts.physicalMs) << 16n) | BigInt(ts.logical);
}

/**
 * Inverse of {@link hlcToBigInt}. Throws {@link ClocksError} `invalid-argument` unless
 * `0 <= packed < 2^64`.
 *
 * @example
 * ```ts
 * import { hlcFromBigInt } from "@distkit/clocks";
 * hlcFromBigInt(65538n); // { physicalMs: 1, logical: 2 }
 * ```
 */
export function hlcFromBigInt(packed: bigint): HlcTimestamp {
  if (typeof packed !== "bigint" || packed < 0n || packed >= 1n << 64n) {
    throw new ClocksError(
      "invalid-argument",
      `hlcFromBigInt: expected a bigint in [0, 2^64), got ${String(packed)}`,
    );
  }
  return { physicalMs: Number(packed >> 16n), logical: Number(packed & 0xffffn) };
}

/**
 * Encodes a timestamp as 8 big-endian bytes (48-bit physical, 16-bit logical); byte order equals
 * timestamp order.
 *
 * @example
 * ```ts
 * import { encodeHlc } from "@distkit/clocks";
 * encodeHlc({ physicalMs: 1, logical: 2 }); // Uint8Array [0,0,0,0,0,1,0,2]
 * ```
 */
export function encodeHlc(ts: HlcTimestamp): Uint8Array {
  checkPhysical(ts.physicalMs, "encodeHlc: physicalMs");
  checkLogical(ts.logical, "encodeHlc: logical");
  const out = new Uint8Array(8);
  let p = ts.physicalMs;
  for (let i = 5; i >= 0; i--) {
    out[i] = p % 256;
    p = Math.floor(p / 256);
  }
  out[6] = ts.logical >>> 8;
  out[7] = ts.logical & 0xff;
  return out;
}

/**
 * Decodes the 8 bytes of {@link encodeHlc}. Throws {@link DecodeError} unless given exactly 8 bytes.
 *
 * @example
 * ```ts
 * import { decodeHlc, encodeHlc } from "@distkit/clocks";
 * decodeHlc(encodeHlc({ physicalMs: 9, logical: 1 })); // { physicalMs: 9, logical: 1 }
 * ```
 */
export function decodeHlc(bytes: Uint8Array): HlcTimestamp {
  const r = new ByteReader(bytes, "decodeHlc");
  let p = 0;
  for (let i = 0; i < 6; i++) p = p * 256 + r.byte();
  const logical = (r.byte() << 8) | r.byte();
  r.end();
  return { physicalMs: p, logical };
}

const STRING_FORM = /^(\d{15})\.(\d{5})$/;

/**
 * A fixed-width decimal string `PPPPPPPPPPPPPPP.LLLLL` (15 digits of ms, 5 of logical counter) that
 * sorts lexicographically in timestamp order and is readable.
 *
 * @example
 * ```ts
 * import { hlcToString } from "@distkit/clocks";
 * hlcToString({ physicalMs: 1_700_000_000_000, logical: 3 }); // "001700000000000.00003"
 * ```
 */
export function hlcToString(ts: HlcTimestamp): string {
  checkPhysical(ts.physicalMs, "hlcToString: physicalMs");
  checkLogical(ts.logical, "hlcToString: logical");
  return `${String(ts.physicalMs).padStart(15, "0")}.${String(ts.logical).padStart(5, "0")}`;
}

/**
 * Parses the output of {@link hlcToString}. Throws {@link DecodeError} (`decode-invalid`) on any other
 * string, including out-of-range parts.
 *
 * @example
 * ```ts
 * import { hlcFromString } from "@distkit/clocks";
 * hlcFromString("000000000000042.00001"); // { physicalMs: 42, logical: 1 }
 * ```
 */
export function hlcFromString(s: string): HlcTimestamp {
  const m = typeof s === "string" ? STRING_FORM.exec(s) : null;
  if (m === null) {
    throw new DecodeError(
      "decode-invalid",
      `hlcFromString: expected "<15 digits>.<5 digits>", got ${JSON.stringify(String(s)).slice(0, 60)}`,
      0,
    );
  }
  const physicalMs = Number(m[1]);
  const logical = Number(m[2]);
  if (physicalMs > HLC_MAX_PHYSICAL_MS || logical > HLC_MAX_LOGICAL) {
    throw new DecodeError("decode-invalid", "hlcFromString: physical or logical part out of range", 0);
  }
  return { physicalMs, logical };
}
