import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { RunStatus } from './run-history.js';
import { quoteId } from './sql-identifier.js';

type Q = Pick<Connection, 'query'>;

/** Per job, what `status --check` and the metrics need from dbkeeper_runs (real runs only, every worker's). */
export interface JobRunStats {
  job: string;
  /** The latest finished run (not `running`), by id. */
  lastFinished: {
    id: number;
    status: Exclude<RunStatus, 'running'>;
    startedAt: Date;
    finishedAt: Date | null;
    errorClass: string | null;
    errorMessage: string | null;
    summaryLine: string | null;
  } | null;
  /** The latest slot a done run (ok, warning, skipped) covers: the later of its scheduled_for and started_at. */
  lastDoneAt: Date | null;
  /** When the latest ok or warning run finished (a success). */
  lastSuccessAt: Date | null;
  /** Start of the oldest run still `running`, if any. */
  runningSince: Date | null;
  /** Rows by status. */
  counts: Partial<Record<RunStatus, number>>;
}

const DONE = "('ok','warning','skipped')";

/** A DATETIME read back (a Date with timezone 'Z'; text from an expression on some servers), or null. */
function dateOf(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const d = new Date(`${String(v).replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** One grouped read and one read of the latest finished rows; bounded by the caller's queryable. */
export async function jobRunStats(conn: Q, schema: string): Promise<JobRunStats[]> {
  const s = quoteId(schema);
  const [groups] = await conn.query<RowDataPacket[]>(
    `SELECT job,
            MAX(CASE WHEN status IN ${DONE} THEN GREATEST(scheduled_for, started_at) END) AS last_done_at,
            MAX(CASE WHEN status IN ('ok','warning') THEN finished_at END) AS last_success_at,
            MAX(CASE WHEN status <> 'running' THEN id END) AS last_finished_id,
            MIN(CASE WHEN status = 'running' THEN started_at END) AS running_since
       FROM ${s}.dbkeeper_runs WHERE dry_run = 0 GROUP BY job ORDER BY job`,
  );
  const [counts] = await conn.query<RowDataPacket[]>(
    `SELECT job, status, COUNT(*) AS n FROM ${s}.dbkeeper_runs WHERE dry_run = 0 GROUP BY job, status`,
  );
  const ids = groups.map((g) => g.last_finished_id as number | null).filter((id): id is number => id !== null);
  const [lastRows] = ids.length
    ? await conn.query<RowDataPacket[]>(
        `SELECT id, status, started_at, finished_at, error_class, error_message,
                CASE WHEN JSON_VALID(summary) THEN JSON_UNQUOTE(JSON_EXTRACT(summary, '$.summary')) END AS summary_line
           FROM ${s}.dbkeeper_runs WHERE id IN (?)`,
        [ids],
      )
    : [[] as RowDataPacket[]];
  const byId = new Map(lastRows.map((r) => [Number(r.id), r]));
  return groups.map((g) => {
    const last = g.last_finished_id === null ? undefined : byId.get(Number(g.last_finished_id));
    const jobCounts: Partial<Record<RunStatus, number>> = {};
    for (const c of counts) if (c.job === g.job) jobCounts[c.status as RunStatus] = Number(c.n);
    return {
      job: String(g.job),
      lastFinished: last
        ? {
            id: Number(last.id),
            status: last.status as Exclude<RunStatus, 'running'>,
            startedAt: last.started_at as Date,
            finishedAt: (last.finished_at as Date | null) ?? null,
            errorClass: (last.error_class as string | null) ?? null,
            errorMessage: (last.error_message as string | null) ?? null,
            summaryLine: (last.summary_line as string | null) ?? null,
          }
        : null,
      lastDoneAt: dateOf(g.last_done_at),
      lastSuccessAt: dateOf(g.last_success_at),
      runningSince: dateOf(g.running_since),
      counts: jobCounts,
    };
  });
}

/** When dbkeeper started keeping history here: the oldest real run's start (null: no runs). */
export async function historySince(conn: Q, schema: string): Promise<Date | null> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT MIN(started_at) AS since FROM ${quoteId(schema)}.dbkeeper_runs WHERE dry_run = 0`,
  );
  return dateOf(rows[0]?.since);
}
