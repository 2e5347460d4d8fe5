import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogramPercentile, median, percentile, percentileOfSorted } from './stats.ts';

describe('percentiles (nearest rank)', () => {
  it('picks the value at rank ceil(p/100 × n)', () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentile(values, 50)).toBe(3);
    expect(percentile(values, 99)).toBe(5);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 20)).toBe(1);
    expect(percentile(values, 21)).toBe(2);
    expect(percentile([], 50)).toBeNull();
  });

  it('gives p99 of 100 values as the 99th, not the maximum', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
  });

  it('agrees between a sample, its sorted copy and its histogram, and has at least p % at or below it', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 200 }), fc.double({ min: 0, max: 100, noNaN: true }), (values, p) => {
      const sorted = [...values].sort((a, b) => a - b);
      const histogram = new Map<number, number>();
      for (const v of values) histogram.set(v, (histogram.get(v) ?? 0) + 1);
      const at = percentile(values, p)!;
      expect(percentileOfSorted(sorted, p)).toBe(at);
      expect(histogramPercentile(histogram, p)).toBe(at);
      expect(values).toContain(at);
      expect(values.filter((v) => v <= at).length).toBeGreaterThanOrEqual((p / 100) * values.length);
      // And it is the smallest such value.
      expect(values.filter((v) => v < at).length).toBeLessThan(Math.max(1, (p / 100) * values.length));
    }));
  });

  it('takes the middle for a median', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
