import type { JobMetricSample, JobMetrics } from '../../src/job/job-metrics.js';
import type { Figure } from '../../src/job/report-sections.js';
import type { HealthConfig } from './config.js';

export interface FigureLimits {
  warn: number | null;
  fail: number | null;
  /** `below`: lower is worse (buffer pool hit ratio). */
  worse: 'above' | 'below';
}

/** The numeric limits each figure is judged by (plan.ts), by its label; replica lag by prefix. Stored with the
 * result (details.limits) so a monitor alerts on the same numbers the report judged. */
export function healthFigureLimits(c: HealthConfig): Record<string, FigureLimits> {
  const above = (warn: number | null, fail: number | null): FigureLimits => ({ warn, fail, worse: 'above' });
  return {
    'Average query time': above(c.avgQueryTimeMsWarn, c.avgQueryTimeMsFail),
    'Slow queries': above(c.slowQueriesPerDayWarn, c.slowQueriesPerDayFail),
    Deadlocks: above(null, c.deadlocksPerDayFail),
    'Row-lock waits': above(c.rowLockWaitsPerDayWarn, null),
    'Row-lock wait, average': above(c.rowLockWaitAvgMsWarn, null),
    'Connection use, now': above(c.connectionUsePercentWarn, c.connectionUsePercentFail),
    'Connection use, peak': above(c.connectionUsePercentWarn, c.connectionUsePercentFail),
    'Refused connections (max_connections reached)': above(null, c.refusedConnectionsPerDayFail),
    'Aborted connection attempts': above(c.abortedConnectsPerDayWarn, null),
    'Aborted clients': above(c.abortedClientsPerDayWarn, null),
    'Buffer pool hit ratio': { warn: c.bufferPoolHitPercentWarn, fail: c.bufferPoolHitPercentFail, worse: 'below' },
    'History list length': above(c.historyListLengthWarn, c.historyListLengthFail),
    'Replica lag': above(c.replicaLagSecondsWarn, c.replicaLagSecondsFail),
  };
}

const STATUS_VALUE: Record<string, number> = { ok: 0, warn: 1, fail: 2 };

function limitsOf(label: string, limits: Record<string, FigureLimits>): FigureLimits | undefined {
  return (
    limits[label] ?? (/^Replica .*lag$/.test(label) || label === 'Replica lag' ? limits['Replica lag'] : undefined)
  );
}

/** Each numeric figure, its status (0 ok, 1 warn, 2 fail) and its limits, labelled by the figure's label. */
export const healthMetrics: JobMetrics = (result) => {
  const figures = (result.details?.figures ?? []) as Figure[];
  const limits = (result.details?.limits ?? {}) as Record<string, FigureLimits>;
  if (!Array.isArray(figures)) return [];
  const out: JobMetricSample[] = [];
  for (const f of figures) {
    if (typeof f.label !== 'string' || typeof f.value !== 'number') continue;
    const labels = { figure: f.label, unit: f.unit ?? '' };
    out.push({
      name: 'health_figure_value',
      help: 'A health figure of the last run (counts are over the run window, about a day; limits per day)',
      labels,
      value: f.value,
    });
    const status = STATUS_VALUE[f.status ?? 'ok'];
    if (status !== undefined)
      out.push({
        name: 'health_figure_status',
        help: 'The figure judged against its limits: 0 ok, 1 warn, 2 fail',
        labels,
        value: status,
      });
    const l = limitsOf(f.label, limits);
    if (l?.warn !== null && l?.warn !== undefined)
      out.push({
        name: 'health_figure_warn_threshold',
        help: 'The figure warns past this limit',
        labels: { ...labels, worse: l.worse },
        value: l.warn,
      });
    if (l?.fail !== null && l?.fail !== undefined)
      out.push({
        name: 'health_figure_fail_threshold',
        help: 'The figure fails past this limit',
        labels: { ...labels, worse: l.worse },
        value: l.fail,
      });
  }
  return out;
};
