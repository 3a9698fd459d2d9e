import type { JobResult, Period } from '../job/job-contract.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import type { DbOutage } from './db-outage.js';

export type ReportPeriod = Period | 'manual';
export type ReportKind = 'summary' | 'alert' | 'preview';

/** One job in a report: its outcome and, for the trend, its previous real run. */
export interface JobReport {
  outcome: RunOutcome;
  previous: { result: JobResult; startedAt: Date; durationMs: number | null } | null;
  /** Results of earlier real runs, oldest first (at most HISTORY_RUNS − 1): the figures' small charts. */
  history?: JobResult[];
}

/** How many values a figure's chart shows, the current run's included. */
export const HISTORY_RUNS = 30;

/** Everything the pure renderer needs; no clock, no IO. */
export interface ReportInput {
  environment: string;
  period: ReportPeriod;
  kind: ReportKind;
  /** When the report was made (shown in the header). */
  generatedAt: Date;
  /** Time zone for the times a person reads. */
  timezone: string;
  jobs: JobReport[];
  /** Database outages: the one an outage alert is about (until null), or ended ones a summary reports. */
  outages?: readonly DbOutage[];
}

export interface RenderedReport {
  subject: string;
  text: string;
  html: string;
  /** All results as JSON, the attachment. */
  json: string;
}

const failedStatuses = new Set(['failed', 'interrupted']);

export function isFailed(o: RunOutcome): boolean {
  return failedStatuses.has(o.status);
}

/** Warnings a job raised: its listed warnings, or 1 when it says `warning` without listing any. */
export function warningCount(o: RunOutcome): number {
  const listed = o.result?.warnings?.length ?? 0;
  if (listed > 0) return listed;
  return o.status === 'warning' ? 1 : 0;
}

/** Sort key: failed first, then warnings, ok, skipped. */
export function severity(o: RunOutcome): number {
  if (isFailed(o)) return 0;
  if (warningCount(o) > 0) return 1;
  if (o.status === 'skipped') return 3;
  return 2;
}

export function worstLabel(jobs: readonly JobReport[], outages: readonly DbOutage[] = []): string {
  if (outages.some((o) => o.until === null)) return 'DATABASE UNREACHABLE';
  if (jobs.some((j) => isFailed(j.outcome))) return 'FAILED';
  const warnings = jobs.reduce((n, j) => n + warningCount(j.outcome), 0);
  if (warnings > 0) return `${warnings} WARNING${warnings === 1 ? '' : 'S'}`;
  return 'OK';
}

export function subjectOf(input: Pick<ReportInput, 'environment' | 'period' | 'kind' | 'jobs' | 'outages'>): string {
  const base = `[dbkeeper ${input.environment}] ${input.kind === 'preview' ? 'preview' : input.period}: ${worstLabel(input.jobs, input.outages)}`;
  const down = input.outages?.find((o) => o.until === null);
  if (input.kind === 'alert' && down) return `${base} (alert: since ${down.since.toISOString()})`;
  if (input.kind === 'alert') return `${base} (alert: ${input.jobs.map((j) => j.outcome.job).join(', ')})`;
  if (input.jobs.length === 0) return `${base} (no runs)`;
  return base;
}
