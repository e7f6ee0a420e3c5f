/**
 * What went wrong in the runtime, as a stable kebab-case code.
 *
 * - `invalid-config`: options that cannot work (a bad port, an unknown peer, a missing data folder).
 * - `invalid-frame`: bytes from a peer that are not a valid frame (too long, not JSON, no `type`).
 * - `storage-corrupt`: a data folder that cannot be read back (not a torn tail: those are repaired).
 * - `invalid-value`: a value given to storage that is not JSON data.
 * - `stopped`: the node was stopped.
 *
 * @example
 * ```ts
 * const code: RuntimeErrorCode = "invalid-config";
 * ```
 */
export type RuntimeErrorCode =
  | "invalid-config"
  | "invalid-frame"
  | "storage-corrupt"
  | "invalid-value"
  | "stopped";

/**
 * The one error class of `@distkit/runtime-node`: misuse and bad input, with a {@link RuntimeErrorCode}
 * and a message that says what was wrong and what is accepted.
 *
 * @example
 * ```ts
 * try {
 *   await startNode({ id: "", listen: { port: 7001 }, peers: {}, dataDir: "./data/n1", factory });
 * } catch (e) {
 *   if (e instanceof RuntimeError && e.code === "invalid-config") console.error(e.message);
 * }
 * ```
 */
export class RuntimeError extends Error {
  /** The kind of problem. */
  readonly code: RuntimeErrorCode;

  /** @param code - the kind of problem @param message - what was wrong and what is accepted */
  constructor(code: RuntimeErrorCode, message: string) {
    super(message);
    this.name = "RuntimeError";
    this.code = code;
  }
}
