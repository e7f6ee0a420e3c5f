/**
 * The error class every misuse of the package throws.
 * @module
 */

/**
 * What was wrong, as a stable machine-readable code.
 *
 * - `invalid-commit-mode`: a commit mode that cannot be satisfied or is malformed (k larger than the
 *   followers it may count, k below 1, unknown follower in a priority list, duplicate ids).
 * - `invalid-config`: a malformed configuration value (negative timeout, empty replica set, ...).
 * - `unknown-topology`: a multi-leader topology kind other than `all-to-all`, `circular` or `star`.
 * - `conflicting-options`: options that cannot be used together.
 * - `unknown-conflict-policy`: a conflict policy kind that does not exist.
 * - `bad-request`: an operation that is invalid for the target (for example a CRDT op on a store
 *   using last-write-wins).
 *
 * @example
 * ```ts
 * import type { ReplicationErrorCode } from "@distkit/replication";
 * const code: ReplicationErrorCode = "unknown-topology";
 * ```
 */
export type ReplicationErrorCode =
  | "invalid-commit-mode"
  | "invalid-config"
  | "unknown-topology"
  | "conflicting-options"
  | "unknown-conflict-policy"
  | "bad-request";

/**
 * Thrown on bad configuration or misuse. Expected outcomes (timeouts, not-leader, lost writes) are
 * never thrown: they are values in results and reports.
 *
 * @example
 * ```ts
 * import { ReplicationError, validateCommitMode } from "@distkit/replication";
 * try {
 *   validateCommitMode({ kind: "any", k: 3 }, ["f1", "f2"]);
 * } catch (error) {
 *   if (error instanceof ReplicationError) console.log(error.code); // "invalid-commit-mode"
 * }
 * ```
 */
export class ReplicationError extends Error {
  /** The stable code of the failure. */
  readonly code: ReplicationErrorCode;

  /** Creates an error with a code and a message saying what was wrong and what is accepted. */
  constructor(code: ReplicationErrorCode, message: string) {
    super(message);
    this.name = "ReplicationError";
    this.code = code;
  }
}

/**
 * Throws a plain Error when an internal invariant does not hold (a bug, never user input).
 * Internal: not part of the public surface.
 *
 * @example
 * ```ts
 * invariant(lsn > 0, "log positions start at 1");
 * ```
 */
export function invariant(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`@distkit/replication invariant violated: ${what}`);
}
