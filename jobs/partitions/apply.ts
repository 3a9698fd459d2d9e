import { performance } from 'node:perf_hooks';
import type { RowDataPacket } from 'mysql2/promise';
import type { JobDb } from '../../src/db/job-db.js';
import { isLockWaitError } from '../../src/db/sql-errors.js';
import { quoteId, quoteTable } from '../../src/db/sql-identifier.js';
import { countPartitionRows, countUndatedRows, readPartitions } from './collect.js';
import { testPause } from '../../src/testing/test-pause.js';
import type { PartitionRow } from './facts.js';
import type { PartitionAction, PartitionTablePlan } from './plan.js';

export type ActionOutcomeKind = 'done' | 'planned' | 'contended' | 'changed' | 'aborted' | 'replica-lagging';

export interface ActionOutcome {
  action: PartitionAction;
  outcome: ActionOutcomeKind;
  /** Retire: rows counted in the partition before it went. Create: rows counted in each new month after. */
  rows: number | null;
  newMonthRows?: Record<string, number>;
  /** Archive: rows counted in the archive table afterwards. */
  archivedRows?: number;
  note?: string;
  durationMs?: number;
}

export class PartitionVerifyError extends Error {
  override name = 'PartitionVerifyError';
}

/** Rows of every partition the plan retires, counted before anything changes (what a dry run reports).
 * A month this run creates is counted in the tail, by its range. */
export async function countRetiringRows(db: JobDb, plans: readonly PartitionTablePlan[], column: string): Promise<Map<PartitionAction, number>> {
  const counts = new Map<PartitionAction, number>();
  for (const plan of plans) {
    for (const a of plan.actions) {
      if (a.kind === 'create') continue;
      if (plan.months.some((m) => m.name === a.partition)) {
        counts.set(a, await countPartitionRows(db, a.table, a.partition));
      } else if (plan.tail) {
        const [row] = await db.query<RowDataPacket[]>(
          `SELECT COUNT(*) AS n FROM ${quoteTable(db.database, a.table)} PARTITION (${quoteId(plan.tail, 'partition')})
           WHERE ${quoteId(column, 'column')} < FROM_UNIXTIME(?)${a.lowerBound === null ? '' : ` AND ${quoteId(column, 'column')} >= FROM_UNIXTIME(?)`}`,
          a.lowerBound === null ? [a.upperBound] : [a.upperBound, a.lowerBound],
        );
        counts.set(a, Number(row!.n));
      }
    }
  }
  return counts;
}

/** The layout the server must show after `action` succeeded on `before`. */
export function expectedAfter(before: readonly PartitionRow[], action: PartitionAction): PartitionRow[] {
  if (action.kind === 'create') {
    const kept = before.filter((p) => p.name !== action.tail);
    return [...kept, ...action.months.map((m) => ({ name: m.name, description: String(m.upperBound) })), { name: action.tail, description: 'MAXVALUE' }];
  }
  return before.filter((p) => p.name !== action.partition);
}

/** Does the table still look the way the plan assumed? null = yes, else why not. */
export function precondition(before: readonly PartitionRow[], action: PartitionAction): string | null {
  if (action.kind === 'create') {
    const last = before[before.length - 1];
    if (!last || last.name !== action.tail || last.description.toUpperCase() !== 'MAXVALUE') return `${action.tail} is no longer the MAXVALUE tail`;
    const prev = before[before.length - 2];
    const firstLower = action.months[0]!.lowerBound;
    if ((prev ? Number(prev.description) : null) !== firstLower) return 'the last month partition changed since planning';
    return null;
  }
  const p = before.find((x) => x.name === action.partition);
  if (!p) return `${action.partition} no longer exists`;
  if (p.description !== String(action.upperBound)) return `${action.partition} now ends at ${p.description}, not ${action.upperBound}`;
  if (before[before.length - 1]?.name === action.partition) return `${action.partition} is the last partition`;
  return null;
}

function sameLayout(a: readonly PartitionRow[], b: readonly PartitionRow[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.description.toUpperCase() === b[i]!.description.toUpperCase());
}

function describe(rows: readonly PartitionRow[]): string {
  return rows.map((p) => `${p.name}<${p.description}`).join(', ');
}

export interface ApplyOptions {
  lockWaitTimeoutSeconds: number;
  /** The partition column: the first partition is checked again for rows dated NULL or zero just before it goes. */
  column: string;
  signal: AbortSignal;
  progress: (line: string) => void;
  /** Before each statement: waits for the replicas (bounded); a text = they stayed behind, do not run it. */
  holdForReplicas?: () => Promise<string | null>;
}

