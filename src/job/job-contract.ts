import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Trigger } from '../core/trigger.js';
import type { JobDb } from '../db/job-db.js';
import type { LockHolder } from '../db/metadata-lock-check.js';
import type { Migration } from '../db/migrations.js';
import type { JobMetrics } from './job-metrics.js';
import type { JobReplicas } from '../replica/job-replicas.js';
import type { JobOptions } from './job-options.js';
import type { JobPrivileges, PrivilegeFindings } from '../db/privileges.js';
import type { ReportSection } from './report-sections.js';

export type Period = 'daily' | 'weekly' | 'monthly';
export type { Trigger };

/** A job's `details`: JSON the report attaches. */
export type JobDetails = Record<string, unknown>;

/** What a job reports back. `details` is job-specific JSON that the report renders; D is its shape, inferred by
 * defineJob from what `run` returns (tests read it typed through runJobForTest). */
export interface JobResult<D extends JobDetails = JobDetails> {
  /** ok: did its work; warning: did its work but something needs a human; skipped: chose not to act. */
  status: 'ok' | 'warning' | 'skipped';
  /** One line a person reads first. */
  summary: string;
  warnings?: string[];
  /** Things the job deliberately did not do, and why. */
  skipped?: JobSkip[];
  /** Set when a person must hear of this run now, though it did not fail (e.g. a purge a replica kept from running):
   * the scheduler sends an alert with it. */
  alert?: string;
  /** Job-specific facts as JSON (the --json output and the report's attachment). */
  details?: D;
  /** What the report shows for this job: figures with thresholds, tables, bars, SQL. */
  sections?: ReportSection[];
}

/** One thing a job did not do. `kind: 'contended'`: another session held the table's metadata lock (or, by the
 * coarse check, had a long transaction open); `culprits` names them. Retried by the next run. */
export interface JobSkip {
  target: string;
  reason: string;
  kind?: 'contended';
  culprits?: LockHolder[];
}

export interface JobSettings {
  /** Environment name shown in reports (DBKEEPER_ENV). */
  environment: string;
  /** The zone of this job's schedule (its own `timezone`, else the global one). */
  timezone: string;
  /** DB_SLOW_QUERY_TIME: what the platform calls a slow query, in seconds. */
  slowQueryTimeSeconds: number;
  /** DB_POOL_MAX: the pool size in the platform's .env. */
  dbPoolMax: number;
}

export interface JobContext<C = Record<string, unknown>> {
  db: JobDb;
  log: Logger;
  /** This job's validated config section. */
  config: C;
  /** The evaluation time: real time, or `--at` for a dry run. Jobs never read the clock themselves. */
  now: Date;
  dryRun: boolean;
  signal: AbortSignal;
  trigger: Trigger;
  /** Job-specific CLI flags, already validated against `job.options` (a flag is `true`, a value its text). */
  options: Record<string, string | boolean>;
  /** Settings of the whole install that a job may need beside its own section. */
  settings: JobSettings;
  /** The read replicas: limits, lag, a bounded wait, reads on a node (none configured: every wait passes). A writing
   * job's run keeps the heartbeat going on the primary (not in a dry run). */
  replicas: JobReplicas;
  /** Print progress for a person at a terminal (manual runs on a TTY), else a no-op. */
  progress: (line: string) => void;
  /** What the start-up probes found missing for every enabled job (ping reports it); absent/null when not probed. */
  privileges?: PrivilegeFindings | null;
}

export interface Job<S extends z.ZodObject = z.ZodObject, D extends JobDetails = JobDetails> {
  name: string;
  description: string;
  period: Period;
  /** Default cron expression; config can override. */
  schedule: string;
  /** The job's own settings (beside enabled/schedule/timezone/catchUp), validated at start-up. */
  configSchema: S;
  /** Extra CLI flags this job accepts, each a bare flag or a validated value (checked before any lock or row). */
  options?: JobOptions;
  /** Whether the job writes anything (jobs that only read may run without --dry-run effects). */
  writes: boolean;
  /** dbkeeper tables this job keeps (snapshots, history), created at start-up with the core tables. */
  migrations?: readonly Migration[];
  /** The GRANTs this job needs for its config (jobs/<name>/privileges.ts): `grants` prints them, start-up probes them.
   */
  privileges?: JobPrivileges<z.infer<S>>;
  run(ctx: JobContext<z.infer<S>>): Promise<JobResult<D>>;
  /** Figures for Prometheus from the job's stored result (its `metrics.ts`); the engine reads them, the job never
   * imports the metrics module. */
  metrics?: JobMetrics;
}

/** Erase the config type so jobs of different shapes sit in one list. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJob = Job<any, any>;

/** The shape of a job's `details`, as its `run` returns them. */
export type DetailsOf<J> = J extends Job<z.ZodObject, infer D> ? D : JobDetails;

export function defineJob<S extends z.ZodObject, D extends JobDetails = JobDetails>(job: Job<S, D>): Job<S, D> {
  return job;
}
