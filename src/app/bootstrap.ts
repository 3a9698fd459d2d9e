import type { Logger } from 'pino';
import { ALL_JOBS } from '../../jobs/index.js';
import { configSecrets } from '../config/config-secrets.js';
import type { Config } from '../config/load-config.js';
import { openDatabase, type Database } from '../db/database.js';
import { describeSchemaAccessError } from '../db/db-connect-error.js';
import { ensureMigrations } from '../db/migrations.js';
import { runHistoryMigrations } from '../db/run-history.js';
import { heartbeatMigrations } from '../replica/heartbeat.js';
import type { AnyJob } from '../job/job-contract.js';
import { createLogger, type LoggerOptions } from '../log/logger.js';

export interface App {
  config: Config;
  log: Logger;
  db: Database;
  jobs: readonly AnyJob[];
}

export function loggerFor(config: Config, opts: Pick<LoggerOptions, 'stream' | 'pretty' | 'sink'>): Logger {
  return createLogger({ level: config.log.level, secrets: configSecrets(config), ...opts });
}

/** Every migration dbkeeper needs: the run history, the replica heartbeat, then each job's own tables. */
export function allMigrations(jobs: readonly AnyJob[]) {
  return [...runHistoryMigrations, ...heartbeatMigrations, ...jobs.flatMap((j) => j.migrations ?? [])];
}

/** Connect and make sure dbkeeper's own tables exist (`migrate: false`: connect only, create nothing; dry runs). */
export async function connectApp(
  config: Config,
  log: Logger,
  opts: { retries?: number; signal?: AbortSignal; jobs?: readonly AnyJob[]; migrate?: boolean } = {},
): Promise<App> {
  const jobs = opts.jobs ?? ALL_JOBS;
  const db = await openDatabase(config.db, { log, schema: config.schema, retries: opts.retries, signal: opts.signal });
  if (opts.migrate === false) return { config, log, db, jobs };
  try {
    // One connection: the migration lock must be released by the session that took it.
    const conn = await db.getConnection();
    try {
      const applied = await ensureMigrations(conn, db.schema, allMigrations(jobs));
      if (applied.length > 0) log.info({ schema: db.schema, applied }, 'created dbkeeper tables');
    } finally {
      conn.release();
    }
  } catch (err) {
    await db.close();
    // Missing rights on DBKEEPER_SCHEMA: permanent (exit 78 naming the GRANT), not an outage to wait out.
    throw describeSchemaAccessError(err, db.schema, config.db.user) ?? err;
  }
  return { config, log, db, jobs };
}
