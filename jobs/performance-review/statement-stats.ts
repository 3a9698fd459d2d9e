import { fingerprint } from './fingerprint.js';

/** One statement shape over the review period. Times in seconds. Carries the fingerprint only (literals
 * replaced): a real statement holds customer data and never goes into a report or run history. */
export interface StatementStat {
  fingerprint: string;
  schema: string | null;
  count: number;
  totalSeconds: number;
  maxSeconds: number | null;
  /** null when the source has no per-execution times (performance_schema before MySQL 8). */
  p95Seconds: number | null;
  rowsExamined: number | null;
}

const SAMPLE_CHARS = 300;

/** One real statement of a fingerprint (truncated), kept in memory for the opt-in raw-samples file only. */
export interface RawSample {
  fingerprint: string;
  sample: string;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Folds individual slow-log executions into one stat per fingerprint (keeps each duration for the p95). */
export class StatementAggregator {
  private groups = new Map<
    string,
    { sample: string; schema: string | null; times: number[]; total: number; rows: number }
  >();
  entries = 0;

  add(sql: string, seconds: number, schema: string | null, rowsExamined: number | null): void {
    const fp = fingerprint(sql);
    if (fp === '') return;
    this.entries += 1;
    let g = this.groups.get(fp);
    if (!g) {
      g = { sample: sql.trim().slice(0, SAMPLE_CHARS), schema: schema || null, times: [], total: 0, rows: 0 };
      this.groups.set(fp, g);
    }
    g.times.push(seconds);
    g.total += seconds;
    g.rows += rowsExamined ?? 0;
  }

  stats(): StatementStat[] {
    return [...this.groups.entries()].map(([fp, g]) => {
      const sorted = [...g.times].sort((a, b) => a - b);
      return {
        fingerprint: fp,
        schema: g.schema,
        count: sorted.length,
        totalSeconds: g.total,
        maxSeconds: sorted[sorted.length - 1] ?? null,
        p95Seconds: percentile(sorted, 95),
        rowsExamined: g.rows,
      };
    });
  }

  rawSamples(): RawSample[] {
    return [...this.groups.entries()].map(([fingerprint, g]) => ({ fingerprint, sample: g.sample }));
  }
}
