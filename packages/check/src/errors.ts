/**
 * The `code` of a {@link CheckError}: what kind of misuse or bad input was rejected.
 *
 * - `invalid-argument`: an option or parameter is out of range or of the wrong shape.
 * - `unmatched-completion`: an `ok` / `fail` / `info` completion has no pending invocation of the
 *   same process.
 * - `duplicate-invocation`: a process invoked an operation while its previous one was still pending.
 * - `unknown-function`: a model was asked to apply an operation whose function it does not define.
 * - `invalid-operation`: an operation's input or output does not have the shape the model accepts.
 * - `invalid-time`: a time is not a finite number, or a completion is earlier than its invocation.
 * - `parse-error`: a history line could not be parsed (see {@link ParseError}).
 * - `invalid-event`: a history event is not an object of the accepted shape (unknown `type`, a
 *   `time` field instead of `timeMs`, a completion whose key or written value differs from its
 *   invocation, ...).
 * - `empty-history`: a history with no operation was given to a checker or parser that was not told
 *   that an empty history is fine (`allowEmpty: true`).
 *
 * @example
 * ```ts
 * import { CheckError, type CheckErrorCode } from "@distkit/check";
 * const isInputProblem = (e: unknown): boolean =>
 *   e instanceof CheckError && (["parse-error", "invalid-time"] as CheckErrorCode[]).includes(e.code);
 * ```
 */
export type CheckErrorCode =
  | "invalid-argument"
  | "unmatched-completion"
  | "duplicate-invocation"
  | "unknown-function"
  | "invalid-operation"
  | "invalid-time"
  | "parse-error"
  | "invalid-event"
  | "empty-history";

/**
 * The error thrown by `@distkit/check` on misuse and bad input. Its `code` says which rule was broken;
 * its message says what was wrong and what is accepted. Expected outcomes (a history that is not
 * linearizable, a search that ran out of budget) are values in results, never exceptions.
 *
 * @example
 * ```ts
 * import { CheckError, HistoryRecorder } from "@distkit/check";
 * const h = new HistoryRecorder();
 * try {
 *   h.invoke(0, "read", null, Number.NaN);
 * } catch (e) {
 *   if (e instanceof CheckError) console.log(e.code); // "invalid-time"
 * }
 * ```
 */
export class CheckError extends Error {
  /** Which rule was broken. */
  readonly code: CheckErrorCode;

  /**
   * @param code - which rule was broken
   * @param message - what was wrong and what is accepted
   */
  constructor(code: CheckErrorCode, message: string) {
    super(message);
    this.name = "CheckError";
    this.code = code;
  }
}

/**
 * Thrown by the history parsers on a malformed line. Carries the 1-based line number and the line's
 * text, which also appear in the message.
 *
 * @example
 * ```ts
 * import { ParseError, parseJepsenEdn } from "@distkit/check";
 * try {
 *   parseJepsenEdn("{:process 0, :type :invoke, :f :read\n");
 * } catch (e) {
 *   if (e instanceof ParseError) console.log(e.lineNumber, e.lineText);
 * }
 * ```
 */
export class ParseError extends CheckError {
  /** 1-based number of the offending line. */
  readonly lineNumber: number;
  /** The offending line, verbatim. */
  readonly lineText: string;

  /**
   * @param lineNumber - 1-based number of the offending line
   * @param lineText - the offending line, verbatim
   * @param problem - what was wrong with it and what is accepted
   */
  constructor(lineNumber: number, lineText: string, problem: string) {
    super("parse-error", `line ${lineNumber}: ${problem} (line text: ${JSON.stringify(lineText)})`);
    this.name = "ParseError";
    this.lineNumber = lineNumber;
    this.lineText = lineText;
  }
}

/**
 * Asserts an internal invariant. Failing means a bug in this package, not bad input.
 * @internal
 */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`@distkit/check internal invariant violated: ${message}`);
}
