import fc from "fast-check";
import { VectorClock, VersionVector } from "../src/index.js";

/** Small id alphabet and counter range so that comparable pairs (before/after/equal) are common. */
export const ids = ["a", "b", "c", "d", "é", "z𝄞"] as const;

export const entriesArb = fc.dictionary(fc.constantFrom(...ids), fc.integer({ min: 0, max: 4 }), {
  maxKeys: ids.length,
});

export const vcArb = entriesArb.map((e) => VectorClock.from(e));
export const vvArb = entriesArb.map((e) => VersionVector.from(e));

/** Reference semantics: entrywise comparison over the union of keys. */
export function referenceCompare(
  a: Record<string, number>,
  b: Record<string, number>,
): "before" | "after" | "equal" | "concurrent" {
  let less = false;
  let greater = false;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[k] ?? 0;
    const y = b[k] ?? 0;
    if (x < y) less = true;
    if (x > y) greater = true;
  }
  if (less && greater) return "concurrent";
  if (less) return "before";
  if (greater) return "after";
  return "equal";
}
