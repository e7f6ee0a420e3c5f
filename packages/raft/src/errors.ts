/**
 * The error class of @distkit/raft: thrown for bad configuration and misuse, never for expected
 * outcomes (not leader, dropped proposal, timeout), which are returned as values.
 * @module
 */

/**
 * Machine-readable reason of a {@link RaftError}.
 *
 * @example
 * ```ts
 * const code: RaftErrorCode = "invalid-config";
 * ```
 */
export type RaftErrorCode =
  | "invalid-config"
  | "invalid-argument"
  | "invalid-message"
  | "corrupt-storage"
  | "invariant-violation";

/**
 * Thrown when a Raft configuration or call is invalid, when storage is corrupt, or when an internal
 * invariant is broken. `code` says which; the message says what was wrong and what is accepted.
 *
 * @example
 * ```ts
 * import { RaftError, resolveRaftConfig } from "@distkit/raft";
 * try {
 *   resolveRaftConfig({ electionTimeoutMs: 10, heartbeatIntervalMs: 50 });
 * } catch (e) {
 *   if (e instanceof RaftError) console.log(e.code); // "invalid-config"
 * }
 * ```
 */
export class RaftError extends Error {
  /** Why the error was thrown. */
  readonly code: RaftErrorCode;

  /** Creates an error with a code and a message saying what was wrong and what is accepted. */
  constructor(code: RaftErrorCode, message: string) {
    super(message);
    this.name = "RaftError";
    this.code = code;
  }
}

/** Throws an invariant-violation {@link RaftError} when `condition` is false. Assertions stay on. */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RaftError("invariant-violation", `raft invariant violated: ${message}`);
}
