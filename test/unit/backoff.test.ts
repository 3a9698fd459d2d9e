import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/core/backoff.js';

describe('backoffDelay: the one retry policy', () => {
  it('doubles from the initial wait', () => {
    expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, { initialMs: 200 }))).toEqual([200, 400, 800, 1600, 3200]);
  });

  it('stops at the cap', () => {
    expect([0, 5, 6, 7].map((a) => backoffDelay(a, { initialMs: 1_000, maxMs: 60_000 }))).toEqual([
      1_000, 32_000, 60_000, 60_000,
    ]);
  });

  it('stays at the cap for an attempt so large that 2^attempt is Infinity (the worker retries forever)', () => {
    expect(backoffDelay(5_000, { initialMs: 500, maxMs: 60_000 })).toBe(60_000);
  });

  it('a zero initial wait is 0 at any attempt, never NaN', () => {
    expect(backoffDelay(0, { initialMs: 0, maxMs: 60_000 })).toBe(0);
    expect(backoffDelay(2_000, { initialMs: 0 })).toBe(0);
  });

  it('a negative attempt counts as the first', () => {
    expect(backoffDelay(-3, { initialMs: 250 })).toBe(250);
  });
});