/** Run the plan one statement at a time; read the partitions back after each action and verify them. */
export async function applyPartitionPlan(db: JobDb, plans: readonly PartitionTablePlan[], opts: ApplyOptions): Promise<ActionOutcome[]> {
  const [saved] = await db.query<RowDataPacket[]>('SELECT @@session.lock_wait_timeout AS v');
  await db.query('SET SESSION lock_wait_timeout = ?', [opts.lockWaitTimeoutSeconds]);
  const outcomes: ActionOutcome[] = [];
  try {
    for (const plan of plans) {
      for (const action of plan.actions) {
        // Retired partitions are counted just before they go (applyAction), once the table still looks as planned.
        const counted = action.kind === 'create' ? action.tailRowsMoved : null;
        if (opts.signal.aborted) {
          outcomes.push({ action, outcome: 'aborted', rows: counted, note: 'not run: the job was asked to stop' });
          continue;
        }
        outcomes.push(await applyAction(db, action, counted, opts));
      }
    }
  } finally {
    await db.query('SET SESSION lock_wait_timeout = ?', [Number(saved!.v)]);
  }
  return outcomes;
}

async function applyAction(db: JobDb, action: PartitionAction, plannedCount: number | null, opts: ApplyOptions): Promise<ActionOutcome> {
  let counted = plannedCount;
  const before = await readPartitions(db, action.table);
  const changed = precondition(before, action);
  if (changed) return { action, outcome: 'changed', rows: counted, note: `not run: ${changed}` };
  if (action.kind !== 'create' && before[0]?.name === action.partition) {
    const undated = await countUndatedRows(db, action.table, action.partition, opts.column);
    const n = undated.nullRows + undated.zeroRows;
    if (n > 0) return { action, outcome: 'changed', rows: counted, note: `not run: ${action.partition} now holds ${n} rows dated NULL or zero (written since planning)` };
  }
  if (action.kind !== 'create') counted = await countPartitionRows(db, action.table, action.partition);
  const label = action.kind === 'create' ? `${action.table}: create ${action.months.map((m) => m.name).join(', ')}` : `${action.table}: ${action.kind} ${action.partition}`;
  opts.progress(label);
  const started = performance.now();
  let ran = 0;
  try {
    for (const sql of action.statements) {
      // Replica lag (issue 16): an action not begun is skipped; one half done (archive) goes on after the wait.
      const hold = await opts.holdForReplicas?.();
      if (hold && ran === 0) return { action, outcome: 'replica-lagging', rows: counted, note: hold };
      await db.query(sql);
      ran += 1;
      if (ran < action.statements.length) await testPause('partition-between-statements');
    }
  } catch (err) {
    if (!isLockWaitError(err)) throw err;
    const note = `lock_wait_timeout (${opts.lockWaitTimeoutSeconds} s) while waiting for the table's metadata lock: the application holds it; retried next run`;
    const exchanged = action.statements.slice(0, ran).some((sql) => / EXCHANGE PARTITION /.test(sql));
    if (action.kind === 'archive' && action.archiveMethod === 'exchange' && ran > 0 && !exchanged) {
      // The empty archive table we just made would block the next run; it holds nothing yet.
      await db.query(`DROP TABLE IF EXISTS ${quoteTable(db.database, action.archiveTable!)}`);
    }
    if (ran === 0 || action.kind !== 'archive') return { action, outcome: 'contended', rows: counted, note };
    return { action, outcome: 'contended', rows: counted, note: `${note}; after ${ran} of ${action.statements.length} statements` };
  }
  const durationMs = Math.round(performance.now() - started);
  await testPause('partition-before-readback');
  const after = await readPartitions(db, action.table);
  const expected = expectedAfter(before, action);
  if (!sameLayout(after, expected)) {
    throw new PartitionVerifyError(`${label}: partitions after the change are [${describe(after)}], expected [${describe(expected)}]; stopped`);
  }
  if (action.kind === 'create') {
    const newMonthRows: Record<string, number> = {};
    for (const m of action.months) newMonthRows[m.name] = await countPartitionRows(db, action.table, m.name);
    return { action, outcome: 'done', rows: counted, newMonthRows, durationMs };
  }
  if (action.kind === 'archive') {
    const [row] = await db.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${quoteTable(db.database, action.archiveTable!)}`);
    const archivedRows = Number(row!.n);
    const note = counted !== null && archivedRows < counted ? `archive holds ${archivedRows} rows, ${counted} were counted before` : undefined;
    return { action, outcome: 'done', rows: counted, archivedRows, durationMs, ...(note ? { note } : {}) };
  }
  return { action, outcome: 'done', rows: counted, durationMs };
}
