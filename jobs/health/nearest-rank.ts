/** Nearest-rank percentile: of N values sorted ascending, the p-th percentile is the value at 1-based rank
 * ceil(p / 100 × N) (rank 1 for p = 0). Always one of the values, never interpolated; null for no values. */
export function nearestRankIndex(p: number, n: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  if (n <= 0) throw new RangeError('no values');
  // p × N in integer hundredths first: 95 × 20 / 100 is exactly 19, where 0.95 × 20 is 19.000000000000004.
  const rank = Math.ceil(Math.round(p * n * 1e6) / 1e8);
  return Math.min(n, Math.max(1, rank)) - 1;
}

/** The percentiles `ps` of `values` (any order), by nearest rank. */
export function nearestRank(values: readonly number[], ps: readonly number[]): (number | null)[] {
  if (values.length === 0) return ps.map(() => null);
  const sorted = [...values].sort((a, b) => a - b);
  return ps.map((p) => sorted[nearestRankIndex(p, sorted.length)]!);
}

/** The fraction of rows a Bernoulli sample keeps so that it stays under `cap` rows (four standard deviations of
 * room), or 1 when all `total` rows fit. */
export function sampleFraction(total: number, cap: number): number {
  if (total <= cap) return 1;
  const target = Math.max(1, cap - 4 * Math.sqrt(cap));
  return target / total;
}
