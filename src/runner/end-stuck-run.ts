import type { Connection } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { withFreshConnection } from '../db/fresh-connection.js';
import { killStatement } from '../db/kill-query.js';
import { errorFields } from '../log/error-fields.js';
import type { HeldLock } from '../db/named-lock.js';
import { boundedQuery } from '../db/query-timeout.js';

export interface StuckRun {
  db: Database;
  log: Logger;
  /** The job's session, whose statement dbkeeper gave up on (client-side or drain timeout). */
  jobConnectionId: number;
  /** Null for a dry run, which holds no lock. */
  lock: HeldLock | null;
  /** Records the end of the run over the connection given. */
  finish: (conn: Pick<Connection, 'query'>) => Promise<void>;
  queryTimeoutMs: number;
  killWaitMs: number;
}

export interface StuckRunEnd {
  killSent: boolean;
  statementGone: boolean;
  recorded: boolean;
  lockReleased: boolean;
}

/**
 * A run whose statement was abandoned: over ONE fresh connection (the pool may be the stalled part), KILL the
 * statement and wait for it to leave the server, record the end of the run, and only then free the lock (on its own
 * connection, or by ending that session when its link is stalled too). The whole of it is bounded; what cannot be
 * done is logged and left to the next start's orphan sweep.
 */
export async function endStuckRun(s: StuckRun): Promise<StuckRunEnd> {
  const out: StuckRunEnd = { killSent: false, statementGone: false, recorded: false, lockReleased: false };
  const deadlineMs = s.queryTimeoutMs * 3 + s.killWaitMs;
  const session = withFreshConnection(
    () => s.db.newConnection(),
    deadlineMs,
    'ending a stuck run',
    async (conn) => {
      const kill = await killStatement(conn, s.jobConnectionId, {
        queryTimeoutMs: s.queryTimeoutMs,
        waitMs: s.killWaitMs,
      });
      out.killSent = kill.sent;
      out.statementGone = kill.gone;
      if (kill.sent)
        s.log.warn(
          { jobConnectionId: s.jobConnectionId, gone: kill.gone },
          `KILL QUERY sent to the job's connection ${s.jobConnectionId}${kill.gone ? '; its session is gone' : `; still on the server after ${s.killWaitMs / 1000} s`}`,
        );
      else s.log.error({ jobConnectionId: s.jobConnectionId, err: kill.error }, "could not KILL the job's statement");
      await s.finish(conn);
      out.recorded = true;
      // The lock was kept while the statement could still run (no second run may start beside it); past killWaitSeconds
      // it is freed all the same, loudly, since it could not outlive this process anyway.
      const lock = s.lock;
      if (!lock) return;
      if (!kill.gone)
        s.log.error(
          { lock: lock.name, jobConnectionId: s.jobConnectionId },
          'the killed statement is still on the server after killWaitSeconds: releasing the lock anyway',
        );
      out.lockReleased = await lock.release().catch(() => false);
      if (!out.lockReleased) {
        await boundedQuery(conn, 'KILL CONNECTION ?', [lock.connectionId], s.queryTimeoutMs).catch(
          (err: { errno?: number }) => {
            if (err.errno !== 1094) throw err;
          },
        );
        out.lockReleased = true;
      }
    },
  );
  try {
    await session;
  } catch (err) {
    s.log.error(
      { err: errorFields(err), jobConnectionId: s.jobConnectionId },
      'could not end the stuck run over a fresh connection; the next start marks it interrupted',
    );
  }
  return out;
}
