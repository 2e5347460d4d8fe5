/**
 * The bench's one definition of a percentile: nearest rank. The p-th
 * percentile of n values is the value at rank ceil(p / 100 × n) in ascending
 * order (1-based): the smallest value with at least p % of the values at or
 * below it. It is always one of the values measured, never an interpolation,
 * and p100 is the maximum. Percentages go from 0 to 100 (p99.9 is 99.9).
 */

/** Nearest-rank percentile `p` (0-100) of `values` in any order; null for none. */
export function percentile(values: ArrayLike<number>, p: number): number | null {
  return percentileOfSorted(Float64Array.from(values).sort(), p);
}

/** The same, for values already in ascending order (several percentiles of one large sample, sorted once). */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[rankIndex(sorted.length, p)]!;
}

/** The same over a histogram: count of observations per value. */
export function histogramPercentile(histogram: Map<number, number>, p: number): number | null {
  const total = [...histogram.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const index = rankIndex(total, p);
  let seen = 0;
  for (const value of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(value)!;
    if (seen > index) return value;
  }
  return null;
}

/** The middle value, or the mean of the two middle ones; null for none. */
export function median(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** 0-based index of the nearest rank ceil(p / 100 × n), kept within the values. */
function rankIndex(count: number, p: number): number {
  return Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1));
}
