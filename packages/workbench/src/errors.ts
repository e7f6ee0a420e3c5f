/**
 * Errors thrown by the workbench on misuse and bad input.
 *
 * @module
 */

/**
 * Machine-readable reason of a {@link WorkbenchError}.
 *
 * - `invalid-argument`: an option outside what is accepted (a negative count, an empty seed list, ...).
 * - `invalid-seeds`: a seed list or range that is not integers, or a range written wrongly.
 * - `unknown-workload`: a workload name that is not one of the built-in workloads.
 * - `unknown-nemesis`: a nemesis name that is not one of {@link NEMESIS_KINDS}.
 * - `invalid-schedule`: a fault schedule the simulator rejects (malformed, unknown node, out of range).
 * - `invalid-node-module`: a node module that does not export a node factory.
 * - `invalid-result-file`: a result file (for `merge`) that is not a workbench sweep result.
 * - `workload-failed`: thrown by {@link assertWorkload} when the protocol fails the workload.
 *
 * @example
 * ```ts
 * const code: WorkbenchErrorCode = "unknown-workload";
 * ```
 */
export type WorkbenchErrorCode =
  | "invalid-argument"
  | "invalid-seeds"
  | "unknown-workload"
  | "unknown-nemesis"
  | "invalid-schedule"
  | "invalid-node-module"
  | "invalid-result-file"
  | "workload-failed";

/**
 * Thrown on misuse of the workbench or bad input. The message says what was wrong and what is
 * accepted; `code` is stable for programs. A protocol that misbehaves (throws, sends garbage) is not
 * an error of the workbench: it is reported in the run's result, per node.
 *
 * @example
 * ```ts
 * try {
 *   parseSeeds("10..1");
 * } catch (error) {
 *   if (error instanceof WorkbenchError && error.code === "invalid-seeds") console.log(error.message);
 * }
 * ```
 */
export class WorkbenchError extends Error {
  /** Machine-readable reason. */
  readonly code: WorkbenchErrorCode;

  /**
   * @param code - machine-readable reason
   * @param message - what was wrong and what is accepted
   * @param options - the underlying cause, if any
   */
  constructor(code: WorkbenchErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = "WorkbenchError";
    this.code = code;
  }
}

/** @internal */
export function assertPositiveInteger(value: unknown, what: string): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new WorkbenchError("invalid-argument", `${what} must be a positive integer, got ${String(value)}`);
  }
}

/** @internal */
export function assertNonNegative(value: unknown, what: string): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new WorkbenchError(
      "invalid-argument",
      `${what} must be a finite number >= 0, got ${String(value)}`,
    );
  }
}

/** @internal Internal invariant: stays on in production. */
export function invariant(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`workbench invariant violated: ${what}`);
}
