import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { boundedQuery } from './query-timeout.js';

export interface KillOutcome {
  /** KILL QUERY reached the server. */
  sent: boolean;
  /** The session is no longer in the processlist (its statement and any open transaction are gone). */
  gone: boolean;
  error?: string;
}

export interface KillOptions {
  /** Bound of each statement on the fresh connection. */
  queryTimeoutMs: number;
  /** How long to wait for the session to leave the processlist after the KILL. */
  waitMs: number;
  pollMs?: number;
}

/**
 * Ends the statement a client-side timeout gave up on, over `conn` (a fresh connection, never the stalled pool):
 * `KILL QUERY` stops the statement; `KILL CONNECTION` then ends the session, whose client side dbkeeper has dropped,
 * so an open transaction rolls back now rather than at wait_timeout. Waits (bounded) until the session is gone from
 * the processlist: the caller keeps the job's named lock until then, so no second run starts beside it.
 */
export async function killStatement(
  conn: Pick<Connection, 'query'>,
  connectionId: number,
  opts: KillOptions,
): Promise<KillOutcome> {
  const q = <T>(sql: string, values: unknown[]) => boundedQuery<T>(conn, sql, values, opts.queryTimeoutMs);
  const out: KillOutcome = { sent: false, gone: false };
  try {
    await q('KILL QUERY ?', [connectionId]).catch(ignoreUnknownThread);
    out.sent = true;
    await q('KILL CONNECTION ?', [connectionId]).catch(ignoreUnknownThread);
    const until = Date.now() + opts.waitMs;
    for (;;) {
      const rows = await q<RowDataPacket[]>('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?', [
        connectionId,
      ]);
      if (Number(rows[0]!.n) === 0) {
        out.gone = true;
        break;
      }
      if (Date.now() >= until) break;
      await sleep(opts.pollMs ?? 100);
    }
  } catch (err) {
    out.error = (err as Error).message;
  }
  return out;
}

/** ER_NO_SUCH_THREAD: the session already ended, which is what was wanted. */
function ignoreUnknownThread(err: unknown): void {
  if ((err as { errno?: number }).errno !== 1094) throw err;
}
