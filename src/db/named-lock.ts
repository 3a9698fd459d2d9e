import { createHash } from 'node:crypto';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { boundedQuery, endWithin, isQueryTimeout } from './query-timeout.js';

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
  /** Releases on the same connection and closes it (bounded); returns whether RELEASE_LOCK confirmed (1). When not, the
   * server may still hold the lock (a stalled link): end the session `connectionId` to free it. */
  release(): Promise<boolean>;
}

export interface LockOptions {
  /** How often the lock's connection is pinged. */
  heartbeatMs?: number;
  /** A ping unanswered this long means a silent (stalled) connection: the lock counts as lost. */
  pingTimeoutMs?: number;
  /** Bound of GET_LOCK and RELEASE_LOCK. */
  queryTimeoutMs?: number;
}

/** GET_LOCK(name, 0) on a dedicated connection, which it owns from then on. Returns null when another session holds it.
 */
export async function tryLock(conn: Connection, name: string, opts: LockOptions = {}): Promise<HeldLock | null> {
  const heartbeatMs = opts.heartbeatMs ?? 5_000;
  const pingTimeoutMs = opts.pingTimeoutMs ?? 5_000;
  const queryTimeoutMs = opts.queryTimeoutMs ?? 5_000;
  let rows: RowDataPacket[];
  try {
    rows = await boundedQuery<RowDataPacket[]>(
      conn,
      'SELECT GET_LOCK(?, 0) AS got, CONNECTION_ID() AS id',
      [name],
      queryTimeoutMs,
    );
  } catch (err) {
    conn.destroy();
    throw err;
  }
  const row = rows[0]!;
  if (Number(row.got) !== 1) {
    await endWithin(conn, queryTimeoutMs);
    return null;
  }
  const lost = new AbortController();
  const onLost = (err?: unknown) => {
    if (!lost.signal.aborted)
      lost.abort(
        new Error(`lost the connection holding lock ${name}${err instanceof Error ? `: ${err.message}` : ''}`),
      );
  };
  conn.on('error', onLost);
  conn.on('end', onLost);
  let releasing = false;
  let released: Promise<boolean> | undefined;
  let pinging = false;
  // A connection that dies is only noticed when used, and one that goes silent (a stalled link) only by a bound: ping
  // it.
  const heartbeat = setInterval(() => {
    if (releasing || pinging) return;
    pinging = true;
    boundedQuery(conn, 'SELECT 1', [], pingTimeoutMs)
      .catch((err: unknown) => {
        if (releasing) return;
        onLost(
          isQueryTimeout(err)
            ? new Error(`lock connection silent: no answer to a ping within ${pingTimeoutMs / 1000} s`)
            : err,
        );
      })
      .finally(() => {
        pinging = false;
      });
  }, heartbeatMs);
  heartbeat.unref();
  return {
    name,
    connectionId: Number(row.id),
    lost: lost.signal,
    release() {
      released ??= releaseOnce();
      return released;
    },
  };
  async function releaseOnce(): Promise<boolean> {
    releasing = true;
    clearInterval(heartbeat);
    conn.off('end', onLost);
    conn.off('error', onLost);
    if (lost.signal.aborted) {
      conn.destroy();
      return false;
    }
    try {
      const r = await boundedQuery<RowDataPacket[]>(conn, 'SELECT RELEASE_LOCK(?) AS released', [name], queryTimeoutMs);
      await endWithin(conn, queryTimeoutMs);
      return Number(r[0]!.released) === 1;
    } catch (err) {
      conn.destroy();
      throw err;
    }
  }
}

/** Connection id of the session holding a lock, or null when it is free. */
export async function lockHolder(conn: Pick<Connection, 'query'>, name: string): Promise<number | null> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT IS_USED_LOCK(?) AS holder', [name]);
  const holder = rows[0]?.holder;
  return holder === null || holder === undefined ? null : Number(holder);
}
