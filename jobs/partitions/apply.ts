import { performance } from 'node:perf_hooks';
import type { RowDataPacket } from 'mysql2/promise';
import type { JobDb } from '../../src/db/job-db.js';
import { isLockWaitError } from '../../src/db/sql-errors.js';
import { quoteId, quoteTable } from '../../src/db/sql-identifier.js';
import { countPartitionRows, countUndatedRows, readPartitions } from './collect.js';
import { testPause } from '../../src/testing/test-pause.js';
import {
  describeHolders,
  findLockHolders,
  lockCheckMethod,
  waitForLockHolders,
  type LockCheckMethod,
  type LockHolder,
} from '../../src/db/metadata-lock-check.js';
import type { PartitionRow } from './facts.js';
import type { PartitionAction, PartitionTablePlan, RetireAction } from './plan.js';

/** stopped: not run because an earlier statement on the same table was contended in this run. */
export type ActionOutcomeKind =
  'done' | 'planned' | 'contended' | 'changed' | 'aborted' | 'stopped' | 'replica-lagging';

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
  /** contended: the sessions that held the table (pre-check, or looked up after the lock wait ran out). */
  culprits?: LockHolder[];
}

export class PartitionVerifyError extends Error {
  override name = 'PartitionVerifyError';
}

/** Rows of every partition the plan retires, counted before anything changes (what a dry run reports).
 * A month this run creates is counted in the tail, by its range. */
export async function countRetiringRows(
  db: JobDb,
  plans: readonly PartitionTablePlan[],
  column: string,
): Promise<Map<PartitionAction, number>> {
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
    return [
      ...kept,
      ...action.months.map((m) => ({ name: m.name, description: String(m.upperBound) })),
      { name: action.tail, description: 'MAXVALUE' },
    ];
  }
  const gone = new Set([action.partition, ...(action.dropsAlso ?? [])]);
  return before.filter((p) => !gone.has(p.name));
}

/** Does the table still look the way the plan assumed? null = yes, else why not. */
export function precondition(before: readonly PartitionRow[], action: PartitionAction): string | null {
  if (action.kind === 'create') {
    const last = before[before.length - 1];
    if (!last || last.name !== action.tail || last.description.toUpperCase() !== 'MAXVALUE')
      return `${action.tail} is no longer the MAXVALUE tail`;
    const prev = before[before.length - 2];
    const firstLower = action.months[0]!.lowerBound;
    if ((prev ? Number(prev.description) : null) !== firstLower)
      return 'the last month partition changed since planning';
    return null;
  }
  const p = before.find((x) => x.name === action.partition);
  if (!p) return `${action.partition} no longer exists`;
  if (p.description !== String(action.upperBound))
    return `${action.partition} now ends at ${p.description}, not ${action.upperBound}`;
  if (before[before.length - 1]?.name === action.partition) return `${action.partition} is the last partition`;
  return null;
}

function sameLayout(a: readonly PartitionRow[], b: readonly PartitionRow[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => p.name === b[i]!.name && p.description.toUpperCase() === b[i]!.description.toUpperCase())
  );
}

function describe(rows: readonly PartitionRow[]): string {
  return rows.map((p) => `${p.name}<${p.description}`).join(', ');
}

export interface ApplyOptions {
  lockWaitTimeoutSeconds: number;
  /** The partition column (per table): the first partition is checked again for rows dated NULL or zero
   * before it goes. */
  column: string | ((table: string) => string);
  signal: AbortSignal;
  progress: (line: string) => void;
  /** Before each ALTER: wait up to this long for sessions holding the table, then skip it; 0 or absent = no check. */
  mdlWaitSeconds?: number;
  /** Coarse check (no metadata-lock view): transactions open this long count. */
  longTransactionSeconds?: number;
  pollMs?: number;
  /** Before each statement: waits for the replicas (bounded); a text = they stayed behind, do not run it. */
  holdForReplicas?: () => Promise<string | null>;
}

const columnOf = (opts: ApplyOptions, table: string) =>
  typeof opts.column === 'string' ? opts.column : opts.column(table);

/** The one place every partition ALTER passes just before it runs (a replica-lag wait hooks in here). */
async function beforeStatement(ran: number): Promise<void> {
  if (ran > 0) await testPause('partition-between-statements');
}

