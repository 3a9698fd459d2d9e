import type { Connection } from 'mysql2/promise';

/** One cheap round trip: resolves when the server answers, throws when it does not. */
export async function pingServer(conn: Pick<Connection, 'query'>): Promise<void> {
  await conn.query('SELECT 1');
}
