/**
 * Error codes thrown by this package.
 *
 * - `invalid-argument`: a mutator was called with a value it does not accept.
 * - `decode-error`: bytes given to a `decode` function are not a valid encoding.
 * - `type-mismatch`: two states of different kinds were merged.
 * - `limit-exceeded`: a bounded buffer (for example pending text operations) is full.
 *
 * @example
 * ```ts
 * import type { CrdtErrorCode } from "@distkit/crdt";
 * const retryable = (code: CrdtErrorCode): boolean => code === "limit-exceeded";
 * ```
 */
export type CrdtErrorCode = "invalid-argument" | "decode-error" | "type-mismatch" | "limit-exceeded";

/**
 * Base error of @distkit/crdt. Misuse and bad input throw it (or a subclass) with a machine-readable `code`.
 *
 * @example
 * ```ts
 * import { CrdtError, PNCounter } from "@distkit/crdt";
 * try {
 *   new PNCounter("a").increment(-1);
 * } catch (e) {
 *   if (e instanceof CrdtError) console.log(e.code); // "invalid-argument"
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
 * Thrown by every `decode` function when the input is not a valid encoding (code `decode-error`).
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
    super("decode-error", message);
    this.name = "DecodeError";
  }
}

/** Throws an invalid-argument error. @internal */
export function invalidArgument(message: string): never {
  throw new CrdtError("invalid-argument", message);
}

/** Asserts an internal invariant; stays on in production. @internal */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`@distkit/crdt internal invariant violated: ${message}`);
}
