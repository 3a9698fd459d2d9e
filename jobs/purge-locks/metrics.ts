import type { JobMetricSample, JobMetrics } from '../../src/job/job-metrics.js';

interface TargetDetails {
  table?: unknown;
  rowsDeleted?: unknown;
  backlogLeft?: unknown;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Per table: rows the last run deleted and the expired rows it left. */
export const purgeLocksMetrics: JobMetrics = (result) => {
  const targets = (result.details?.targets ?? []) as TargetDetails[];
  if (!Array.isArray(targets)) return [];
  const out: JobMetricSample[] = [];
  for (const t of targets) {
    if (typeof t.table !== 'string' || !num(t.rowsDeleted)) continue;
    const labels = { table: t.table };
    out.push({
      name: 'purge_rows_deleted',
      help: 'Expired rows the last purge run deleted',
      labels,
      value: t.rowsDeleted,
    });
    if (num(t.backlogLeft))
      out.push({
        name: 'purge_backlog_rows',
        help: 'Expired rows left after the last purge run',
        labels,
        value: t.backlogLeft,
      });
  }
  return out;
};