/** Run the plan one statement at a time; read the partitions back after each action and verify them. After one
 * contended statement the table's remaining statements wait for the next run: each would queue the application's
 * queries behind it again (MariaDB waits twice lock_wait_timeout on partition ALTERs). */
export async function applyPartitionPlan(
  db: JobDb,
  plans: readonly PartitionTablePlan[],
  opts: ApplyOptions,
): Promise<ActionOutcome[]> {
  const [saved] = await db.query<RowDataPacket[]>('SELECT @@session.lock_wait_timeout AS v');
  await db.query('SET SESSION lock_wait_timeout = ?', [opts.lockWaitTimeoutSeconds]);
  const outcomes: ActionOutcome[] = [];
  let method: LockCheckMethod | null = null;
  const q = <T>(sql: string, values?: unknown[]) => db.query<T>(sql, values);
  try {
    for (const plan of plans) {
      let stopped: string | null = null;
      for (const action of plan.actions) {
        // A month dropped with an earlier one in the same statement has its outcome from that one.
        if (action.kind === 'drop' && action.droppedWith) continue;
        const group = groupOf(plan, action);
        // Retired partitions are counted just before they go (applyAction), once the table still looks as planned.
        const counted = action.kind === 'create' ? action.tailRowsMoved : null;
        const all = (o: Omit<ActionOutcome, 'action'>) => [action, ...group].map((a) => ({ ...o, action: a }));
        if (opts.signal.aborted) {
          outcomes.push(...all({ outcome: 'aborted', rows: counted, note: 'not run: the job was asked to stop' }));
          continue;
        }
        if (stopped) {
          outcomes.push(...all({ outcome: 'stopped', rows: counted, note: `not run: ${stopped}; retried next run` }));
          continue;
        }
        // Replica lag first (a wait of up to replicas.waitSeconds), then the metadata-lock check, fresh just before the
        // DDL.
        const hold = await opts.holdForReplicas?.();
        if (hold) {
          outcomes.push(...all({ outcome: 'replica-lagging', rows: counted, note: hold }));
          continue;
        }
        if ((opts.mdlWaitSeconds ?? 0) > 0) {
          method ??= await lockCheckMethod(q, db.dialect);
          const wait = await waitForLockHolders(q, method, db.database, action.table, {
            longTransactionSeconds: opts.longTransactionSeconds ?? 5,
            maxWaitSeconds: opts.mdlWaitSeconds!,
            signal: opts.signal,
            ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
          });
          if (!wait.clear) {
            const note =
              `${describeHolders(wait.check)} would block the ALTER's metadata lock; ` +
              `waited ${(wait.waitedMs / 1000).toFixed(1)} s, not run`;
            outcomes.push(...all({ outcome: 'contended', rows: counted, note, culprits: wait.check.holders }));
            stopped = `an earlier statement on ${plan.table} was contended in this run`;
            continue;
          }
        }
        const done = await applyAction(db, action, group, counted, opts);
        outcomes.push(...done);
        if (done.some((o) => o.outcome === 'contended'))
          stopped = `an earlier statement on ${plan.table} was contended in this run`;
      }
    }
  } finally {
    await db.query('SET SESSION lock_wait_timeout = ?', [Number(saved!.v)]);
  }
  return outcomes;
}

/** The months dropped in the same statement as `action` (its `dropsAlso`), as actions. */
function groupOf(plan: PartitionTablePlan, action: PartitionAction): RetireAction[] {
  if (action.kind !== 'drop' || !action.dropsAlso?.length) return [];
  return plan.actions.filter((a): a is RetireAction => a.kind === 'drop' && a.droppedWith === action.partition);
}

