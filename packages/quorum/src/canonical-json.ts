import type { Json } from "./json.js";

/** JSON text with object keys sorted, so equal values always serialize identically. */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${(value as readonly Json[]).map(canonicalJson).join(",")}]`;
  const obj = value as { readonly [key: string]: Json };
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k] as Json)}`).join(",")}}`;
}

/** Whether `value` is plain JSON data (no undefined, functions, NaN, cycles up to `depthLimit`). */
export function isJson(value: unknown, depthLimit = 64): value is Json {
  if (depthLimit < 0) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJson(v, depthLimit - 1));
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(value as Record<string, unknown>).every((v) => isJson(v, depthLimit - 1));
  }
  return false;
}
