import type { RunEnd, RunRow } from '../db/run-history.js';
import type { JobResult } from '../job/job-contract.js';
import { clockJson } from './clock-skew.js';
import type { RunOutcome } from './run-outcome.js';
import { skipText } from './run-skip.js';

/** The one mapping between a dbkeeper_runs row and a RunOutcome. The row stores what happened as it is (status,
 * error_class, error_message, skip_reason); the summary column carries the JobResult and the run's clock only, and
 * nobody derives a status or an error from it. */

/** The columns the runner writes at the end of a run. */
export function runEndOf(
  o: Pick<RunOutcome, 'status' | 'finishedAt' | 'evaluatedAt' | 'result' | 'clock' | 'error'>,
): RunEnd {
  return {
    status: o.status,
    finishedAt: o.finishedAt,
    evaluatedAt: o.evaluatedAt,
    summary: o.result && o.clock ? { ...o.result, clock: clockJson(o.clock) } : o.result,
    errorClass: o.error?.class ?? null,
    errorMessage: o.error?.message ?? null,
  };
}

function isJobResult(value: unknown): value is JobResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as JobResult).status === 'string' &&
    typeof (value as JobResult).summary === 'string'
  );
}

/** The job's result stored with the row (without the run's clock), or null (failed, skipped, no result). */
export function resultOfRow(row: Pick<RunRow, 'summary'>): JobResult | null {
  if (!isJobResult(row.summary)) return null;
  const { clock: _clock, ...result } = row.summary as JobResult & { clock?: unknown };
  return result;
}

/** The clocks the runner stored beside the result (`summary.clock`), if any. */
function clockOfRow(row: Pick<RunRow, 'summary'>): RunOutcome['clock'] {
  const c = (row.summary as { clock?: { host?: unknown; server?: unknown; skewMs?: unknown } } | null)?.clock;
  if (!c || typeof c.host !== 'string' || typeof c.server !== 'string' || typeof c.skewMs !== 'number')
    return undefined;
  return { host: new Date(c.host), server: new Date(c.server), skewMs: c.skewMs };
}

/** The row's error, when it has one. */
export function errorOfRow(row: Pick<RunRow, 'errorClass' | 'errorMessage'>): RunOutcome['error'] {
  if (row.errorMessage === null) return undefined;
  return { class: row.errorClass ?? 'Error', message: row.errorMessage };
}

/** The row's one-line summary (what `status` shows): the job's, else its error, else why it was skipped. */
export function summaryLineOfRow(row: RunRow): string | null {
  const error = errorOfRow(row);
  return (
    resultOfRow(row)?.summary ??
    (error ? `${error.class}: ${error.message}` : null) ??
    (row.skip ? skipText(row.skip) : null)
  );
}

/** A dbkeeper_runs row as the outcome the report renders (`report --preview`). A row still `running` is shown as
 * `interrupted`: it has not ended, and whatever it did is not reported as done. */
export function outcomeOfRow(row: RunRow): RunOutcome {
  const finishedAt = row.finishedAt ?? row.startedAt;
  const error = errorOfRow(row);
  const clock = clockOfRow(row);
  return {
    job: row.job,
    runId: row.id,
    trigger: row.trigger,
    scheduledFor: row.scheduledFor,
    dryRun: row.dryRun,
    evaluatedAt: row.evaluatedAt,
    status: row.status === 'running' ? 'interrupted' : row.status,
    startedAt: row.startedAt,
    finishedAt,
    durationMs: finishedAt.getTime() - row.startedAt.getTime(),
    result: resultOfRow(row),
    ...(error ? { error } : {}),
    ...(clock ? { clock } : {}),
    ...(row.skip ? { skip: row.skip, skippedReason: skipText(row.skip) } : {}),
    host: row.host,
    pid: row.pid,
  };
}
