import type { Connection } from 'mysql2/promise';

/** `KILL CONNECTION id`: ends that session (its statement, its transaction, its named locks) now. Errors are the
 * caller's: a session already gone answers ER_NO_SUCH_THREAD (1094). */
export async function killConnection(conn: Pick<Connection, 'query'>, connectionId: number): Promise<void> {
  await conn.query('KILL CONNECTION ?', [connectionId]);
}
