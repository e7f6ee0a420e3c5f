/**
 * The latency percentile the examples print: the value at index floor(q × n) of an ascending array
 * (NaN when empty), so p50 of [1, 2, 3, 4] is 3.
 */
export function percentileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
