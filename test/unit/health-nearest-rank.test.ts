import { describe, expect, it } from 'vitest';
import { nearestRank, nearestRankIndex, sampleFraction } from '../../jobs/health/nearest-rank.js';

describe('nearest-rank percentiles', () => {
  it.each([
    // [p, n, 1-based rank]: ceil(p/100 × n), at least 1.
    [95, 20, 19],
    [95, 21, 20],
    [50, 4, 2],
    [50, 5, 3],
    [99, 100, 99],
    [99, 101, 100],
    [100, 7, 7],
    [0, 7, 1],
    [95, 1, 1],
  ])('p%s of %s values is rank %s', (p, n, rank) => expect(nearestRankIndex(p, n)).toBe(rank - 1));

  it('is always one of the values, never interpolated', () => {
    expect(nearestRank([10, 20, 30, 40], [50, 75, 95])).toEqual([20, 30, 40]);
  });

  it('sorts numerically, whatever the order the rows came in', () => {
    const values = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) + 1);
    expect(nearestRank(values, [50, 95, 99])).toEqual([500, 950, 990]);
  });

  it('no values: null, not 0', () => expect(nearestRank([], [95])).toEqual([null]));

  it('refuses a percentile outside 0..100', () => expect(() => nearestRankIndex(101, 3)).toThrow(RangeError));
});

describe('sampleFraction', () => {
  it('reads everything at or under the cap', () => {
    expect(sampleFraction(0, 1000)).toBe(1);
    expect(sampleFraction(1000, 1000)).toBe(1);
  });
  it('above the cap keeps four standard deviations of room under it', () => {
    const f = sampleFraction(1_000_000, 10_000);
    expect(f * 1_000_000).toBeCloseTo(10_000 - 400, 6);
    expect(f).toBeLessThan(10_000 / 1_000_000);
  });
});
