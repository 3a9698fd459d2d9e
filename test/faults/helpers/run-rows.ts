import type { Connection, RowDataPacket } from 'mysql2/promise';

export interface RunRowFacts {
  /** Rows still `running` (after the next start there must be none). */
  running: number;
  /** Slots with more than one row, or with more than one run that did work (ok or warning). */
  duplicateSlots: number;
  statuses: Record<string, number>;
}

/** What dbkeeper_runs says about one job (no table yet = nothing ran). */
export async function runRowFacts(conn: Connection, schema: string, job: string): Promise<RunRowFacts> {
  const [exists] = await conn.query<RowDataPacket[]>(
    'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [schema, 'dbkeeper_runs'],
  );
  if (exists.length === 0) return { running: 0, duplicateSlots: 0, statuses: {} };
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT status, COUNT(*) AS n FROM \`${schema}\`.dbkeeper_runs WHERE job = ? GROUP BY status`,
    [job],
  );
  const statuses = Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
  const [dups] = await conn.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM (SELECT scheduled_for FROM \`${schema}\`.dbkeeper_runs WHERE job = ? AND dry_run = 0
       GROUP BY scheduled_for HAVING COUNT(*) > 1 OR SUM(status IN ('ok', 'warning')) > 1) d`,
    [job],
  );
  return { running: statuses.running ?? 0, duplicateSlots: Number(dups[0]!.n), statuses };
}
