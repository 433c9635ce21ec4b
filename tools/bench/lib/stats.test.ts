import { describe, expect, it } from 'vitest';
import { bootstrapMedian, bootstrapRatioOfMedians, median, quantileSorted, rotate, round } from './stats.js';

describe('stats', () => {
  it('takes nearest-rank quantiles of a sorted array', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantileSorted(sorted, 0.5)).toBe(50);
    expect(quantileSorted(sorted, 0.99)).toBe(99);
    expect(quantileSorted(sorted, 1)).toBe(100);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });

  it('takes the median of odd and even lists, ignoring non-finite values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it('rotates so that every contender goes first once per cycle', () => {
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 3)).toEqual(['a', 'b', 'c']);
    expect(rotate(['a', 'b', 'c'], -1)).toEqual(['c', 'a', 'b']);
  });

  it('rounds to three significant digits', () => {
    expect(round(12345.678)).toBe(12346);
    expect(round(0.012345)).toBe(0.0123);
    expect(round(1.23456)).toBe(1.23);
  });

  it('gives a bootstrap interval of a ratio of medians that holds the ratio and narrows with more data', () => {
    const noisy = (n: number, centre: number) => Array.from({ length: n }, (_, i) => centre + ((i * 37) % 21) - 10);
    const [low, high] = bootstrapRatioOfMedians(noisy(40, 120), noisy(40, 100));
    expect(low).toBeLessThan(1.2);
    expect(high).toBeGreaterThan(1.2);
    expect(low).toBeGreaterThan(1);
    const [wideLow, wideHigh] = bootstrapRatioOfMedians(noisy(8, 120), noisy(8, 100));
    expect(wideHigh - wideLow).toBeGreaterThan(high - low);
    expect(bootstrapRatioOfMedians(noisy(40, 120), noisy(40, 100))).toEqual([low, high]);
    expect(bootstrapRatioOfMedians([], [1])).toEqual([Number.NaN, Number.NaN]);
  });

  it('gives a bootstrap interval of a median that holds the median and lies within the values', () => {
    const ratios = [0.91, 0.95, 0.97, 0.99, 1.0, 1.02, 1.04, 1.3];
    const [low, high] = bootstrapMedian(ratios);
    expect(low).toBeLessThanOrEqual(median(ratios));
    expect(high).toBeGreaterThanOrEqual(median(ratios));
    expect(low).toBeGreaterThanOrEqual(0.91);
    expect(high).toBeLessThan(1.3);
    expect(bootstrapMedian([1, 1, 1])).toEqual([1, 1]);
    expect(bootstrapMedian([])).toEqual([Number.NaN, Number.NaN]);
  });
});
