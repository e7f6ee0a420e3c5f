/**
 * The `code` of a {@link ClocksError}: what kind of misuse or bad input was rejected.
 *
 * - `invalid-argument`: a parameter is out of range or of the wrong shape.
 * - `max-offset-exceeded`: a remote hybrid-logical-clock timestamp is further ahead of the local
 *   physical clock than the configured maximum offset allows.
 * - `logical-overflow`: the 16-bit logical counter of a hybrid logical clock would overflow.
 * - `physical-overflow`: a physical time does not fit in 48 bits of milliseconds.
 * - `decode-truncated`: encoded bytes ended before the value was complete.
 * - `decode-invalid`: encoded bytes are malformed (bad tag, non-canonical varint, unsorted ids,
 *   invalid UTF-8, zero counter, trailing bytes and so on).
 *
 * @example
 * ```ts
 * import { ClocksError, type ClocksErrorCode } from "@distkit/clocks";
 * const isDecodeProblem = (code: ClocksErrorCode): boolean => code.startsWith("decode-");
 * ```
 */
export type ClocksErrorCode =
  | "invalid-argument"
  | "max-offset-exceeded"
  | "logical-overflow"
  | "physical-overflow"
  | "decode-truncated"
  | "decode-invalid";

/**
 * The error thrown by `@distkit/clocks` on misuse and bad input. Its `code` says which rule was broken;
 * its message says what was wrong and what is accepted.
 *
 * @example
 * ```ts
 * import { ClocksError, VectorClock } from "@distkit/clocks";
 * try {
 *   VectorClock.from({ a: -1 });
 * } catch (e) {
 *   if (e instanceof ClocksError) console.log(e.code); // "invalid-argument"
 * }
 * ```
 */
export class ClocksError extends Error {
  /** Which rule was broken. */
  readonly code: ClocksErrorCode;

  /**
   * @param code - which rule was broken
   * @param message - what was wrong and what is accepted
   */
  constructor(code: ClocksErrorCode, message: string) {
    super(message);
    this.name = "ClocksError";
    this.code = code;
  }
}

/**
 * Thrown by every `decode` function when the bytes are truncated or corrupted. Decoding never returns a
 * half-built value.
 *
 * @example
 * ```ts
 * import { DecodeError, VectorClock } from "@distkit/clocks";
 * const bytes = VectorClock.from({ a: 1 }).encode();
 * try {
 *   VectorClock.decode(bytes.subarray(0, bytes.length - 1));
 * } catch (e) {
 *   if (e instanceof DecodeError) console.log(e.code, e.offset); // "decode-truncated" ...
 * }
 * ```
 */
export class DecodeError extends ClocksError {
  /** Byte offset at which decoding failed. */
  readonly offset: number;

  /**
   * @param code - `decode-truncated` or `decode-invalid`
   * @param message - what was wrong and what is accepted
   * @param offset - byte offset at which decoding failed
   */
  constructor(code: "decode-truncated" | "decode-invalid", message: string, offset: number) {
    super(code, `${message} (at byte ${offset})`);
    this.name = "DecodeError";
    this.offset = offset;
  }
}

/**
 * Thrown by {@link HybridLogicalClock.receive} when a remote timestamp is further ahead of the local
 * physical clock than `maxOffsetMs`: accepting it would drag this node's clock into the future.
 *
 * @example
 * ```ts
 * import { ClockOffsetError, HybridLogicalClock } from "@distkit/clocks";
 * const hlc = new HybridLogicalClock({ now: () => 1_000, maxOffsetMs: 100 });
 * try {
 *   hlc.receive({ physicalMs: 5_000, logical: 0 });
 * } catch (e) {
 *   if (e instanceof ClockOffsetError) console.log(e.offsetMs); // 4000
 * }
 * ```
 */
export class ClockOffsetError extends ClocksError {
  /** How far ahead of the local physical clock the remote timestamp was, in milliseconds. */
  readonly offsetMs: number;
  /** The configured bound that was exceeded, in milliseconds. */
  readonly maxOffsetMs: number;

  /**
   * @param offsetMs - how far ahead the remote timestamp was
   * @param maxOffsetMs - the configured bound
   */
  constructor(offsetMs: number, maxOffsetMs: number) {
    super(
      "max-offset-exceeded",
      `remote timestamp is ${offsetMs} ms ahead of the local physical clock; at most maxOffsetMs=${maxOffsetMs} ms is accepted`,
    );
    this.name = "ClockOffsetError";
    this.offsetMs = offsetMs;
    this.maxOffsetMs = maxOffsetMs;
  }
}

/** Internal assertion: an invariant of this package broke. Stays on in production. */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`@distkit/clocks internal invariant violated: ${message}`);
}

/** Throws `invalid-argument` unless `n` is a safe non-negative integer. */
export function checkCounter(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new ClocksError(
      "invalid-argument",
      `${what} must be a non-negative safe integer (0..2^53-1), got ${String(n)}`,
    );
  }
}

/** Throws `invalid-argument` unless `id` is a string. */
export function checkId(id: string, what: string): void {
  if (typeof id !== "string") {
    throw new ClocksError("invalid-argument", `${what} must be a string, got ${typeof id}`);
  }
}
