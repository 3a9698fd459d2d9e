import type { RunRow } from '../db/run-history.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import { skipText } from '../runner/run-skip.js';
import { isJobResult } from './previous-results.js';

/** The clocks the runner stored beside the result (`summary.clock`), if any. */
function clockOfSummary(summary: unknown): RunOutcome['clock'] {
  const c = (summary as { clock?: { host?: unknown; server?: unknown; skewMs?: unknown } } | null)?.clock;
  if (!c || typeof c.host !== 'string' || typeof c.server !== 'string' || typeof c.skewMs !== 'number') return undefined;
  return { host: new Date(c.host), server: new Date(c.server), skewMs: c.skewMs };
}

/** A finished dbkeeper_runs row as the outcome the report renders (for `report --preview`). */
export function outcomeOfRow(row: RunRow): RunOutcome {
  const result = isJobResult(row.summary) ? row.summary : null;
  const finishedAt = row.finishedAt ?? row.startedAt;
  const status = row.status === 'running' ? 'interrupted' : row.status === 'ok' && result?.status === 'warning' ? 'warning' : row.status;
  const clock = clockOfSummary(row.summary);
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
    ...(clock ? { clock } : {}),
    ...(row.skip ? { skip: row.skip, skippedReason: skipText(row.skip) } : {}),
    host: row.host,
    pid: row.pid,
  };
}
