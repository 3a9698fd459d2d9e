import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { isRunSkip, type RunSkip } from '../core/run-skip.js';
import type { Trigger } from '../core/trigger.js';
import type { Migration } from './migrations.js';
import { quoteId } from './sql-identifier.js';

/** What happened, as it is: a warning is stored as `warning`, not as `ok` with a warning in its summary. */
export type RunStatus = 'running' | 'ok' | 'warning' | 'failed' | 'skipped' | 'interrupted';

/** An old row's `error` text "Class: message" (the class a JS error name): its class, else null. */
const CLASS_PREFIX = "'^[A-Za-z_][A-Za-z0-9_]*: '";

export const runHistoryMigrations: Migration[] = [
  {
    id: 'core-001-runs',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.dbkeeper_runs (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        job VARCHAR(64) NOT NULL,
        scheduled_for DATETIME(3) NOT NULL,
        \`trigger\` VARCHAR(16) NOT NULL,
        dry_run TINYINT(1) NOT NULL DEFAULT 0,
        evaluated_at DATETIME(3) NOT NULL,
        host VARCHAR(255) NOT NULL,
        pid INT UNSIGNED NOT NULL,
        connection_id BIGINT UNSIGNED NULL,
        started_at DATETIME(3) NOT NULL,
        finished_at DATETIME(3) NULL,
        status ENUM('running','ok','failed','skipped','interrupted') NOT NULL,
        summary LONGTEXT NULL,
        error TEXT NULL,
        UNIQUE KEY uq_job_slot (job, scheduled_for),
        KEY ix_status (status, job)
      ) ENGINE=InnoDB`,
    ],
  },
  {
    // Why a slot was skipped, as RunSkip JSON (a row for a skipped slot: covered by a manual run).
    id: 'core-002-runs-skip-reason',
    statements: (s) => [`ALTER TABLE ${s}.dbkeeper_runs ADD COLUMN skip_reason VARCHAR(255) NULL`],
  },
  {
    // Summaries and errors carry any text (≥, names from the server): on a server whose default charset is latin1
    // the end-of-run write failed and the run stayed `running` although it had done its work.
    id: 'core-003-runs-utf8mb4',
    statements: (s) => [`ALTER TABLE ${s}.dbkeeper_runs CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`],
  },
  {
    // The job connection's id (connection_id is the named lock's): a run whose process died may leave a statement
    // on the server, and the orphan sweep KILLs that session before marking the run interrupted.
    id: 'core-004-runs-job-connection-id',
    statements: (s) => [
      {
        onlyIf: { table: 'dbkeeper_runs', column: 'job_connection_id', exists: false },
        sql: `ALTER TABLE ${s}.dbkeeper_runs ADD COLUMN job_connection_id BIGINT UNSIGNED NULL`,
      },
    ],
  },
  {
    // One run record: the status as it is (`warning` was stored as `ok`), the error as class and message (was one
    // text "Class: message" that readers split with a regex). Every step is idempotent or guarded by the column it
    // needs, so a crash between two steps is completed by the next start. `error` is dropped last, once copied: a
    // column nobody writes any more would be read by someone as if it were current.
    id: 'core-005-runs-record',
    statements: (s) => [
      // Appended at the end of the ENUM: a metadata-only change, no table copy.
      `ALTER TABLE ${s}.dbkeeper_runs MODIFY status ENUM('running','ok','failed','skipped','interrupted','warning') NOT NULL`,
      {
        onlyIf: { table: 'dbkeeper_runs', column: 'error_class', exists: false },
        sql: `ALTER TABLE ${s}.dbkeeper_runs ADD COLUMN error_class VARCHAR(100) NULL`,
      },
      {
        onlyIf: { table: 'dbkeeper_runs', column: 'error_message', exists: false },
        sql: `ALTER TABLE ${s}.dbkeeper_runs ADD COLUMN error_message TEXT NULL`,
      },
      // CASE first: MySQL's JSON_EXTRACT raises on text that is not JSON, and AND does not promise to short-circuit.
      `UPDATE ${s}.dbkeeper_runs SET status = 'warning'
        WHERE status = 'ok' AND (CASE WHEN JSON_VALID(summary) THEN JSON_UNQUOTE(JSON_EXTRACT(summary, '$.status')) END) = 'warning'`,
      {
        onlyIf: { table: 'dbkeeper_runs', column: 'error', exists: true },
        // Rows without a class prefix are the runner's own interrupted marks: named by what wrote them.
        sql: `UPDATE ${s}.dbkeeper_runs SET
            error_class = CASE
              WHEN error REGEXP ${CLASS_PREFIX} THEN SUBSTRING_INDEX(error, ': ', 1)
              WHEN error LIKE 'worker stopped before the run finished%' THEN 'Orphaned'
              WHEN error LIKE 'did not stop within the drain time%' THEN 'DrainTimeout'
              ELSE 'Error' END,
            error_message = CASE WHEN error REGEXP ${CLASS_PREFIX} THEN SUBSTRING(error, LOCATE(': ', error) + 2) ELSE error END
          WHERE error IS NOT NULL AND error_message IS NULL`,
      },
      {
        onlyIf: { table: 'dbkeeper_runs', column: 'error', exists: true },
        sql: `ALTER TABLE ${s}.dbkeeper_runs DROP COLUMN error`,
      },
    ],
  },
];

