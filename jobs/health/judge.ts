import type { FigureStatus } from '../../src/job/report-sections.js';

/** ok while value ≤ warn; warn above it; fail above `fail`. */
export function judgeAbove(value: number, warn: number | null, fail: number | null): FigureStatus {
  if (fail !== null && value > fail) return 'fail';
  if (warn !== null && value > warn) return 'warn';
  return 'ok';
}

/** For figures where lower is worse (hit ratios): ok while value ≥ warn. */
export function judgeBelow(value: number, warn: number, fail: number): FigureStatus {
  if (value < fail) return 'fail';
  if (value < warn) return 'warn';
  return 'ok';
}
