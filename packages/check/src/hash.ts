/**
 * Small, deterministic 32-bit hashing helpers for model states.
 * @module
 */

/**
 * FNV-1a hash of a string, as a 32-bit signed integer.
 *
 * @example
 * ```ts
 * import { hashString } from "@distkit/check";
 * const h = hashString("x"); // a 32-bit integer
 * ```
 */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/**
 * Mixes a 32-bit integer (murmur3 finalizer); use it to combine hashes.
 *
 * @example
 * ```ts
 * import { mixHash } from "@distkit/check";
 * const h = mixHash(42);
 * ```
 */
export function mixHash(x: number): number {
  x |= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

/**
 * Hashes any value deterministically: numbers, strings, booleans, `null`/`undefined` directly,
 * arrays and objects structurally (object keys in sorted order).
 *
 * @example
 * ```ts
 * import { hashValue } from "@distkit/check";
 * hashValue([1, "a"]) === hashValue([1, "a"]); // true
 * ```
 */
export function hashValue(v: unknown): number {
  switch (typeof v) {
    case "number":
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return mixHash(v ^ 0x5bd1e995);
      return hashString(`n${String(v)}`);
    case "string":
      return hashString(v);
    case "boolean":
      return v ? 0x1234567 : 0x7654321;
    case "undefined":
      return 0x2545f491;
    case "bigint":
      return hashString(`b${String(v)}`);
    case "object": {
      if (v === null) return 0x3c6ef372;
      if (Array.isArray(v)) {
        let h = 0x6a09e667 ^ v.length;
        for (const x of v) h = mixHash(Math.imul(h, 31) + hashValue(x));
        return h;
      }
      if (v instanceof Map || v instanceof Set) return 0x1f83d9ab ^ v.size;
      const s = (v as { toString(): string }).toString();
      if (s !== "[object Object]") return hashString(`o${s}`);
      const rec = v as Record<string, unknown>;
      let h = 0x510e527f;
      for (const k of Object.keys(rec).sort())
        h = mixHash(Math.imul(h, 31) + hashString(k) + hashValue(rec[k]));
      return h;
    }
    default:
      return hashString(String(v));
  }
}

/**
 * Deep structural equality of plain data (primitives, arrays, plain objects); objects with their
 * own `toString` compare by identity or by that string.
 *
 * @example
 * ```ts
 * import { valuesEqual } from "@distkit/check";
 * valuesEqual({ a: [1, 2] }, { a: [1, 2] }); // true
 * ```
 */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !valuesEqual(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
    for (const k of a) if (!b.has(k)) return false;
    return true;
  }
  const sa = (a as { toString(): string }).toString();
  const sb = (b as { toString(): string }).toString();
  if (sa !== "[object Object]" || sb !== "[object Object]") return sa === sb && sa !== "[object Object]";
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra);
  if (ka.length !== Object.keys(rb).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(rb, k) || !valuesEqual(ra[k], rb[k])) return false;
  }
  return true;
}
