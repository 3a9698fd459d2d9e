import { describe, expect, it } from 'vitest';
import { formatBytes, formatNumber, formatSeconds } from '../../src/core/number-format.js';

describe('the one number formatter', () => {
  it('formatNumber groups thousands en-US and keeps at most two decimals', () => {
    expect([0, 7, 12_345, 1_234_567, 0.25, 1234.5678, -9876].map(formatNumber)).toEqual([
      '0',
      '7',
      '12,345',
      '1,234,567',
      '0.25',
      '1,234.57',
      '-9,876',
    ]);
  });

  it('formatBytes picks the largest binary unit that reads at least 1', () => {
    expect([null, undefined, 0, 1023, 1024, 1536, 1024 ** 2, 1.25 * 1024 ** 3].map(formatBytes)).toEqual([
      'unknown',
      'unknown',
      '0 B',
      '1023 B',
      '1 KiB',
      '2 KiB',
      '1.0 MiB',
      '1.3 GiB',
    ]);
  });

  it('formatSeconds shows milliseconds as seconds with the asked decimals', () => {
    expect([formatSeconds(1_500, 1), formatSeconds(250, 3), formatSeconds(0, 1), formatSeconds(59_960, 1)]).toEqual([
      '1.5 s',
      '0.250 s',
      '0.0 s',
      '60.0 s',
    ]);
  });
});
