import type { RowDataPacket } from 'mysql2/promise';
import type { JobDb } from './job-db.js';

/** SHOW GLOBAL STATUS / VARIABLES for the given names, keyed by upper-case name. The one way dbkeeper reads
 * server counters: it works on MySQL 8 and MariaDB alike (MySQL 8 has no information_schema.GLOBAL_STATUS). */
export async function readGlobal(
  db: Pick<JobDb, 'query'>,
  kind: 'STATUS' | 'VARIABLES',
  names: readonly string[],
): Promise<Map<string, string>> {
  const rows = await db.query<RowDataPacket[]>(`SHOW GLOBAL ${kind} WHERE UPPER(Variable_name) IN (?)`, [
    names.map((n) => n.toUpperCase()),
  ]);
  return new Map(
    rows.map((r) => [String(r.Variable_name ?? r.VARIABLE_NAME).toUpperCase(), String(r.Value ?? r.VARIABLE_VALUE)]),
  );
}

/** One numeric status counter; 0 when the server does not have it. */
export async function readStatusNumber(db: Pick<JobDb, 'query'>, name: string): Promise<number> {
  return Number((await readGlobal(db, 'STATUS', [name])).get(name.toUpperCase()) ?? 0);
}
