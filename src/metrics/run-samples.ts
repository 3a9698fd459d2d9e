import type { JobRunStats } from '../db/run-stats.js';
import type { JobResult } from '../job/job-contract.js';
import type { JobMetrics } from '../job/job-metrics.js';
import { nextSlot } from '../scheduler/cron-slots.js';
import { LABEL_NAME, METRIC_NAME, type MetricSample } from './metric-sample.js';

export interface SampledJob {
  job: string;
  schedule: string;
  timezone: string;
  /** The job's own mapping (its metrics.ts), if it publishes figures. */
  metrics?: JobMetrics;
  /** Its latest real run's stored result, if any. */
  result: JobResult | null;
}

const STATUSES = ['ok', 'warning', 'skipped', 'failed', 'interrupted'] as const;
const seconds = (d: Date) => d.getTime() / 1000;

/** Every sample read from dbkeeper_runs (all workers' runs) and the jobs' results, pure. A job sample with a bad
 * name or label is dropped and named in `dropped`, never sent to the registry (which would throw). */
export function runSamples(
  jobs: readonly SampledJob[],
  stats: readonly JobRunStats[],
  now: Date,
  graceSeconds: number,
): { samples: MetricSample[]; dropped: string[] } {
  const byJob = new Map(stats.map((s) => [s.job, s]));
  const samples: MetricSample[] = [];
  const dropped: string[] = [];
  const add = (name: string, help: string, labels: Record<string, string>, value: number | null | undefined) => {
    if (value !== null && value !== undefined && Number.isFinite(value))
      samples.push({ name: `dbkeeper_${name}`, help, labels, value });
  };
  add(
    'status_grace_seconds',
    'status.graceSeconds: how long after its slot a job may start or run before it counts as late',
    {},
    graceSeconds,
  );
  for (const j of jobs) {
    const s = byJob.get(j.job);
    // Not `job`: Prometheus sets that label to the scrape job (ours would become exported_job).
    const job = { dbkeeper_job: j.job };
    add(
      'job_last_run_timestamp_seconds',
      'When the latest finished real run of the job ended (any worker; Unix seconds)',
      job,
      s?.lastFinished ? seconds(s.lastFinished.finishedAt ?? s.lastFinished.startedAt) : null,
    );
    add(
      'job_last_success_timestamp_seconds',
      'When the latest ok or warning run of the job ended (any worker; Unix seconds)',
      job,
      s?.lastSuccessAt ? seconds(s.lastSuccessAt) : null,
    );
    add(
      'job_last_done_slot_timestamp_seconds',
      'The latest slot a done run (ok, warning, covered) covers (Unix seconds)',
      job,
      s?.lastDoneAt ? seconds(s.lastDoneAt) : null,
    );
    if (s?.lastFinished) {
      const last = s.lastFinished;
      for (const status of STATUSES)
        add(
          'job_last_run_status',
          "The latest finished run's status: 1 for the status it has",
          { ...job, status },
          last.status === status ? 1 : 0,
        );
      if (last.finishedAt)
        add(
          'job_last_run_duration_seconds',
          'Duration of the latest finished run',
          job,
          (last.finishedAt.getTime() - last.startedAt.getTime()) / 1000,
        );
    }
    for (const status of STATUSES)
      add(
        'job_runs_recorded',
        'Real runs recorded in dbkeeper_runs, by status',
        { ...job, status },
        s?.counts[status] ?? 0,
      );
    add('job_running', 'Whether a run of the job is recorded as running (1) or not (0)', job, s?.runningSince ? 1 : 0);
    const next = nextSlot(j.schedule, j.timezone, now);
    add(
      'job_next_run_timestamp_seconds',
      'The next slot the schedule fires (Unix seconds)',
      job,
      next ? seconds(next) : null,
    );
    const after = next ? nextSlot(j.schedule, j.timezone, next) : null;
    add(
      'job_period_seconds',
      'Time between the next two slots of the schedule',
      job,
      next && after ? seconds(after) - seconds(next) : null,
    );
    if (!j.metrics || !j.result) continue;
    for (const m of j.metrics(j.result, now)) {
      const labels = m.labels ?? {};
      const bad = !METRIC_NAME.test(m.name)
        ? 'name'
        : Object.keys(labels).find((l) => !LABEL_NAME.test(l) || l.startsWith('__'));
      if (bad) dropped.push(`${j.job}: ${m.name} (${bad === 'name' ? 'bad metric name' : `bad label ${bad}`})`);
      else add(m.name, m.help, labels, m.value);
    }
  }
  return { samples, dropped };
}