type Q = Pick<Connection, 'query'>;

export interface NewRun {
  job: string;
  scheduledFor: Date;
  trigger: Trigger;
  dryRun: boolean;
  evaluatedAt: Date;
  host: string;
  pid: number;
  connectionId: number;
  startedAt: Date;
}

/** Inserts the run's row; 'duplicate' when this (job, scheduled_for) slot already has one. */
export async function insertRun(conn: Q, schema: string, run: NewRun): Promise<number | 'duplicate'> {
  try {
    const [res] = await conn.query<ResultSetHeader>(
      `INSERT INTO ${quoteId(schema)}.dbkeeper_runs
        (job, scheduled_for, \`trigger\`, dry_run, evaluated_at, host, pid, connection_id, started_at, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')`,
      [
        run.job,
        run.scheduledFor,
        run.trigger,
        run.dryRun ? 1 : 0,
        run.evaluatedAt,
        run.host,
        run.pid,
        run.connectionId,
        run.startedAt,
      ],
    );
    return res.insertId;
  } catch (err) {
    if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return 'duplicate';
    throw err;
  }
}

/** The end of a run as stored: see src/runner/run-record.ts, which builds it from what the run did. */
export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  finishedAt: Date;
  evaluatedAt: Date;
  /** The JobResult (with the run's clock), as JSON; null when the job returned none. */
  summary: unknown;
  errorClass: string | null;
  errorMessage: string | null;
}

export async function finishRun(conn: Q, schema: string, id: number, end: RunEnd): Promise<void> {
  await conn.query(
    `UPDATE ${quoteId(schema)}.dbkeeper_runs
        SET status = ?, finished_at = ?, evaluated_at = ?, summary = ?, error_class = ?, error_message = ?
      WHERE id = ?`,
    [
      end.status,
      end.finishedAt,
      end.evaluatedAt,
      end.summary === undefined || end.summary === null ? null : JSON.stringify(end.summary),
      end.errorClass,
      end.errorMessage,
      id,
    ],
  );
}

/** Keeps the job connection's id with the run, as soon as that connection is set up (see killOrphanSessions). */
export async function recordJobConnection(conn: Q, schema: string, id: number, jobConnectionId: number): Promise<void> {
  await conn.query(`UPDATE ${quoteId(schema)}.dbkeeper_runs SET job_connection_id = ? WHERE id = ?`, [
    jobConnectionId,
    id,
  ]);
}

/** A slot a manual run covered: a finished `skipped` row pointing at that run, so the slot counts as done
 * (catch-up does not run it again) and the summary says why. 'duplicate' when the slot already has a row. */
export async function insertCoveredSlot(
  conn: Q,
  schema: string,
  run: Omit<NewRun, 'connectionId' | 'dryRun'>,
  coveredBy: number,
): Promise<number | 'duplicate'> {
  const skip: RunSkip = { kind: 'covered-by-manual', runId: coveredBy };
  try {
    const [res] = await conn.query<ResultSetHeader>(
      `INSERT INTO ${quoteId(schema)}.dbkeeper_runs
        (job, scheduled_for, \`trigger\`, dry_run, evaluated_at, host, pid, started_at, finished_at, status, skip_reason)
       VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, 'skipped', ?)`,
      [
        run.job,
        run.scheduledFor,
        run.trigger,
        run.evaluatedAt,
        run.host,
        run.pid,
        run.startedAt,
        run.startedAt,
        JSON.stringify(skip),
      ],
    );
    return res.insertId;
  } catch (err) {
    if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return 'duplicate';
    throw err;
  }
}

/** The error of a row left `running` by a worker that died, as the orphan sweep records it. */
export const ORPHANED = {
  class: 'Orphaned',
  message: 'worker stopped before the run finished (found running with its lock free)',
} as const;

/** Rows left `running` by a worker that died. Call only while holding the job's named lock: then no live run exists. */
export async function interruptOrphans(conn: Q, schema: string, job: string, at: Date): Promise<number> {
  const [res] = await conn.query<ResultSetHeader>(
    `UPDATE ${quoteId(schema)}.dbkeeper_runs
        SET status = 'interrupted', finished_at = ?, error_class = COALESCE(error_class, ?), error_message = COALESCE(error_message, ?)
      WHERE job = ? AND status = 'running'`,
    [at, ORPHANED.class, ORPHANED.message, job],
  );
  return res.affectedRows;
}

