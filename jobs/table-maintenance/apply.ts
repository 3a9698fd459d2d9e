import { performance } from 'node:perf_hooks';
import type { RowDataPacket } from 'mysql2/promise';
import type { JobDb } from '../../src/db/job-db.js';
import { isLockWaitError } from '../../src/db/sql-errors.js';
import { testPause } from '../../src/testing/test-pause.js';
import {
  describeHolders,
  findLockHolders,
  lockCheckMethod,
  waitForLockHolders,
  type LockCheck,
  type LockCheckMethod,
} from '../../src/db/metadata-lock-check.js';
import { judgeAdminRows, type AdminRow } from './admin-result.js';
import type { Statement, MaintenanceTablePlan } from './plan.js';
import type { RebuildStatement } from './rebuild-statement.js';

export interface StatementOutcome {
  table: string;
  kind: 'analyze' | 'optimize';
  outcome: 'ok' | 'contended' | 'error' | 'replica-lagging';
  /** The error, or the lock wait message. */
  message?: string;
  notes: string[];
  warnings: string[];
  durationMs: number;
  /** A contended rebuild: when it met the lock, and who held the table. */
  contention?: {
    /** before: the pre-check found holders and the DDL never ran; wait: the DDL's own lock wait ran out;
     * mid-rebuild: the rebuild ran, then could not take the lock again to commit, and was rolled back. */
    when: 'before' | 'wait' | 'mid-rebuild';
    check: LockCheck | null;
    waitedMs: number;
    /** mid-rebuild: the rebuild's time thrown away. */
    workLostMs?: number;
  };
}

/** One ANALYZE/OPTIMIZE statement, judged by its result rows. A lost connection still throws. */
export async function runAdminStatement(
  db: JobDb,
  table: string,
  kind: StatementOutcome['kind'],
  stmt: Statement,
): Promise<StatementOutcome> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  try {
    const rows = await db.query<RowDataPacket[]>(
      stmt.sql,
      stmt.values,
      stmt.timeLimitSeconds ? { timeLimitSeconds: stmt.timeLimitSeconds } : {},
    );
    // ALTER TABLE answers with an OK packet; ANALYZE/OPTIMIZE with result rows to judge.
    if (!Array.isArray(rows)) return { table, kind, outcome: 'ok', notes: [], warnings: [], durationMs: took() };
    const verdict = judgeAdminRows(rows as unknown as AdminRow[]);
    if (verdict.outcome === 'ok')
      return { table, kind, outcome: 'ok', notes: verdict.notes, warnings: verdict.warnings, durationMs: took() };
    return {
      table,
      kind,
      outcome: verdict.outcome,
      message: verdict.message,
      notes: [],
      warnings: [],
      durationMs: took(),
    };
  } catch (err) {
    if ((err as { fatal?: boolean }).fatal) throw err;
    const outcome = isLockWaitError(err) ? 'contended' : 'error';
    return { table, kind, outcome, message: (err as Error).message, notes: [], warnings: [], durationMs: took() };
  }
}

