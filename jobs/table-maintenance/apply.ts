import { performance } from 'node:perf_hooks';
import type { RowDataPacket } from 'mysql2/promise';
import type { JobDb } from '../../src/db/job-db.js';
import { isLockWaitError } from '../../src/db/sql-errors.js';
import { testPause } from '../../src/testing/test-pause.js';
import { judgeAdminRows, type AdminRow } from './admin-result.js';
import type { Statement, MaintenanceTablePlan } from './plan.js';

export interface StatementOutcome {
  table: string;
  kind: 'analyze' | 'optimize';
  outcome: 'ok' | 'contended' | 'error' | 'replica-lagging';
  /** The error, or the lock wait message. */
  message?: string;
  notes: string[];
  warnings: string[];
  durationMs: number;
}

/** One ANALYZE/OPTIMIZE statement, judged by its result rows. A lost connection still throws. */
export async function runAdminStatement(db: JobDb, table: string, kind: StatementOutcome['kind'], stmt: Statement): Promise<StatementOutcome> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  try {
    const rows = await db.query<RowDataPacket[]>(stmt.sql, stmt.values, stmt.timeLimitSeconds ? { timeLimitSeconds: stmt.timeLimitSeconds } : {});
    const verdict = judgeAdminRows(rows as unknown as AdminRow[]);
    if (verdict.outcome === 'ok') return { table, kind, outcome: 'ok', notes: verdict.notes, warnings: verdict.warnings, durationMs: took() };
    return { table, kind, outcome: verdict.outcome, message: verdict.message, notes: [], warnings: [], durationMs: took() };
  } catch (err) {
    if ((err as { fatal?: boolean }).fatal) throw err;
    const outcome = isLockWaitError(err) ? 'contended' : 'error';
    return { table, kind, outcome, message: (err as Error).message, notes: [], warnings: [], durationMs: took() };
  }
}

/** ANALYZE each table, one statement at a time, stopping between tables when the signal fires. */
export async function applyAnalyze(plan: readonly MaintenanceTablePlan[], db: JobDb, signal: AbortSignal, progress: (line: string) => void): Promise<StatementOutcome[]> {
  const done: StatementOutcome[] = [];
  for (const t of plan) {
    if (signal.aborted) break;
    if (t.analyze.length === 0) continue;
    progress(`ANALYZE ${t.table}`);
    let last: StatementOutcome | undefined;
    const notes: string[] = [];
    const warnings: string[] = [];
    let durationMs = 0;
    for (const stmt of t.analyze) {
      await testPause('maintenance-before-analyze');
      last = await runAdminStatement(db, t.table, 'analyze', stmt);
      durationMs += last.durationMs;
      notes.push(...last.notes);
      warnings.push(...last.warnings);
      if (last.outcome !== 'ok') break;
    }
    done.push({ ...last!, notes, warnings, durationMs });
  }
  return done;
}

/** OPTIMIZE the tables the plan rebuilds, one at a time. `holdForReplicas` (issue 16) waits for the replicas before
 * each one; a text means they stayed behind and the rebuild is skipped. */
export async function applyOptimize(
  plan: readonly MaintenanceTablePlan[],
  db: JobDb,
  signal: AbortSignal,
  progress: (line: string) => void,
  holdForReplicas?: () => Promise<string | null>,
): Promise<StatementOutcome[]> {
  const done: StatementOutcome[] = [];
  for (const t of plan) {
    if (signal.aborted) break;
    if (t.optimize?.action !== 'rebuild') continue;
    progress(`OPTIMIZE ${t.table}`);
    await testPause('maintenance-before-optimize');
    const hold = await holdForReplicas?.();
    if (hold) {
      done.push({ table: t.table, kind: 'optimize', outcome: 'replica-lagging', message: hold, notes: [], warnings: [], durationMs: 0 });
      continue;
    }
    done.push(await runAdminStatement(db, t.table, 'optimize', t.optimize.statement));
  }
  return done;
}
