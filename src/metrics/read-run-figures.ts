import type { Pool } from 'mysql2/promise';
import { acquireWithin } from '../db/database.js';
import { emptyIfMissing } from '../db/missing-table.js';
import { boundedPoolQueryable } from '../db/query-timeout.js';
import { recentRuns } from '../db/run-history.js';
import { jobRunStats } from '../db/run-stats.js';
import type { ScheduledJob } from '../scheduler/scheduled-jobs.js';
import { resultOfRow } from '../runner/run-record.js';
import type { MetricSample } from './metric-sample.js';
import { runSamples } from './run-samples.js';

export interface RunFiguresSource {
  pool: Pool;
  schema: string;
  plans: readonly ScheduledJob[];
  graceSeconds: number;
  queryTimeoutMs: number;
}

/** Reads dbkeeper_runs (bounded queries; a missing table reads as no history) and maps it to samples. */
export async function readRunFigures(
  src: RunFiguresSource,
  now: Date,
): Promise<{ samples: MetricSample[]; dropped: string[] }> {
  const q = boundedPoolQueryable(src.pool, src.queryTimeoutMs, acquireWithin);
  const stats = await emptyIfMissing(jobRunStats(q, src.schema), []);
  const jobs = [];
  for (const p of src.plans) {
    const rows = p.job.metrics
      ? await emptyIfMissing(recentRuns(q, src.schema, p.job.name, { limit: 1, realOnly: true, withResult: true }), [])
      : [];
    jobs.push({
      job: p.job.name,
      schedule: p.schedule,
      timezone: p.timezone,
      ...(p.job.metrics ? { metrics: p.job.metrics } : {}),
      result: rows[0] ? resultOfRow(rows[0]) : null,
    });
  }
  return runSamples(jobs, stats, now, src.graceSeconds);
}
