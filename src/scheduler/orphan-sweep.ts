import type { Logger } from 'pino';
import type { App } from '../app/bootstrap.js';
import { acquireWithin } from '../db/database.js';
import { lockName, tryLock } from '../db/named-lock.js';
import { killOrphanSessions, orphanKillText } from '../db/orphan-sessions.js';
import { boundedPoolQueryable, queryBounds } from '../db/query-timeout.js';
import { interruptOrphans, jobsWithRunningRows } from '../db/run-history.js';

/** Start-up: rows left `running` by a worker that died (kill -9, host crash) whose lock is free become `interrupted`
 * (their leftover session KILLed first). A job whose lock is held has a live run elsewhere: left alone. */
export async function sweepOrphans(app: App, log: Logger, clock: () => Date): Promise<number> {
  const { db, config } = app;
  const ms = queryBounds(config.guards).bookkeepingMs;
  const book = boundedPoolQueryable(db.pool, ms, acquireWithin);
  let total = 0;
  for (const job of await jobsWithRunningRows(book, db.schema)) {
    const lock = await tryLock(await db.newConnection(), lockName(db.schema, job), {
      queryTimeoutMs: ms,
      pingTimeoutMs: ms,
    });
    if (!lock) continue; // a live run elsewhere holds it
    try {
      const killWaitMs = config.guards.killWaitSeconds * 1000;
      const kills = await killOrphanSessions(book, db.schema, job, { queryTimeoutMs: ms, waitMs: killWaitMs });
      for (const k of kills) log.warn({ job, ...k }, orphanKillText(k));
      const n = await interruptOrphans(book, db.schema, job, clock());
      if (n > 0) log.warn({ job, runs: n }, 'marked runs left running by a worker that died as interrupted');
      total += n;
    } finally {
      await lock.release().catch(() => false);
    }
  }
  return total;
}
