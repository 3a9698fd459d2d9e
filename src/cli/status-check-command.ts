import { ALL_JOBS, findJob } from '../../jobs/index.js';
import { connectApp, loggerFor, type App } from '../app/bootstrap.js';
import { ConfigError } from '../config/config-error.js';
import { loadConfig, type Config } from '../config/load-config.js';
import { acquireWithin } from '../db/database.js';
import { emptyIfMissing } from '../db/missing-table.js';
import { lockHolder, lockName } from '../db/named-lock.js';
import { boundedPoolQueryable, queryBounds } from '../db/query-timeout.js';
import { historySince, jobRunStats } from '../db/run-stats.js';
import { scheduledJobs } from '../scheduler/scheduled-jobs.js';
import type { CliIo } from './cli-main.js';
import { parseArgs, UsageError } from './parse-args.js';
import { planStatusCheck, unknownCheck, type CheckResult } from './status-check.js';

/** `status --check`: reads dbkeeper_runs only (creates nothing, needs no worker and no outbox). Every problem of
 * the check itself (arguments, configuration, database) is UNKNOWN (3), as the plugin convention says. */
export async function statusCheckMain(argv: readonly string[], io: CliIo): Promise<number> {
  const result = await check(argv, io).catch((err: unknown) =>
    unknownCheck(`unexpected error: ${err instanceof Error ? err.message : String(err)}`),
  );
  io.stdout(`${result.lines.join('\n')}\n`);
  return result.code;
}

async function check(argv: readonly string[], io: CliIo): Promise<CheckResult> {
  try {
    parseArgs(argv, (name) => (findJob(name) ? {} : undefined));
  } catch (err) {
    if (err instanceof UsageError) return unknownCheck(`usage: ${err.message}`);
    throw err;
  }
  let config: Config;
  try {
    config = loadConfig({ jobs: ALL_JOBS, env: io.env });
  } catch (err) {
    if (err instanceof ConfigError) return unknownCheck(`configuration: ${err.message.replace(/\n/g, '; ')}`);
    throw err;
  }
  // Only warnings and errors: a monitor shows stdout; stderr stays quiet on success.
  const log = loggerFor(
    { ...config, log: { ...config.log, level: config.log.level === 'silent' ? 'silent' : 'warn' } },
    { stream: 'stderr', pretty: false },
  );
  let app: App;
  try {
    app = await connectApp(config, log, { jobs: ALL_JOBS, retries: 0, migrate: false });
  } catch (err) {
    return unknownCheck(`database: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const q = boundedPoolQueryable(app.db.pool, queryBounds(config.guards).bookkeepingMs, acquireWithin);
    const stats = await emptyIfMissing(jobRunStats(q, app.db.schema), []);
    const since = await emptyIfMissing(historySince(q, app.db.schema), null);
    const byJob = new Map(stats.map((s) => [s.job, s]));
    const jobs = [];
    for (const p of scheduledJobs(config, ALL_JOBS)) {
      const s = byJob.get(p.job.name);
      // A row left running whose lock nobody holds: the worker died mid-run (the sweep at its next start agrees).
      const orphaned = s?.runningSince ? (await lockHolder(q, lockName(app.db.schema, p.job.name))) === null : false;
      jobs.push({ job: p.job.name, schedule: p.schedule, timezone: p.timezone, stats: s, orphaned });
    }
    return planStatusCheck(jobs, new Date(), config.status.graceSeconds, since);
  } catch (err) {
    return unknownCheck(`database: reading dbkeeper_runs failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await app.db.close().catch(() => undefined);
    log.flush?.();
  }
}
