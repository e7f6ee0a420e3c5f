/**
 * JSON values: what proposals, results, queries and snapshots are made of, so that a state machine
 * works over sim-net today and over a real transport later.
 * @module
 */
import { RaftError } from "./errors.js";

/**
 * A JSON value: null, a boolean, a finite number, a string, or arrays and plain objects of those.
 *
 * @example
 * ```ts
 * const command: JsonValue = { kind: "enqueue", item: "job-1", priority: 2 };
 * ```
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** Nesting bound of accepted values (guards the validator's recursion). */
const MAX_JSON_DEPTH = 64;

function describeValue(v: unknown): string {
  if (v === undefined) return "undefined";
  if (typeof v === "number") return String(v);
  if (typeof v === "function") return "a function";
  if (typeof v === "bigint") return "a bigint";
  if (typeof v === "symbol") return "a symbol";
  if (typeof v === "object" && v !== null) {
    const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
    return `an instance of ${proto?.constructor?.name ?? "an unknown class"}`;
  }
  return typeof v;
}

/** Returns the path of the first non-JSON part of `v`, with what it is, or null when `v` is JSON. */
function firstNonJson(v: unknown, path: string, depth: number): string | null {
  if (v === null || typeof v === "string" || typeof v === "boolean") return null;
  if (typeof v === "number") return Number.isFinite(v) ? null : `${path} is ${describeValue(v)}`;
  if (typeof v !== "object") return `${path} is ${describeValue(v)}`;
  if (depth >= MAX_JSON_DEPTH) return `${path} is nested deeper than ${MAX_JSON_DEPTH} levels`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = firstNonJson(v[i], `${path}[${i}]`, depth + 1);
      if (bad !== null) return bad;
    }
    return null;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return `${path} is ${describeValue(v)}`;
  for (const key of Object.keys(v)) {
    const bad = firstNonJson((v as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
    if (bad !== null) return bad;
  }
  return null;
}

/**
 * Whether `value` is a {@link JsonValue} (finite numbers, plain objects, at most 64 levels deep).
 *
 * @example
 * ```ts
 * isJsonValue({ a: [1, "x", null] }); // true
 * isJsonValue({ at: new Date() });    // false
 * ```
 */
export function isJsonValue(value: unknown): value is JsonValue {
  return firstNonJson(value, "value", 0) === null;
}

/**
 * Throws {@link RaftError} `invalid-argument` when `value` is not a {@link JsonValue}, naming the
 * offending part. `what` names the value in the message ("command", "query"...).
 *
 * @example
 * ```ts
 * assertJsonValue({ n: 1 }, "command"); // ok
 * assertJsonValue({ n: Number.NaN }, "command"); // throws: command.n is NaN
 * ```
 */
export function assertJsonValue(value: unknown, what: string): asserts value is JsonValue {
  const bad = firstNonJson(value, what, 0);
  if (bad !== null) {
    throw new RaftError(
      "invalid-argument",
      `${what} must be JSON: ${bad}; accepted: null, booleans, finite numbers, strings, and arrays and plain objects of those (at most ${MAX_JSON_DEPTH} levels deep)`,
    );
  }
}
