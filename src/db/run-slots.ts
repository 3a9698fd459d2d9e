import type { Connection, RowDataPacket } from 'mysql2/promise';
import { DONE_STATUSES, type RunStatus } from './run-history.js';
import { quoteId } from './sql-identifier.js';

type Q = Pick<Connection, 'query'>;

/** The latest `scheduled_for` of a real run of `job` whose slot is done (ok, warning, skipped), or null. */
export async function lastDoneSlot(conn: Q, schema: string, job: string): Promise<Date | null> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT MAX(scheduled_for) AS last_done FROM ${quoteId(schema)}.dbkeeper_runs
      WHERE job = ? AND dry_run = 0 AND status IN (?)`,
    [job, DONE_STATUSES],
  );
  return (rows[0]?.last_done as Date | null) ?? null;
}

/** Real runs of `job` for slots after `since` (any status, any trigger), newest first, at most 100. */
export async function slotAttemptsSince(
  conn: Q,
  schema: string,
  job: string,
  since: Date,
): Promise<{ scheduledFor: Date; status: RunStatus }[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT scheduled_for, status FROM ${quoteId(schema)}.dbkeeper_runs
      WHERE job = ? AND dry_run = 0 AND scheduled_for > ?
      ORDER BY scheduled_for DESC LIMIT 100`,
    [job, since],
  );
  return rows.map((r) => ({ scheduledFor: r.scheduled_for as Date, status: r.status as RunStatus }));
}
