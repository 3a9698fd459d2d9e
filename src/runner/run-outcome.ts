import type { JobResult, Trigger } from '../job/job-contract.js';
import type { RunClock } from './clock-skew.js';
import type { RunSkip } from '../core/run-skip.js';

export type OutcomeStatus = 'ok' | 'warning' | 'failed' | 'skipped' | 'interrupted';

/** What the runner hands to the CLI, the scheduler and the report: one per run attempt. */
export interface RunOutcome {
  job: string;
  /** The dbkeeper_runs row, or null when no row was written (a dry run, locked, slot already ran). */
  runId: number | null;
  trigger: Trigger;
  scheduledFor: Date;
  dryRun: boolean;
  /** The time the job was evaluated at: `--at`, else the server's clock (the host's start time when no job connection
   * was had). */
  evaluatedAt: Date;
  /** Host and server clock read at the start of the run, and their skew; absent when the job never got a connection. */
  clock?: RunClock;
  status: OutcomeStatus;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  result: JobResult | null;
  error?: { class: string; message: string };
  /** Why the runner did not run the job, typed (see run-skip.ts; catch-up retries `locked` only). */
  skip?: RunSkip;
  /** The same reason as text, derived from `skip` (what the CLI and the report show). */
  skippedReason?: string;
  host: string;
  pid: number;
}
