import { CheckError } from "./errors.js";

/**
 * An EDN keyword such as `:read`. Keywords are interned: the same name gives the same object, so
 * `===` compares them.
 *
 * @example
 * ```ts
 * import { Keyword } from "@distkit/check";
 * Keyword.of("ok") === Keyword.of("ok"); // true
 * String(Keyword.of("ok")); // ":ok"
 * ```
 */
export class Keyword {
  static readonly #interned = new Map<string, Keyword>();
  /** The name, without the colon. */
  readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }

  /**
   * The keyword with this name (without the leading colon).
   *
   * @example
   * ```ts
   * import { Keyword } from "@distkit/check";
   * const k = Keyword.of("timed-out");
   * ```
   */
  static of(name: string): Keyword {
    let k = Keyword.#interned.get(name);
    if (k === undefined) {
      k = new Keyword(name);
      Keyword.#interned.set(name, k);
    }
    return k;
  }

  /**
   * `:name`.
   *
   * @example
   * ```ts
   * import { Keyword } from "@distkit/check";
   * Keyword.of("a").toString(); // ":a"
   * ```
   */
  toString(): string {
    return `:${this.name}`;
  }
}

/**
 * A value read from EDN: `nil` is `null`, keywords are {@link Keyword}s, vectors and lists are
 * arrays, sets are `Set`s, maps are `Map`s keyed by the EDN key value (keywords by their object).
 *
 * @example
 * ```ts
 * import { parseEdn, type EdnValue } from "@distkit/check";
 * const v: EdnValue = parseEdn("[1 :a nil]");
 * ```
 */
export type EdnValue =
  | null
  | boolean
  | number
  | string
  | Keyword
  | readonly EdnValue[]
  | ReadonlySet<EdnValue>
  | ReadonlyMap<EdnValue, EdnValue>;

function syntaxError(message: string, offset: number): CheckError {
  return new CheckError("parse-error", `EDN: ${message} at offset ${offset}`);
}

const DELIMS = new Set([" ", "\t", "\n", "\r", ",", "(", ")", "[", "]", "{", "}", '"', ";"]);
const MAX_DEPTH = 200;

/**
 * Parses one EDN value (the subset Jepsen histories use: nil, booleans, numbers, strings, keywords,
 * symbols as strings, vectors, lists, sets, maps; `#inst`-style tags keep their value).
 *
 * @throws CheckError `parse-error` on malformed text or trailing content.
 * @example
 * ```ts
 * import { parseEdn } from "@distkit/check";
 * parseEdn("[3 0]"); // [3, 0]
 * ```
 */
export function parseEdn(text: string): EdnValue {
  const p = new EdnReader(text);
  const v = p.value(0);
  p.skipSpace();
  if (p.pos < text.length) throw syntaxError("unexpected trailing text", p.pos);
  return v;
}

class EdnReader {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === ",") this.pos++;
      else if (c === ";") {
        while (this.pos < t.length && t[this.pos] !== "\n") this.pos++;
      } else break;
    }
  }

  value(depth: number): EdnValue {
    if (depth > MAX_DEPTH) throw syntaxError(`nesting deeper than ${MAX_DEPTH}`, this.pos);
    this.skipSpace();
    const t = this.text;
    if (this.pos >= t.length) throw syntaxError("unexpected end of text", this.pos);
    const c = t[this.pos]!;
    switch (c) {
      case "[":
        this.pos++;
        return this.seq("]", depth);
      case "(":
        this.pos++;
        return this.seq(")", depth);
      case "{": {
        this.pos++;
        const items = this.seq("}", depth);
        if (items.length % 2 !== 0) throw syntaxError("map with an odd number of forms", this.pos);
        const m = new Map<EdnValue, EdnValue>();
        for (let i = 0; i < items.length; i += 2) m.set(items[i]!, items[i + 1]!);
        return m;
      }
      case "#": {
        const d = t[this.pos + 1];
        if (d === "{") {
          this.pos += 2;
          return new Set(this.seq("}", depth));
        }
        if (d === "_") {
          this.pos += 2;
          this.value(depth + 1);
          return this.value(depth);
        }
        this.pos++;
        this.token(); // tag name: keep the tagged value
        return this.value(depth + 1);
      }
      case '"':
        return this.string();
      case ":": {
        this.pos++;
        const name = this.token();
        if (name.length === 0) throw syntaxError("empty keyword", this.pos);
        return Keyword.of(name);
      }
      case "\\": {
        this.pos++;
        const tok = this.token();
        const named: Record<string, string> = { newline: "\n", space: " ", tab: "\t", return: "\r" };
        const ch = tok.length === 1 ? tok : named[tok];
        if (ch === undefined) throw syntaxError(`unknown character literal \\${tok}`, this.pos);
        return ch;
      }
      case ")":
      case "]":
      case "}":
        throw syntaxError(`unexpected ${c}`, this.pos);
      default: {
        const start = this.pos;
        const tok = this.token();
        if (tok === "nil") return null;
        if (tok === "true") return true;
        if (tok === "false") return false;
        if (/^[+-]?\d/.test(tok)) {
          const num = Number(tok.replace(/[NM]$/, ""));
          if (Number.isNaN(num)) throw syntaxError(`bad number ${tok}`, start);
          return num;
        }
        if (tok.length === 0) throw syntaxError(`unexpected character ${JSON.stringify(c)}`, start);
        return tok; // a symbol: kept as a string
      }
    }
  }

  seq(close: string, depth: number): EdnValue[] {
    const out: EdnValue[] = [];
    for (let guard = 0; guard <= this.text.length; guard++) {
      this.skipSpace();
      if (this.pos >= this.text.length) throw syntaxError(`missing ${close}`, this.pos);
      if (this.text[this.pos] === close) {
        this.pos++;
        return out;
      }
      out.push(this.value(depth + 1));
    }
    throw syntaxError(`missing ${close}`, this.pos);
  }

  token(): string {
    const start = this.pos;
    const t = this.text;
    while (this.pos < t.length && !DELIMS.has(t[this.pos]!)) this.pos++;
    return t.slice(start, this.pos);
  }

  string(): string {
    const t = this.text;
    this.pos++;
    let out = "";
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === "\\") {
        const e = t[this.pos + 1];
        const map: Record<string, string> = {
          n: "\n",
          t: "\t",
          r: "\r",
          '"': '"',
          "\\": "\\",
          b: "\b",
          f: "\f",
        };
        if (e === "u") {
          const hex = t.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw syntaxError("bad \\u escape", this.pos);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          this.pos += 6;
          continue;
        }
        const r = e === undefined ? undefined : map[e];
        if (r === undefined) throw syntaxError(`bad escape \\${e ?? ""}`, this.pos);
        out += r;
        this.pos += 2;
        continue;
      }
      out += c;
      this.pos++;
    }
    throw syntaxError("unterminated string", this.pos);
  }
}
