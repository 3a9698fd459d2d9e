import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ALL_JOBS, findJob } from '../../jobs/index.js';
import { connectApp, loggerFor, type App } from '../app/bootstrap.js';
import { ConfigError } from '../config/config-error.js';
import { jobSection, jobTimezone, loadConfig, type Config } from '../config/load-config.js';
import { openDatabase } from '../db/database.js';
import { DbConnectError } from '../db/db-connect-error.js';
import { errorMessage } from '../log/error-fields.js';
import type { Flavor } from '../db/dialect.js';
import { latestRuns, recentRuns } from '../db/run-history.js';
import { createReporter } from '../report/create-reporter.js';
import { Outbox } from '../report/outbox.js';
import { checkOutbox } from '../report/outbox-check.js';
import { runJob } from '../runner/run-job.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import { errorOfRow, outcomeOfRow, summaryLineOfRow } from '../runner/run-record.js';
import { nextSlot } from '../scheduler/cron-slots.js';
import { configEntries, formatConfig } from './config-command.js';
import { EXIT } from '../core/exit-codes.js';
import { exitCodeFor } from './exit-codes.js';
import { prettyLogs } from '../log/logger.js';
import { formatOutcome } from './format-outcome.js';
import { grantsText } from './grants-command.js';
import { parseArgs, USAGE, UsageError, type CliCommand } from './parse-args.js';
import { statusCheckMain } from './status-check-command.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  isTty: boolean;
}

function listJobs(config: Config, now: Date) {
  return ALL_JOBS.map((job) => {
    const s = jobSection(config, job.name)!;
    const timezone = jobTimezone(config, job.name);
    return {
      job: job.name,
      period: job.period,
      enabled: s.enabled,
      schedule: s.schedule,
      timezone,
      nextRun: s.enabled ? (nextSlot(s.schedule, timezone, now)?.toISOString() ?? null) : null,
      description: job.description,
    };
  });
}

function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : v instanceof Date ? v.toISOString() : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

async function status(app: App, now: Date) {
  const last = new Map((await latestRuns(app.db.pool, app.db.schema)).map((r) => [r.job, r]));
  return listJobs(app.config, now).map((j) => {
    const r = last.get(j.job);
    return {
      job: j.job,
      lastStatus: r?.status ?? null,
      lastStarted: r?.startedAt ?? null,
      lastTrigger: r ? (r.dryRun ? `${r.trigger} (dry run)` : r.trigger) : null,
      lastHost: r ? `${r.host}:${r.pid}` : null,
      lastSummary: r ? summaryLineOfRow(r) : null,
      nextRun: j.nextRun,
      // --json only (the table shows lastSummary): the record's own fields.
      lastError: r ? (errorOfRow(r) ?? null) : null,
      lastSkip: r?.skip ?? null,
    };
  });
}

/** JobResult alone on stdout (what the report shows under `sections`), with the run's own facts under `run`. */
export function outcomeJson(o: RunOutcome): Record<string, unknown> {
  const { result, ...run } = o;
  return {
    status: o.status,
    summary: result?.summary ?? o.skippedReason ?? o.error?.message ?? null,
    warnings: result?.warnings ?? [],
    skipped: result?.skipped ?? [],
    details: result?.details ?? {},
    sections: result?.sections ?? [],
    run,
  };
}

