// Internal: operations on a vector stored as sorted parallel arrays (ids ascending by `<`, counters >= 1).
// Shared by VectorClock and VersionVector. Arrays are never mutated once a value is built, so results
// may share them with inputs (merge returns the left ids array when the key sets coincide, which lets
// later merges and compares take the equal-keys fast path).
import type { Ordering } from "./ordering.js";
import { ClocksError, checkCounter, checkId } from "./errors.js";

/** A vector: sorted ids and their counters (all >= 1). */
export interface Vec {
  readonly ids: readonly string[];
  readonly counters: readonly number[];
}

export const EMPTY_IDS: readonly string[] = Object.freeze([]);
export const EMPTY_COUNTERS: readonly number[] = Object.freeze([]);

/** Index of `id`, or `-(insertionPoint + 1)` when absent. */
export function indexOf(ids: readonly string[], id: string): number {
  const n = ids.length;
  if (n <= 8) {
    for (let i = 0; i < n; i++) {
      const x = ids[i]!;
      if (x === id) return i;
      if (x > id) return -(i + 1);
    }
    return -(n + 1);
  }
  let lo = 0;
  let hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = ids[mid]!;
    if (x === id) return mid;
    if (x < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -(lo + 1);
}

export function get(v: Vec, id: string): number {
  const i = indexOf(v.ids, id);
  return i >= 0 ? v.counters[i]! : 0;
}

/** Sets `id` to `value` (>= 1), returning new arrays (ids shared when the key already exists). */
export function set(v: Vec, id: string, value: number): Vec {
  const i = indexOf(v.ids, id);
  if (i >= 0) {
    const counters = v.counters.slice();
    counters[i] = value;
    return { ids: v.ids, counters };
  }
  const at = -i - 1;
  const n = v.ids.length;
  const ids = new Array<string>(n + 1);
  const counters = new Array<number>(n + 1);
  for (let k = 0; k < at; k++) {
    ids[k] = v.ids[k]!;
    counters[k] = v.counters[k]!;
  }
  ids[at] = id;
  counters[at] = value;
  for (let k = at; k < n; k++) {
    ids[k + 1] = v.ids[k]!;
    counters[k + 1] = v.counters[k]!;
  }
  return { ids, counters };
}

export function increment(v: Vec, id: string): Vec {
  const i = indexOf(v.ids, id);
  if (i < 0) return set(v, id, 1);
  const counters = v.counters.slice();
  const next = counters[i]! + 1;
  if (next > Number.MAX_SAFE_INTEGER) {
    throw new ClocksError("invalid-argument", `counter of "${id}" would exceed 2^53-1`);
  }
  counters[i] = next;
  return { ids: v.ids, counters };
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Least upper bound. Returns `a` or `b` itself when one already dominates-or-equals the other. */
export function merge(a: Vec, b: Vec): Vec {
  const ai = a.ids;
  const bi = b.ids;
  const ac = a.counters;
  const bc = b.counters;
  if (sameIds(ai, bi)) {
    const n = ai.length;
    // Find the first index where b is larger; if none, a is the lub.
    let k = 0;
    while (k < n && ac[k]! >= bc[k]!) k++;
    if (k === n) return a;
    let j = k + 1;
    while (j < n && bc[j]! >= ac[j]!) j++;
    if (j === n && k === 0) return b;
    const counters = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const x = ac[i]!;
      const y = bc[i]!;
      counters[i] = x >= y ? x : y;
    }
    return { ids: ai, counters };
  }
  const na = ai.length;
  const nb = bi.length;
  if (na === 0) return b;
  if (nb === 0) return a;
  const ids: string[] = [];
  const counters: number[] = [];
  let i = 0;
  let j = 0;
  let aDominates = true; // every entry of the result comes from a
  let bDominates = true;
  while (i < na && j < nb) {
    const x = ai[i]!;
    const y = bi[j]!;
    if (x === y) {
      const cx = ac[i]!;
      const cy = bc[j]!;
      if (cx >= cy) {
        counters.push(cx);
        if (cx > cy) bDominates = false;
      } else {
        counters.push(cy);
        aDominates = false;
      }
      ids.push(x);
      i++;
      j++;
    } else if (x < y) {
      ids.push(x);
      counters.push(ac[i]!);
      bDominates = false;
      i++;
    } else {
      ids.push(y);
      counters.push(bc[j]!);
      aDominates = false;
      j++;
    }
  }
  if (i < na) bDominates = false;
  if (j < nb) aDominates = false;
  if (aDominates) return a;
  if (bDominates) return b;
  for (; i < na; i++) {
    ids.push(ai[i]!);
    counters.push(ac[i]!);
  }
  for (; j < nb; j++) {
    ids.push(bi[j]!);
    counters.push(bc[j]!);
  }
  return { ids, counters };
}

export function compare(a: Vec, b: Vec): Ordering {
  const ai = a.ids;
  const bi = b.ids;
  const ac = a.counters;
  const bc = b.counters;
  let less = false;
  let greater = false;
  if (sameIds(ai, bi)) {
    const n = ai.length;
    for (let i = 0; i < n; i++) {
      const x = ac[i]!;
      const y = bc[i]!;
      if (x < y) {
        if (greater) return "concurrent";
        less = true;
      } else if (x > y) {
        if (less) return "concurrent";
        greater = true;
      }
    }
  } else {
    const na = ai.length;
    const nb = bi.length;
    let i = 0;
    let j = 0;
    while (i < na && j < nb) {
      const x = ai[i]!;
      const y = bi[j]!;
      if (x === y) {
        const cx = ac[i]!;
        const cy = bc[j]!;
        if (cx < cy) less = true;
        else if (cx > cy) greater = true;
        i++;
        j++;
      } else if (x < y) {
        greater = true;
        i++;
      } else {
        less = true;
        j++;
      }
      if (less && greater) return "concurrent";
    }
    if (i < na) greater = true;
    if (j < nb) less = true;
  }
  if (less) return greater ? "concurrent" : "before";
  return greater ? "after" : "equal";
}

/** True when a >= b entrywise (a descends from or equals b). */
export function descends(a: Vec, b: Vec): boolean {
  const o = compare(a, b);
  return o === "after" || o === "equal";
}

export function equals(a: Vec, b: Vec): boolean {
  const n = a.ids.length;
  if (n !== b.ids.length) return false;
  for (let i = 0; i < n; i++) {
    if (a.ids[i] !== b.ids[i] || a.counters[i] !== b.counters[i]) return false;
  }
  return true;
}

/** Builds a canonical vector from entries; zero counters are dropped; duplicates are rejected. */
export function fromEntries(
  entries: Record<string, number> | Iterable<readonly [string, number]>,
  what: string,
): Vec {
  const pairs: Array<readonly [string, number]> = [];
  if (entries === null || typeof entries !== "object") {
    throw new ClocksError(
      "invalid-argument",
      `${what}: expected a record of id -> counter or an iterable of [id, counter], got ${entries === null ? "null" : typeof entries}`,
    );
  }
  if (Symbol.iterator in entries) {
    for (const e of entries as Iterable<readonly [string, number]>) {
      if (!Array.isArray(e) || e.length !== 2) {
        throw new ClocksError("invalid-argument", `${what}: entries must be [id, counter] pairs`);
      }
      pairs.push(e);
    }
  } else {
    for (const id of Object.keys(entries)) pairs.push([id, (entries as Record<string, number>)[id]!]);
  }
  for (const [id, c] of pairs) {
    checkId(id, `${what}: id`);
    checkCounter(c, `${what}: counter of "${id}"`);
  }
  pairs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const ids: string[] = [];
  const counters: number[] = [];
  for (let k = 0; k < pairs.length; k++) {
    const [id, c] = pairs[k]!;
    if (k > 0 && pairs[k - 1]![0] === id) {
      throw new ClocksError("invalid-argument", `${what}: duplicate id "${id}"; each id may appear once`);
    }
    if (c > 0) {
      ids.push(id);
      counters.push(c);
    }
  }
  return { ids, counters };
}

export function toRecord(v: Vec): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < v.ids.length; i++) {
    const id = v.ids[i]!;
    // "__proto__" would set the prototype instead of creating a key
    if (id === "__proto__") {
      Object.defineProperty(out, id, {
        value: v.counters[i]!,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[id] = v.counters[i]!;
  }
  return out;
}

export function show(v: Vec): string {
  const parts: string[] = [];
  for (let i = 0; i < v.ids.length; i++) parts.push(`${JSON.stringify(v.ids[i])}:${v.counters[i]}`);
  return `{${parts.join(",")}}`;
}

/** Checks the representation invariant (sorted unique ids, counters >= 1 safe integers). */
export function isCanonical(v: Vec): boolean {
  if (v.ids.length !== v.counters.length) return false;
  for (let i = 0; i < v.ids.length; i++) {
    const c = v.counters[i]!;
    if (!Number.isSafeInteger(c) || c < 1) return false;
    if (i > 0 && !(v.ids[i - 1]! < v.ids[i]!)) return false;
  }
  return true;
}
