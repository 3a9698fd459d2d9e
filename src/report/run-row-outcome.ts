import type { RunRow } from '../db/run-history.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import { skipText } from '../runner/run-skip.js';
import { isJobResult } from './previous-results.js';

/** A finished dbkeeper_runs row as the outcome the report renders (for `report --preview`). */
export function outcomeOfRow(row: RunRow): RunOutcome {
  const result = isJobResult(row.summary) ? row.summary : null;
  const finishedAt = row.finishedAt ?? row.startedAt;
  const status = row.status === 'running' ? 'interrupted' : row.status === 'ok' && result?.status === 'warning' ? 'warning' : row.status;
  const error = row.error ? { class: /^(\w+): /.exec(row.error)?.[1] ?? 'Error', message: row.error.replace(/^\w+: /, '') } : undefined;
  return {
    job: row.job,
    runId: row.id,
    trigger: row.trigger,
    scheduledFor: row.scheduledFor,
    dryRun: row.dryRun,
    evaluatedAt: row.evaluatedAt,
    status,
    startedAt: row.startedAt,
    finishedAt,
    durationMs: finishedAt.getTime() - row.startedAt.getTime(),
    result,
    ...(error ? { error } : {}),
    ...(row.skip ? { skip: row.skip, skippedReason: skipText(row.skip) } : {}),
    host: row.host,
    pid: row.pid,
  };
}
