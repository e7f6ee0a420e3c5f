/**
 * Structured logs: one JSON object per line.
 * @module
 */

/**
 * Severity of a log line.
 *
 * @example
 * ```ts
 * const level: LogLevel = "warn";
 * ```
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * One log line of a runtime node (written as JSON).
 *
 * @example
 * ```ts
 * const line: LogRecord = { ts: "2026-12-03T08:00:00.000Z", node: "n1", level: "info", event: "log", text: "became leader" };
 * ```
 */
export interface LogRecord {
  /** Wall-clock time, ISO 8601. */
  readonly ts: string;
  /** The node that wrote it. */
  readonly node: string;
  /** Severity. */
  readonly level: LogLevel;
  /** What happened: `log` for the protocol's own `ctx.log`, or a runtime event (`connected`, `recovered`...). */
  readonly event: string;
  /** The protocol's text (for `log`). */
  readonly text?: string;
  /** JSON data. */
  readonly data?: unknown;
}

/**
 * A sink that writes each record as one JSON line to a stream (standard output by default).
 *
 * @example
 * ```ts
 * const sink = jsonLinesLogger(process.stderr, "info");
 * sink({ ts: new Date().toISOString(), node: "n1", level: "info", event: "started" });
 * ```
 */
export function jsonLinesLogger(
  stream: { write(line: string): unknown } = process.stdout,
  minLevel: LogLevel = "info",
): (record: LogRecord) => void {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  return (record) => {
    if (order[record.level] < order[minLevel]) return;
    stream.write(`${JSON.stringify(record)}\n`);
  };
}