/** One run that did not finish, marked interrupted unless it already finished; whether the row changed. */
export async function interruptRun(
  conn: Q,
  schema: string,
  id: number,
  at: Date,
  error: { class: string; message: string },
): Promise<boolean> {
  const [res] = await conn.query<ResultSetHeader>(
    `UPDATE ${quoteId(schema)}.dbkeeper_runs SET status = 'interrupted', finished_at = ?, error_class = ?, error_message = ?
      WHERE id = ? AND status = 'running'`,
    [at, error.class, error.message, id],
  );
  return res.affectedRows === 1;
}

/** Statuses of a slot whose work is done: catch-up does not run it again. */
export const DONE_STATUSES: readonly RunStatus[] = ['ok', 'warning', 'skipped'];

/** Jobs with a row still `running` (a live run, or one whose worker died). */
export async function jobsWithRunningRows(conn: Q, schema: string): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT DISTINCT job FROM ${quoteId(schema)}.dbkeeper_runs WHERE status = 'running'`,
  );
  return rows.map((r) => String(r.job));
}

export interface RunRow {
  id: number;
  job: string;
  scheduledFor: Date;
  trigger: Trigger;
  dryRun: boolean;
  evaluatedAt: Date;
  host: string;
  pid: number;
  connectionId: number | null;
  startedAt: Date;
  finishedAt: Date | null;
  status: RunStatus;
  /** The JobResult and the run's clock as the runner stored them (parsed JSON); read through run-record.ts. */
  summary: unknown;
  /** Set together when the run failed or was interrupted by an error. */
  errorClass: string | null;
  errorMessage: string | null;
  /** Why the slot was skipped, when the row says (a covered slot); null otherwise. */
  skip: RunSkip | null;
}

function parseSkip(value: unknown): RunSkip | null {
  if (typeof value !== 'string') return null;
  try {
    const skip: unknown = JSON.parse(value);
    // A kind this version does not know (written by a newer one) reads as a skip without a reason.
    return isRunSkip(skip) ? skip : null;
  } catch {
    return null;
  }
}

function toRunRow(r: RowDataPacket): RunRow {
  let summary: unknown = null;
  if (typeof r.summary === 'string') {
    try {
      summary = JSON.parse(r.summary);
    } catch {
      summary = r.summary;
    }
  }
  return {
    id: Number(r.id),
    job: String(r.job),
    scheduledFor: r.scheduled_for as Date,
    trigger: r.trigger as Trigger,
    dryRun: Number(r.dry_run) === 1,
    evaluatedAt: r.evaluated_at as Date,
    host: String(r.host),
    pid: Number(r.pid),
    connectionId: r.connection_id === null ? null : Number(r.connection_id),
    startedAt: r.started_at as Date,
    finishedAt: (r.finished_at as Date | null) ?? null,
    status: r.status as RunStatus,
    summary,
    errorClass: (r.error_class as string | null) ?? null,
    errorMessage: (r.error_message as string | null) ?? null,
    skip: parseSkip(r.skip_reason),
  };
}

/** The latest run of each job (real runs and dry runs alike). */
export async function latestRuns(conn: Q, schema: string): Promise<RunRow[]> {
  const s = quoteId(schema);
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT r.* FROM ${s}.dbkeeper_runs r
       JOIN (SELECT job, MAX(id) AS id FROM ${s}.dbkeeper_runs GROUP BY job) last ON last.id = r.id
      ORDER BY r.job`,
  );
  return rows.map(toRunRow);
}

/** Recent runs of one job, newest first. */
export async function recentRuns(
  conn: Q,
  schema: string,
  job: string,
  opts: { limit?: number; realOnly?: boolean; status?: RunStatus; withResult?: boolean; beforeId?: number } = {},
): Promise<RunRow[]> {
  const where = ['job = ?'];
  const values: unknown[] = [job];
  if (opts.realOnly) where.push('dry_run = 0');
  // Failed and interrupted runs may have no result: skip them in the query, not after a LIMIT.
  if (opts.withResult) where.push('summary IS NOT NULL');
  if (opts.beforeId !== undefined) {
    where.push('id < ?');
    values.push(opts.beforeId);
  }
  if (opts.status) {
    where.push('status = ?');
    values.push(opts.status);
  }
  values.push(opts.limit ?? 10);
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT * FROM ${quoteId(schema)}.dbkeeper_runs WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
    values,
  );
  return rows.map(toRunRow);
}

/** Host and pid of the run in progress for a job, if any (to say who holds the lock). */
export async function runningRun(conn: Q, schema: string, job: string): Promise<RunRow | null> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT * FROM ${quoteId(schema)}.dbkeeper_runs WHERE job = ? AND status = 'running' ORDER BY id DESC LIMIT 1`,
    [job],
  );
  return rows[0] ? toRunRow(rows[0]) : null;
}
