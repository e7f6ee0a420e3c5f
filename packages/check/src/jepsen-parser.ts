import { type EdnValue, Keyword, parseEdn } from "./edn.js";
import { CheckError, ParseError } from "./errors.js";
import type { EventType, History, HistoryEvent, ProcessId } from "./history.js";
import { historyFromEvents } from "./history.js";

const EVENT_TYPES: ReadonlySet<string> = new Set(["invoke", "ok", "fail", "info"]);
const MAX_LINES = 10_000_000;

/**
 * Options of the Jepsen parsers.
 *
 * @example
 * ```ts
 * import type { JepsenParseOptions } from "@distkit/check";
 * const o: JepsenParseOptions = { timeUnit: "ns" };
 * ```
 */
export interface JepsenParseOptions {
  /** The unit of the `:time` field in EDN lines (default `"ns"`, Jepsen's). */
  readonly timeUnit?: "ns" | "ms";
  /**
   * {@link parseHistory} only: accept a text with no event (blank, or a log with no `jepsen.util`
   * line) and return `[]` (default `false`: such a text throws, so a wrong file never passes a check
   * as an empty history).
   */
  readonly allowEmpty?: boolean;
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > MAX_LINES) {
    throw new CheckError(
      "invalid-argument",
      `history has ${lines.length} lines; at most ${MAX_LINES} are accepted`,
    );
  }
  return lines;
}

function parseValue(text: string, lineNumber: number, line: string, what: string): EdnValue {
  try {
    return parseEdn(text);
  } catch (e) {
    if (e instanceof CheckError) throw new ParseError(lineNumber, line, `${what}: ${e.message}`);
    throw e;
  }
}

function toProcess(v: EdnValue | undefined, lineNumber: number, line: string): ProcessId {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (v instanceof Keyword) return v.name;
  if (typeof v === "string") return v;
  throw new ParseError(lineNumber, line, "missing or invalid :process; expected an integer or a keyword");
}

function toName(v: EdnValue | undefined): string | undefined {
  if (v instanceof Keyword) return v.name;
  if (typeof v === "string") return v;
  return undefined;
}

/**
 * Parses a Jepsen history written one EDN map per line, e.g.
 * `{:process 0, :type :invoke, :f :read, :value nil}`. `:key` (kv histories) and `:time` are kept;
 * blank lines are skipped. Turn the events into operations with {@link historyFromEvents}.
 *
 * @throws ParseError naming the line for malformed EDN, a missing `:process`/`:type`/`:f`, or a
 *   `:type` other than invoke/ok/fail/info.
 * @example
 * ```ts
 * import { historyFromEvents, parseJepsenEdn } from "@distkit/check";
 * const events = parseJepsenEdn(
 *   '{:process 0, :type :invoke, :f :get, :key "x", :value nil}\n' +
 *     '{:process 0, :type :ok, :f :get, :key "x", :value ""}\n',
 * );
 * const history = historyFromEvents(events); // one get of "x" returning ""
 * ```
 */
export function parseJepsenEdn(text: string, options: JepsenParseOptions = {}): HistoryEvent<EdnValue>[] {
  const scale = (options.timeUnit ?? "ns") === "ns" ? 1e-6 : 1;
  const events: HistoryEvent<EdnValue>[] = [];
  splitLines(text).forEach((line, i) => {
    const lineNumber = i + 1;
    if (line.trim() === "") return;
    const v = parseValue(line, lineNumber, line, "malformed EDN");
    if (!(v instanceof Map))
      throw new ParseError(lineNumber, line, "expected an EDN map {:process ..., :type ...}");
    const get = (k: string): EdnValue | undefined => v.get(Keyword.of(k));
    const process = toProcess(get("process"), lineNumber, line);
    const type = toName(get("type"));
    if (type === undefined || !EVENT_TYPES.has(type)) {
      throw new ParseError(
        lineNumber,
        line,
        "missing or invalid :type; expected :invoke, :ok, :fail or :info",
      );
    }
    const f = toName(get("f"));
    if (f === undefined) throw new ParseError(lineNumber, line, "missing or invalid :f; expected a keyword");
    const keyV = get("key");
    const time = get("time");
    let key: string | number | undefined;
    if (keyV !== undefined && keyV !== null) {
      if (typeof keyV === "string" || typeof keyV === "number") key = keyV;
      else if (keyV instanceof Keyword) key = keyV.name;
      else throw new ParseError(lineNumber, line, ":key must be a string, number or keyword");
    }
    if (time !== undefined && typeof time !== "number") {
      throw new ParseError(lineNumber, line, ":time must be a number");
    }
    events.push({
      process,
      type: type as EventType,
      f,
      value: get("value") ?? null,
      ...(key !== undefined ? { key } : {}),
      ...(typeof time === "number" ? { timeMs: time * scale } : {}),
      line: lineNumber,
    });
  });
  return events;
}

const LOG_LINE = /^\s*\S+\s+jepsen\.util\s+-\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(.*?))?\s*$/;

