/**
 * Seed lists: a count, a list, or a range `A..B`.
 *
 * @module
 */
import { WorkbenchError } from "./errors.js";

/**
 * Which seeds to run: a count `n` (seeds 1..n), a list, or an inclusive range.
 *
 * @example
 * ```ts
 * const seeds: SeedSpec = { from: 1000, to: 1999 };
 * ```
 */
export type SeedSpec = number | readonly number[] | { readonly from: number; readonly to: number };

/** Most seeds in one sweep. */
const MAX_SEEDS = 100_000_000;

/**
 * The seeds of a {@link SeedSpec}, validated.
 *
 * @example
 * ```ts
 * seedList(3); // [1, 2, 3]
 * seedList({ from: 10, to: 12 }); // [10, 11, 12]
 * ```
 */
export function seedList(spec: SeedSpec): number[] {
  if (typeof spec === "number") {
    if (!Number.isSafeInteger(spec) || spec <= 0 || spec > MAX_SEEDS)
      throw new WorkbenchError(
        "invalid-seeds",
        `a seed count must be an integer in 1..${MAX_SEEDS}, got ${spec}`,
      );
    return Array.from({ length: spec }, (_, i) => i + 1);
  }
  if (Array.isArray(spec)) {
    const list = spec as readonly unknown[];
    if (list.length === 0)
      throw new WorkbenchError("invalid-seeds", "the seed list is empty; give at least one seed");
    for (const s of list)
      if (typeof s !== "number" || !Number.isSafeInteger(s))
        throw new WorkbenchError("invalid-seeds", `seeds must be safe integers, got ${String(s)}`);
    return [...(list as number[])];
  }
  const r = spec as { from?: unknown; to?: unknown };
  if (
    typeof r !== "object" ||
    r === null ||
    typeof r.from !== "number" ||
    typeof r.to !== "number" ||
    !Number.isSafeInteger(r.from) ||
    !Number.isSafeInteger(r.to) ||
    r.to < r.from ||
    r.to - r.from >= MAX_SEEDS
  )
    throw new WorkbenchError(
      "invalid-seeds",
      `a seed range is { from, to } with integers from <= to (at most ${MAX_SEEDS} seeds), got ${JSON.stringify(spec)}`,
    );
  return Array.from({ length: r.to - r.from + 1 }, (_, i) => (r.from as number) + i);
}

/**
 * Parses a CLI seed argument: `1000` (seeds 1..1000), `A..B` (inclusive range) or `1,5,9` (a list).
 *
 * @example
 * ```ts
 * parseSeeds("100..199"); // { from: 100, to: 199 }
 * ```
 */
export function parseSeeds(text: string): SeedSpec {
  const t = text.trim();
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(t);
  if (range !== null) {
    const spec = { from: Number(range[1]), to: Number(range[2]) };
    seedList(spec);
    return spec;
  }
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    seedList(n);
    return n;
  }
  if (/^-?\d+(,-?\d+)+$/.test(t)) return t.split(",").map(Number);
  throw new WorkbenchError(
    "invalid-seeds",
    `cannot read seeds "${text}"; accepted: a count (1000), a range (A..B, inclusive) or a list (1,5,9)`,
  );
}