async function runCommand(cmd: Extract<CliCommand, { kind: 'run' }>, app: App, io: CliIo): Promise<number> {
  const job = findJob(cmd.job)!;
  const controller = new AbortController();
  const onSignal = () => {
    controller.abort(new Error('interrupted by the operator (SIGINT/SIGTERM)'));
    exitByDeadline(app.config.shutdown.drainSeconds, io);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Progress redraws one line on the terminal; end it before the result so later lines start clean.
  let progressOpen = false;
  const progress =
    io.isTty && !cmd.json
      ? (line: string) => {
          progressOpen = true;
          io.stderr(`\r${line}\x1b[K`);
        }
      : () => {};
  try {
    const outcome = await runJob({ db: app.db, config: app.config, log: app.log, privileges: app.privileges }, job, {
      trigger: 'manual',
      dryRun: cmd.dryRun,
      ...(cmd.at ? { at: cmd.at } : {}),
      signal: controller.signal,
      options: cmd.options,
      progress,
    });
    if (progressOpen) io.stderr('\n');
    io.stdout(cmd.json ? `${JSON.stringify(outcomeJson(outcome), null, 2)}\n` : `${formatOutcome(outcome)}\n`);
    if (cmd.email) await emailReport(app, outcome, io);
    return exitCodeFor(outcome);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The run stops on its own within drainSeconds plus its bounded clean-up; should a stalled link still hold it, the
 * process ends anyway by drainSeconds + 10 s (the row is then marked interrupted by the next start). */
function exitByDeadline(drainSeconds: number, io: CliIo): void {
  setTimeout(
    () => {
      io.stderr(
        `dbkeeper: the run did not end within drainSeconds + 10 s of the signal; exiting (the next run marks it interrupted)\n`,
      );
      process.exit(EXIT.failed);
    },
    drainSeconds * 1000 + 9_500,
  ).unref();
}

/** --email: the report of this manual run; where it went goes to stderr (stdout carries the result). Never changes the
 * exit code. */
async function emailReport(app: App, outcome: RunOutcome, io: CliIo): Promise<void> {
  try {
    const d = await createReporter({ config: app.config, log: app.log, db: app.db, jobs: app.jobs }).send(
      'summary',
      'manual',
      [outcome],
    );
    const where = {
      delivered: 'report emailed',
      written: `report written to ${d.path} (no SMTP configured)`,
      pending: `SMTP unavailable: report kept in ${d.path}, retried on the next send and at start-up`,
      failed: d.path
        ? `SMTP refused the report: kept in ${d.path}`
        : 'report lost: SMTP failed and the outbox cannot be written (see the log)',
      duplicate: 'report already sent',
      off: 'reports are off',
    }[d.state];
    io.stderr(`${where}\n`);
  } catch (err) {
    io.stderr(`dbkeeper: could not write the report: ${errorMessage(err)}\n`);
  }
}

/** The last finished run of each job, rendered as the report shows it, written to an .html file. */
async function previewReport(
  app: App,
  cmd: Extract<CliCommand, { kind: 'report' }>,
  now: Date,
  io: CliIo,
): Promise<number> {
  const outcomes: RunOutcome[] = [];
  for (const job of app.jobs) {
    const rows = await recentRuns(app.db.pool, app.db.schema, job.name, { limit: 5 });
    const last = rows.find((r) => r.status !== 'running');
    if (last) outcomes.push(outcomeOfRow(last));
  }
  const report = await createReporter({
    config: app.config,
    log: app.log,
    db: app.db,
    jobs: app.jobs,
    clock: () => now,
  }).render('preview', 'manual', outcomes);
  const path = resolve(cmd.out ?? join(app.config.report.outboxDir, `preview-${Outbox.stamp(now)}.html`));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, report.html);
  io.stderr(`${report.subject} (${outcomes.length} job${outcomes.length === 1 ? '' : 's'} with a finished run)\n`);
  io.stdout(`${path}\n`);
  return EXIT.ok;
}

/** The dialect of the connected server when it answers at once (nothing created, no probe), else both. */
async function grantsCommand(cmd: Extract<CliCommand, { kind: 'grants' }>, config: Config, io: CliIo): Promise<number> {
  let flavors: Flavor[] = cmd.dialect ? [cmd.dialect] : [];
  let note = '';
  if (!cmd.dialect) {
    const log = loggerFor({ ...config, log: { ...config.log, level: 'silent' } }, { stream: 'stderr', pretty: false });
    try {
      const db = await openDatabase(config.db, { log, schema: config.schema, retries: 0 });
      flavors = [db.dialect.flavor];
      note = `dialect of the server at ${config.db.host}:${config.db.port}`;
      await db.close();
    } catch (err) {
      flavors = ['mariadb', 'mysql'];
      note = `the server did not answer (${err instanceof Error ? err.message : String(err)}): both dialects`;
    }
  }
  const account = cmd.account ?? { user: config.db.user, host: '%' };
  if (note) io.stderr(`dbkeeper grants: ${note}\n`);
  io.stdout(`${grantsText(config, ALL_JOBS, flavors, account)}\n`);
  return EXIT.ok;
}

export async function cliMain(argv: readonly string[], io: CliIo): Promise<number> {
  // A monitoring plugin: its own exit codes (0-3) for every outcome, bad arguments included.
  if (argv[0] === 'status' && argv.includes('--check')) return statusCheckMain(argv, io);
  let cmd: CliCommand;
  try {
    cmd = parseArgs(argv, (name) => {
      const job = findJob(name);
      return job ? (job.options ?? {}) : undefined;
    });
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`dbkeeper: ${err.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  if (cmd.kind === 'help') {
    io.stdout(`${USAGE}\n`);
    return EXIT.ok;
  }
  let config: Config;
  try {
    if (cmd.kind === 'config') {
      const entries = configEntries(io.env);
      io.stdout(cmd.json ? `${JSON.stringify(entries, null, 2)}\n` : `${formatConfig(entries)}\n`);
      return EXIT.ok;
    }
    config = loadConfig({ jobs: ALL_JOBS, env: io.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`dbkeeper: ${err.message}\n`);
      return EXIT.config;
    }
    throw err;
  }
  const now = new Date();
  if (cmd.kind === 'list') {
    const rows = listJobs(config, now);
    io.stdout(
      cmd.json
        ? `${JSON.stringify(rows, null, 2)}\n`
        : `${table(rows, ['job', 'period', 'enabled', 'schedule', 'timezone', 'nextRun', 'description'])}\n`,
    );
    return EXIT.ok;
  }
  if (cmd.kind === 'grants') return grantsCommand(cmd, config, io);
  // Reports (--email, report --preview) go through the outbox: a folder that cannot be written is bad config.
  const outboxProblem = await checkOutbox(config.report.outboxDir);
  if (outboxProblem) {
    io.stderr(`dbkeeper: ${new ConfigError([outboxProblem]).message}\n`);
    return EXIT.config;
  }
  const log: Logger = loggerFor(config, { stream: 'stderr', pretty: prettyLogs(config.log.format, io.isTty) });
  let app: App;
  try {
    // A dry run creates nothing, not even dbkeeper's own tables.
    const migrate = !(cmd.kind === 'run' && cmd.dryRun);
    app = await connectApp(config, log, { jobs: ALL_JOBS, retries: Math.min(config.db.connectRetries, 2), migrate });
  } catch (err) {
    if (err instanceof DbConnectError) {
      // Rights, credentials, database name, TLS: a configuration to fix (78); the server being away: a failure (1).
      io.stderr(`dbkeeper: ${err.message}\n`);
      return err.permanent ? EXIT.config : EXIT.failed;
    }
    throw err;
  }
  try {
    if (cmd.kind === 'status') {
      const rows = await status(app, now);
      io.stdout(
        cmd.json
          ? `${JSON.stringify(rows, null, 2)}\n`
          : `${table(rows, ['job', 'lastStatus', 'lastStarted', 'lastTrigger', 'lastHost', 'nextRun', 'lastSummary'])}\n`,
      );
      return EXIT.ok;
    }
    if (cmd.kind === 'report') return await previewReport(app, cmd, now, io);
    return await runCommand(cmd, app, io);
  } finally {
    await app.db.close();
    log.flush?.();
  }
}