async function applyAction(
  db: JobDb,
  action: PartitionAction,
  group: readonly RetireAction[],
  plannedCount: number | null,
  opts: ApplyOptions,
): Promise<ActionOutcome[]> {
  const members: PartitionAction[] = [action, ...group];
  const counts = new Map<PartitionAction, number | null>(members.map((a) => [a, a === action ? plannedCount : null]));
  const each = (o: Omit<ActionOutcome, 'action' | 'rows'>) =>
    members.map((a) => ({ ...o, action: a, rows: counts.get(a) ?? null }));
  const before = await readPartitions(db, action.table);
  for (const a of members) {
    const changed = precondition(before, a);
    if (changed) return each({ outcome: 'changed', note: `not run: ${changed}` });
  }
  for (const a of members) {
    if (a.kind === 'create' || before[0]?.name !== a.partition) continue;
    const undated = await countUndatedRows(db, a.table, a.partition, columnOf(opts, a.table));
    const n = undated.nullRows + undated.zeroRows;
    if (n > 0)
      return each({
        outcome: 'changed',
        note: `not run: ${a.partition} now holds ${n} rows dated NULL or zero (written since planning)`,
      });
  }
  for (const a of members) if (a.kind !== 'create') counts.set(a, await countPartitionRows(db, a.table, a.partition));
  const label =
    action.kind === 'create'
      ? `${action.table}: create ${action.months.map((m) => m.name).join(', ')}`
      : `${action.table}: ${action.kind} ${[action.partition, ...(action.dropsAlso ?? [])].join(', ')}`;
  opts.progress(label);
  const started = performance.now();
  let ran = 0;
  try {
    for (const sql of action.statements) {
      await beforeStatement(ran);
      // Later statements of one action (archive) wait for the replicas too, then go on: the action is half done.
      if (ran > 0) await opts.holdForReplicas?.();
      await db.query(sql);
      ran += 1;
    }
  } catch (err) {
    if (!isLockWaitError(err)) throw err;
    // A holder the pre-check could not see (it came after the check, or there was none): look it up now to name it.
    const q = <T>(sql: string, values?: unknown[]) => db.query<T>(sql, values);
    const check = await findLockHolders(q, await lockCheckMethod(q, db.dialect), db.database, action.table, {
      longTransactionSeconds: 0,
    }).catch(() => null);
    const who = check?.holders.length ? describeHolders(check) : 'the holder had gone by the time it was looked up';
    const culprits = check?.holders.length ? { culprits: check.holders } : {};
    const note = `lock_wait_timeout (${opts.lockWaitTimeoutSeconds} s) while waiting for the table's metadata lock: ${who}; retried next run`;
    const exchanged = action.statements.slice(0, ran).some((sql) => / EXCHANGE PARTITION /.test(sql));
    if (action.kind === 'archive' && action.archiveMethod === 'exchange' && ran > 0 && !exchanged) {
      // The empty archive table we just made would block the next run; it holds nothing yet.
      await db.query(`DROP TABLE IF EXISTS ${quoteTable(db.database, action.archiveTable!)}`);
    }
    if (ran === 0 || action.kind !== 'archive') return each({ outcome: 'contended', note, ...culprits });
    return each({
      outcome: 'contended',
      note: `${note}; after ${ran} of ${action.statements.length} statements`,
      ...culprits,
    });
  }
  const durationMs = Math.round(performance.now() - started);
  await testPause('partition-before-readback');
  const after = await readPartitions(db, action.table);
  const expected = expectedAfter(before, action);
  if (!sameLayout(after, expected)) {
    throw new PartitionVerifyError(
      `${label}: partitions after the change are [${describe(after)}], expected [${describe(expected)}]; stopped`,
    );
  }
  if (action.kind === 'create') {
    const newMonthRows: Record<string, number> = {};
    for (const m of action.months) newMonthRows[m.name] = await countPartitionRows(db, action.table, m.name);
    return [{ action, outcome: 'done', rows: plannedCount, newMonthRows, durationMs }];
  }
  if (action.kind === 'archive') {
    const counted = counts.get(action) ?? null;
    const [row] = await db.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM ${quoteTable(db.database, action.archiveTable!)}`,
    );
    const archivedRows = Number(row!.n);
    const note =
      counted !== null && archivedRows < counted
        ? `archive holds ${archivedRows} rows, ${counted} were counted before`
        : undefined;
    return [{ action, outcome: 'done', rows: counted, archivedRows, durationMs, ...(note ? { note } : {}) }];
  }
  return each({
    outcome: 'done',
    durationMs,
    ...(group.length ? { note: `one DROP PARTITION with ${members.length - 1} other month(s)` } : {}),
  });
}
