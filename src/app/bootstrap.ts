import type { Logger } from 'pino';
import { configSecrets } from '../config/config-secrets.js';
import type { Config } from '../config/load-config.js';
import { openDatabase, type Database } from '../db/database.js';
import { describeSchemaAccessError } from '../db/db-connect-error.js';
import { ensureMigrations } from '../db/migrations.js';
import { runHistoryMigrations } from '../db/run-history.js';
import { boundedQueryable, queryBounds } from '../db/query-timeout.js';
import { applySessionGuards } from '../db/session-guards.js';
import { heartbeatMigrations } from '../replica/heartbeat.js';
import type { AnyJob } from '../job/job-contract.js';
import type { PrivilegeFindings } from '../db/privileges.js';
import { checkPrivileges, missingPrivilegeText } from './privilege-check.js';
import { createLogger, type LoggerOptions } from '../log/logger.js';

export interface App {
  config: Config;
  log: Logger;
  db: Database;
  jobs: readonly AnyJob[];
  /** What the start-up probes found missing (the runner fails or degrades those jobs; ping reports them). */
  privileges?: PrivilegeFindings;
}

export function loggerFor(config: Config, opts: Pick<LoggerOptions, 'stream' | 'pretty' | 'sink'>): Logger {
  return createLogger({ level: config.log.level, secrets: configSecrets(config), ...opts });
}

/** Every migration dbkeeper needs: the run history, the replica heartbeat, then each job's own tables. */
export function allMigrations(jobs: readonly AnyJob[]) {
  return [...runHistoryMigrations, ...heartbeatMigrations, ...jobs.flatMap((j) => j.migrations ?? [])];
}

/** Connect and make sure dbkeeper's own tables exist (`migrate: false`: connect only, create nothing; dry runs).
 * `jobs`: the registry's (the entry points pass ALL_JOBS) or a test's; their migrations are applied. */
export async function connectApp(
  config: Config,
  log: Logger,
  opts: { jobs: readonly AnyJob[]; retries?: number; signal?: AbortSignal; migrate?: boolean },
): Promise<App> {
  const { jobs } = opts;
  const db = await openDatabase(config.db, { log, schema: config.schema, retries: opts.retries, signal: opts.signal });
  try {
    if (opts.migrate !== false) await migrate(db, log, jobs);
    return { config, log, db, jobs, privileges: await probePrivileges(db, config, log, jobs, opts.migrate !== false) };
  } catch (err) {
    await db.close();
    // Missing rights on DBKEEPER_SCHEMA: permanent (exit 78 naming the GRANT), not an outage to wait out.
    throw describeSchemaAccessError(err, db.schema, config.db.user) ?? err;
  }
}

async function migrate(db: Database, log: Logger, jobs: readonly AnyJob[]): Promise<void> {
  // One connection: the migration lock must be released by the session that took it.
  const conn = await db.getConnection();
  try {
    const applied = await ensureMigrations(conn, db.schema, allMigrations(jobs));
    if (applied.length > 0) log.info({ schema: db.schema, applied }, 'created dbkeeper tables');
  } finally {
    conn.release();
  }
}

/** Once at start, harmless probes (no row read, nothing written) under the session guards; dbkeeper's own schema only
 * once its tables exist (not in a dry run, which creates nothing). */
async function probePrivileges(
  db: Database,
  config: Config,
  log: Logger,
  jobs: readonly AnyJob[],
  ownSchema: boolean,
): Promise<PrivilegeFindings> {
  const conn = await db.getConnection();
  try {
    const q = boundedQueryable(conn, queryBounds(config.guards).bookkeepingMs);
    await applySessionGuards(q, db.dialect, config.guards);
    const findings = await checkPrivileges(q, db.dialect, config, jobs, { ownSchema });
    for (const m of findings.missing) {
      log.warn({ job: m.job, privilege: m.privilege, object: m.object }, missingPrivilegeText(m));
    }
    conn.release();
    return findings;
  } catch (err) {
    conn.destroy();
    throw err;
  }
}
