import type { Database } from '../db/database.js';
import { recentRuns, type RunRow } from '../db/run-history.js';
import type { JobResult } from '../job/job-contract.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import { resultOfRow } from '../runner/run-record.js';
import { HISTORY_RUNS, type JobReport } from './report-input.js';
import { emptyIfMissing } from '../db/missing-table.js';

/** The run to compare with: the newest real (not dry) run of the job before this one that has a result. */
export function pickPrevious(rows: readonly RunRow[], outcome: RunOutcome): JobReport['previous'] {
  for (const row of rows) {
    if (row.dryRun || row.id === outcome.runId) continue;
    if (outcome.runId !== null && row.id > outcome.runId) continue;
    const result = resultOfRow(row);
    if (!result) continue;
    return {
      result,
      startedAt: row.startedAt,
      durationMs: row.finishedAt ? row.finishedAt.getTime() - row.startedAt.getTime() : null,
    };
  }
  return null;
}

/** The results of the real runs before this one, oldest first (newest-first rows in, as recentRuns gives them). */
export function pickHistory(rows: readonly RunRow[], outcome: RunOutcome): JobResult[] {
  const out: JobResult[] = [];
  for (const row of rows) {
    if (row.dryRun || row.id === outcome.runId || (outcome.runId !== null && row.id > outcome.runId)) continue;
    const result = resultOfRow(row);
    if (result) out.push(result);
    if (out.length === HISTORY_RUNS - 1) break;
  }
  return out.reverse();
}

export async function withPrevious(db: Database | undefined, outcomes: readonly RunOutcome[]): Promise<JobReport[]> {
  const out: JobReport[] = [];
  for (const outcome of outcomes) {
    const rows = db
      ? // No dbkeeper_runs yet (a dry run on a fresh install): no history, no trend.
        await emptyIfMissing(
          recentRuns(db.pool, db.schema, outcome.job, {
            realOnly: true,
            withResult: true,
            limit: HISTORY_RUNS,
            ...(outcome.runId !== null ? { beforeId: outcome.runId } : {}),
          }),
          [],
        )
      : [];
    out.push({ outcome, previous: pickPrevious(rows, outcome), history: pickHistory(rows, outcome) });
  }
  return out;
}
