import type { Database } from '../db/database.js';
import { recentRuns, type RunRow } from '../db/run-history.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import { resultOfRow } from '../runner/run-record.js';
import type { JobReport } from './report-input.js';
import { emptyIfMissing } from '../db/missing-table.js';

/** The run to compare with: the newest real (not dry) run of the job before this one that has a result. */
export function pickPrevious(rows: readonly RunRow[], outcome: RunOutcome): JobReport['previous'] {
  for (const row of rows) {
    if (row.dryRun || row.id === outcome.runId) continue;
    if (outcome.runId !== null && row.id > outcome.runId) continue;
    const result = resultOfRow(row);
    if (!result) continue;
    return { result, startedAt: row.startedAt, durationMs: row.finishedAt ? row.finishedAt.getTime() - row.startedAt.getTime() : null };
  }
  return null;
}

export async function withPrevious(db: Database | undefined, outcomes: readonly RunOutcome[]): Promise<JobReport[]> {
  const out: JobReport[] = [];
  for (const outcome of outcomes) {
    const rows = db
      ? // No dbkeeper_runs yet (a dry run on a fresh install): no history, no trend.
        await emptyIfMissing(
          recentRuns(db.pool, db.schema, outcome.job, { realOnly: true, withResult: true, limit: 5, ...(outcome.runId !== null ? { beforeId: outcome.runId } : {}) }),
          [],
        )
      : [];
    out.push({ outcome, previous: pickPrevious(rows, outcome) });
  }
  return out;
}
