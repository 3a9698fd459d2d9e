import { createHash } from 'node:crypto';
import type { Connection, RowDataPacket } from 'mysql2/promise';

/** MySQL caps lock names at 64 characters. Names include the dbkeeper schema so two installs stay apart. */
export function lockName(schema: string, job: string): string {
  const name = `dbkeeper:${schema}:${job}`;
  if (name.length <= 64) return name;
  return `dbkeeper:${createHash('sha1').update(`${schema}:${job}`).digest('hex')}`;
}

export interface HeldLock {
  name: string;
  connectionId: number;
  /** Aborted when the lock's connection is lost: the lock is gone with it. */
  lost: AbortSignal;
  /** Releases on the same connection and closes it; returns whether RELEASE_LOCK confirmed (1). */
  release(): Promise<boolean>;
}

/** GET_LOCK(name, 0) on a dedicated connection, which it owns from then on. Returns null when another session holds it. */
export async function tryLock(conn: Connection, name: string, heartbeatMs = 5_000): Promise<HeldLock | null> {
  let rows: RowDataPacket[];
  try {
    [rows] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got, CONNECTION_ID() AS id', [name]);
  } catch (err) {
    conn.destroy();
    throw err;
  }
  const row = rows[0]!;
  if (Number(row.got) !== 1) {
    await conn.end().catch(() => conn.destroy());
    return null;
  }
  const lost = new AbortController();
  const onLost = (err?: unknown) => {
    if (!lost.signal.aborted) lost.abort(new Error(`lost the connection holding lock ${name}${err instanceof Error ? `: ${err.message}` : ''}`));
  };
  conn.on('error', onLost);
  conn.on('end', onLost);
  let releasing = false;
  // A connection that dies silently is only noticed when used: ping it.
  const heartbeat = setInterval(() => {
    if (releasing) return;
    conn.query('SELECT 1').catch(onLost);
  }, heartbeatMs);
  heartbeat.unref();
  return {
    name,
    connectionId: Number(row.id),
    lost: lost.signal,
    async release() {
      releasing = true;
      clearInterval(heartbeat);
      conn.off('end', onLost);
      conn.off('error', onLost);
      if (lost.signal.aborted) {
        conn.destroy();
        return false;
      }
      try {
        const [r] = await conn.query<RowDataPacket[]>('SELECT RELEASE_LOCK(?) AS released', [name]);
        return Number(r[0]!.released) === 1;
      } finally {
        await conn.end().catch(() => conn.destroy());
      }
    },
  };
}

/** Connection id of the session holding a lock, or null when it is free. */
export async function lockHolder(conn: Pick<Connection, 'query'>, name: string): Promise<number | null> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT IS_USED_LOCK(?) AS holder', [name]);
  const holder = rows[0]?.holder;
  return holder === null || holder === undefined ? null : Number(holder);
}
