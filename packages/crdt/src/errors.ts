/**
 * Error codes thrown by this package.
 *
 * - `INVALID_ARGUMENT`: a mutator was called with a value it does not accept.
 * - `DECODE_ERROR`: bytes given to a `decode` function are not a valid encoding.
 * - `TYPE_MISMATCH`: two states of different kinds were merged.
 * - `LIMIT_EXCEEDED`: a bounded buffer (for example pending text operations) is full.
 *
 * @example
 * ```ts
 * import type { CrdtErrorCode } from "@distkit/crdt";
 * const retryable = (code: CrdtErrorCode): boolean => code === "LIMIT_EXCEEDED";
 * ```
 */
export type CrdtErrorCode = "INVALID_ARGUMENT" | "DECODE_ERROR" | "TYPE_MISMATCH" | "LIMIT_EXCEEDED";

/**
 * Base error of @distkit/crdt. Misuse and bad input throw it (or a subclass) with a machine-readable `code`.
 *
 * @example
 * ```ts
 * import { CrdtError, PNCounter } from "@distkit/crdt";
 * try {
 *   new PNCounter("a").increment(-1);
 * } catch (e) {
 *   if (e instanceof CrdtError) console.log(e.code); // "INVALID_ARGUMENT"
 * }
 * ```
 */
export class CrdtError extends Error {
  /** Machine-readable error code. */
  readonly code: CrdtErrorCode;
  /**
   * @param code - machine-readable code
   * @param message - what was wrong and what is accepted
   */
  constructor(code: CrdtErrorCode, message: string) {
    super(message);
    this.name = "CrdtError";
    this.code = code;
  }
}

/**
 * Thrown by every `decode` function when the input is not a valid encoding (code `DECODE_ERROR`).
 *
 * @example
 * ```ts
 * import { DecodeError, GCounter } from "@distkit/crdt";
 * try {
 *   GCounter.decode(new Uint8Array([1, 2, 3]), "a");
 * } catch (e) {
 *   console.log(e instanceof DecodeError); // true
 * }
 * ```
 */
export class DecodeError extends CrdtError {
  /** @param message - what was wrong with the input */
  constructor(message: string) {
    super("DECODE_ERROR", message);
    this.name = "DecodeError";
  }
}

/** Throws an INVALID_ARGUMENT error. @internal */
export function invalidArgument(message: string): never {
  throw new CrdtError("INVALID_ARGUMENT", message);
}

/** Asserts an internal invariant; stays on in production. @internal */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`@distkit/crdt internal invariant violated: ${message}`);
}