/**
 * Parses a history in the `jepsen.util` log format, e.g.
 * `INFO  jepsen.util - 3\t:invoke\t:cas\t[1 2]` (fields separated by tabs or spaces, the value in EDN).
 * Lines without `jepsen.util -` (other log output) are skipped. Turn the events into operations with
 * {@link historyFromEvents}; `:info` completions become operations returning at `Infinity`.
 *
 * @throws ParseError naming the line when a `jepsen.util` line is malformed.
 * @example
 * ```ts
 * import { historyFromEvents, parseJepsenLog } from "@distkit/check";
 * const events = parseJepsenLog(
 *   "INFO  jepsen.util - 0\t:invoke\t:write\t3\nINFO  jepsen.util - 0\t:ok\t:write\t3\n",
 * );
 * historyFromEvents(events)[0]?.input; // 3
 * ```
 */
export function parseJepsenLog(text: string): HistoryEvent<EdnValue>[] {
  const events: HistoryEvent<EdnValue>[] = [];
  splitLines(text).forEach((line, i) => {
    const lineNumber = i + 1;
    if (!/jepsen\.util\s+-/.test(line)) return;
    const m = LOG_LINE.exec(line);
    if (m === null) {
      throw new ParseError(
        lineNumber,
        line,
        "expected '<LEVEL> jepsen.util - <process> :<type> :<f> <value>'",
      );
    }
    const [, procText, typeText, fText, valueText] = m;
    const process = toProcess(parseValue(procText!, lineNumber, line, "bad process"), lineNumber, line);
    const type = typeText!.startsWith(":") ? typeText!.slice(1) : "";
    if (!EVENT_TYPES.has(type)) {
      throw new ParseError(lineNumber, line, `bad type ${typeText}; expected :invoke, :ok, :fail or :info`);
    }
    if (!fText!.startsWith(":") || fText!.length < 2) {
      throw new ParseError(lineNumber, line, `bad function ${fText}; expected a keyword such as :read`);
    }
    const value =
      valueText === undefined || valueText === ""
        ? null
        : parseValue(valueText, lineNumber, line, "bad value");
    events.push({ process, type: type as EventType, f: fText!.slice(1), value, line: lineNumber });
  });
  return events;
}

/** The first non-blank line and its 1-based number, or undefined. */
function firstLine(lines: readonly string[]): { text: string; lineNumber: number } | undefined {
  const i = lines.findIndex((l) => l.trim() !== "");
  return i < 0 ? undefined : { text: lines[i]!, lineNumber: i + 1 };
}

/**
 * Parses a Jepsen history in either format and pairs it into operations. The format is EDN map
 * lines when the first non-blank line starts with `{`, the `jepsen.util` log format when some line
 * has `jepsen.util -` (other log lines are skipped, as in {@link parseJepsenLog}). A text that is
 * neither is rejected, never read as an empty history; a text with no event at all (blank) throws
 * too, unless `allowEmpty` is set.
 *
 * @throws ParseError for a malformed line, or for a text in neither format (naming its first
 *   non-blank line); CheckError `empty-history` for a blank text without `allowEmpty`, and the
 *   errors of {@link historyFromEvents} (unmatched completions and the like).
 * @example
 * ```ts
 * import { checkLinearizable, parseHistory, registerModel } from "@distkit/check";
 * const history = parseHistory(
 *   "{:process 0, :type :invoke, :f :write, :value 1}\n{:process 0, :type :ok, :f :write, :value 1}\n",
 * );
 * checkLinearizable(history, registerModel()).verdict; // "linearizable"
 * parseHistory("", { allowEmpty: true }); // []
 * ```
 */
export function parseHistory(text: string, options: JepsenParseOptions = {}): History {
  if (typeof text !== "string") {
    throw new CheckError(
      "invalid-argument",
      `parseHistory takes the history's text as a string; got ${typeof text}`,
    );
  }
  const lines = splitLines(text);
  const first = firstLine(lines);
  if (first === undefined) {
    if (options.allowEmpty === true) return [];
    throw new CheckError(
      "empty-history",
      "the history text is blank: it has no event; pass { allowEmpty: true } if an empty history is expected",
    );
  }
  let events: HistoryEvent<EdnValue>[];
  if (first.text.trim().startsWith("{")) {
    events = parseJepsenEdn(text, options);
  } else if (lines.some((l) => /jepsen\.util\s+-/.test(l))) {
    events = parseJepsenLog(text);
  } else {
    throw new ParseError(
      first.lineNumber,
      first.text,
      "not a Jepsen history: accepted are EDN map lines ({:process 0, :type :invoke, :f :read, :value nil}) or jepsen.util log lines (INFO jepsen.util - 0 :invoke :read nil)",
    );
  }
  const history = historyFromEvents(events);
  if (history.length === 0 && options.allowEmpty !== true) {
    throw new CheckError(
      "empty-history",
      "the history has no operation of a client process; pass { allowEmpty: true } if an empty history is expected",
    );
  }
  return history;
}