/** ANALYZE each table, one statement at a time, stopping between tables when the signal fires. */
export async function applyAnalyze(
  plan: readonly MaintenanceTablePlan[],
  db: JobDb,
  signal: AbortSignal,
  progress: (line: string) => void,
): Promise<StatementOutcome[]> {
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

/** The one place every rebuild statement passes just before it runs (a replica-lag wait hooks in here). */
async function beforeStatement(point: 'maintenance-before-optimize'): Promise<void> {
  await testPause(point);
}

export interface RebuildOptions {
  /** Schema of the tables. */
  schema: string;
  signal: AbortSignal;
  progress: (line: string) => void;
  /** Seconds to wait for the table's lock holders to go before skipping it; 0 = no pre-check. */
  mdlWaitSeconds: number;
  /** Coarse pre-check (no metadata-lock view): transactions open this long count. */
  longTransactionSeconds: number;
  /** The rebuild's own metadata-lock wait (the session's lock_wait_timeout while it runs). */
  ddlLockWaitSeconds: number;
  pollMs?: number;
  /** Waits for the replicas before each rebuild; a text = they stayed behind, the rebuild is skipped. */
  holdForReplicas?: () => Promise<string | null>;
}

/** Rebuild the tables the plan rebuilds, one at a time: look for lock holders first, wait a bounded time, then
 * skip (naming them) rather than queue; the DDL's own lock wait is bounded by a short lock_wait_timeout. */
export async function applyOptimize(
  plan: readonly MaintenanceTablePlan[],
  db: JobDb,
  opts: RebuildOptions,
): Promise<StatementOutcome[]> {
  const done: StatementOutcome[] = [];
  let method: LockCheckMethod | null = null;
  const q = <T>(sql: string, values?: unknown[]) => db.query<T>(sql, values);
  for (const t of plan) {
    if (opts.signal.aborted) break;
    if (t.optimize?.action !== 'rebuild') continue;
    const stmt = t.optimize.statement;
    // Replica lag first (a bounded wait), then the metadata-lock check, fresh just before the DDL.
    const hold = await opts.holdForReplicas?.();
    if (hold) {
      done.push({
        table: t.table,
        kind: 'optimize',
        outcome: 'replica-lagging',
        message: hold,
        notes: [],
        warnings: [],
        durationMs: 0,
      });
      continue;
    }
    if (opts.mdlWaitSeconds > 0) {
      method ??= await lockCheckMethod(q, db.dialect);
      const wait = await waitForLockHolders(q, method, opts.schema, t.table, {
        longTransactionSeconds: opts.longTransactionSeconds,
        maxWaitSeconds: opts.mdlWaitSeconds,
        signal: opts.signal,
        ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
      });
      if (!wait.clear) {
        done.push({
          table: t.table,
          kind: 'optimize',
          outcome: 'contended',
          message:
            `${describeHolders(wait.check)} would block the rebuild's metadata lock; ` +
            `waited ${(wait.waitedMs / 1000).toFixed(1)} s`,
          notes: [],
          warnings: [],
          durationMs: 0,
          contention: { when: 'before', check: wait.check, waitedMs: wait.waitedMs },
        });
        continue;
      }
    }
    opts.progress(`REBUILD ${t.table}`);
    await beforeStatement('maintenance-before-optimize');
    done.push(await runRebuild(db, t.table, stmt, opts, method));
  }
  return done;
}

async function runRebuild(
  db: JobDb,
  table: string,
  stmt: RebuildStatement,
  opts: RebuildOptions,
  method: LockCheckMethod | null,
): Promise<StatementOutcome> {
  const [saved] = await db.query<RowDataPacket[]>('SELECT @@session.lock_wait_timeout AS v');
  await db.query('SET SESSION lock_wait_timeout = ?', [opts.ddlLockWaitSeconds]);
  let out: StatementOutcome;
  try {
    out = await runAdminStatement(db, table, 'optimize', stmt);
  } finally {
    await db.query('SET SESSION lock_wait_timeout = ?', [Number(saved!.v)]);
  }
  if (out.outcome !== 'contended') return out;
  // Waited longer than its own lock wait: the rebuild had run and lost the lock upgrade at its end.
  const midRebuild = out.durationMs > opts.ddlLockWaitSeconds * 1000 + 500;
  const m = method ?? (await lockCheckMethod((sql, values) => db.query(sql, values), db.dialect));
  const check = await findLockHolders((sql, values) => db.query(sql, values), m, opts.schema, table, {
    longTransactionSeconds: 0,
  });
  const who = check.holders.length > 0 ? describeHolders(check) : 'the holder had gone by the time it was looked up';
  const message = midRebuild
    ? 'a transaction opened during the rebuild held the table ' +
      'when the rebuild took its metadata lock again to finish: ' +
      `rolled back after ${(out.durationMs / 1000).toFixed(1)} s of work (lost); ${who}`
    : `the rebuild's metadata lock was not granted within ${opts.ddlLockWaitSeconds} s; ${who}`;
  return {
    ...out,
    message,
    contention: {
      when: midRebuild ? 'mid-rebuild' : 'wait',
      check,
      waitedMs: out.durationMs,
      ...(midRebuild ? { workLostMs: out.durationMs } : {}),
    },
  };
}
