import type { JobMetricSample, JobMetrics } from '../../src/job/job-metrics.js';

interface TableDetails {
  table?: unknown;
  monthsAhead?: unknown;
  coveredUntil?: unknown;
  rowsInPmax?: unknown;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Per table: months covered ahead, seconds until the newest month partition is full, rows in the tail. */
export const partitionsMetrics: JobMetrics = (result, now) => {
  const tables = (result.details?.tables ?? []) as TableDetails[];
  if (!Array.isArray(tables) || result.details?.dryRun === true) return [];
  const out: JobMetricSample[] = [];
  for (const t of tables) {
    if (typeof t.table !== 'string') continue;
    const labels = { table: t.table };
    if (num(t.monthsAhead))
      out.push({
        name: 'partitions_months_ahead',
        help: 'Future months that have a partition (the current month not counted), at the last run',
        labels,
        value: t.monthsAhead,
      });
    if (num(t.coveredUntil)) {
      out.push({
        name: 'partitions_covered_until_timestamp_seconds',
        help: 'Upper bound of the newest month partition (Unix seconds)',
        labels,
        value: t.coveredUntil,
      });
      out.push({
        name: 'partitions_seconds_until_full',
        help: 'Seconds until the newest month partition is full and inserts land in the tail partition',
        labels,
        value: t.coveredUntil - Math.floor(now.getTime() / 1000),
      });
    }
    if (num(t.rowsInPmax))
      out.push({
        name: 'partitions_tail_rows',
        help: 'Rows in the MAXVALUE tail partition at the last run (an estimate)',
        labels,
        value: t.rowsInPmax,
      });
  }
  return out;
};
