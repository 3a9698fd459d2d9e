import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { lockName } from '../../../src/db/named-lock.js';

/** Milliseconds until the job's named lock is free (IS_FREE_LOCK = 1), or null when it is still held after boundMs.
 * A kill -9 closes the lock's socket; the server then frees the lock with the session. */
export async function msUntilLockFree(
  conn: Connection,
  schema: string,
  job: string,
  boundMs: number,
): Promise<number | null> {
  const started = Date.now();
  for (;;) {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT IS_FREE_LOCK(?) AS free', [lockName(schema, job)]);
    if (Number(rows[0]!.free) === 1) return Date.now() - started;
    if (Date.now() - started > boundMs) return null;
    await sleep(50);
  }
}
