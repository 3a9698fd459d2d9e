import type { Connection, RowDataPacket } from 'mysql2/promise';
import { DONE_STATUSES, type RunStatus } from '../db/run-history.js';
import { quoteId } from '../db/sql-identifier.js';
import type { CatchUpFacts } from './catch-up.js';

/** Reads what planCatchUp needs from dbkeeper_runs: two small indexed queries per job. */
export async function collectCatchUpFacts(conn: Pick<Connection, 'query'>, schema: string, job: string): Promise<CatchUpFacts> {
  const table = `${quoteId(schema)}.dbkeeper_runs`;
  const [done] = await conn.query<RowDataPacket[]>(
    `SELECT MAX(scheduled_for) AS last_done FROM ${table} WHERE job = ? AND dry_run = 0 AND status IN (?)`,
    [job, DONE_STATUSES],
  );
  const lastDone = (done[0]?.last_done as Date | null) ?? null;
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT scheduled_for, status FROM ${table}
      WHERE job = ? AND dry_run = 0 AND scheduled_for > ?
      ORDER BY scheduled_for DESC LIMIT 100`,
    [job, lastDone ?? new Date(0)],
  );
  return { lastDone, attemptsSince: rows.map((r) => ({ scheduledFor: r.scheduled_for as Date, status: r.status as RunStatus })) };
}
