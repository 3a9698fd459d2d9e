import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ALL_JOBS } from '../../jobs/index.js';
import { connectApp, loggerFor, type App } from '../app/bootstrap.js';
import { backoffDelay } from '../core/backoff.js';
import { EXIT } from '../core/exit-codes.js';
import { ConfigError } from '../config/config-error.js';
import { loadConfig, type Config } from '../config/load-config.js';
import { DbConnectError } from '../db/db-connect-error.js';
import type { AnyJob } from '../job/job-contract.js';
import { errorFields } from '../log/error-fields.js';
import { createReporter } from '../report/create-reporter.js';
import { metricsEnabled } from '../config/metrics-config.js';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';
import { checkOutbox } from '../report/outbox-check.js';
import { onShutdownSignals } from '../shutdown/shutdown-signals.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import { Scheduler, type SchedulerReporter } from './scheduler.js';

export interface WorkerOptions {
  env: NodeJS.ProcessEnv;
  /** Jobs beside ALL_JOBS: tests only (see DBKEEPER_TEST_EXTRA_JOBS in src/worker.ts). */
  extraJobs?: readonly AnyJob[];
  /** Tests pass a fake; default: the real reporter (mail/outbox). */
  makeReporter?: (deps: { config: Config; log: Logger; app: App }) => SchedulerReporter;
  stderr?: (text: string) => void;
  /** Resolves the worker's stop (tests); signals do the same in production. */
  stopSignal?: AbortSignal;
  /** Told 'ready' once scheduling is up (pm2 wait_ready: process.send). */
  ready?: () => void;
  /** Tests: where log lines go instead of stdout. */
  logSink?: (line: string) => void;
  /** Test hook: the scheduler once started. */
  onScheduler?: (scheduler: Scheduler) => void;
}

/** The long-running worker: config → connect (retrying forever on outages) → tables → schedule → wait → drain. */
export async function runWorker(opts: WorkerOptions): Promise<number> {
  const stderr = opts.stderr ?? ((t: string) => process.stderr.write(t));
  const jobs = [...ALL_JOBS, ...(opts.extraJobs ?? [])];
  let config: Config;
  try {
    config = loadConfig({ jobs, env: opts.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      stderr(`dbkeeper: ${err.message}\n`);
      return EXIT.config;
    }
    throw err;
  }
  // Checked before connecting: reports and the SMTP queue live there.
  const outboxProblem = await checkOutbox(config.report.outboxDir);
  if (outboxProblem) {
    stderr(`dbkeeper: ${new ConfigError([outboxProblem]).message}\n`);
    return EXIT.config;
  }
  // NDJSON for pm2 and log shippers unless LOG_FORMAT=pretty.
  const log = loggerFor(config, {
    stream: 'stdout',
    pretty: config.log.format === 'pretty',
    ...(opts.logSink ? { sink: opts.logSink } : {}),
  });
  const stop = new AbortController();
  const forwardStop = () => stop.abort(new Error('stop requested'));
  opts.stopSignal?.addEventListener('abort', forwardStop, { once: true });
  const removeSignals = onShutdownSignals(
    (signal) => {
      log.info({ signal }, 'shutdown requested: draining (send the signal again to force exit)');
      stop.abort(new Error(signal));
      // Every step of the stop is bounded; this is the last net so the process ends within drainSeconds + 10 s.
      setTimeout(
        () => {
          log.error(
            { signal },
            'shutdown did not finish within drainSeconds + 10 s: exiting; the next start marks unfinished runs interrupted',
          );
          log.flush?.();
          process.exit(1);
        },
        config.shutdown.drainSeconds * 1000 + 9_800,
      ).unref();
    },
    (signal) => {
      log.warn({ signal }, 'second signal: exiting now; runs still going are marked interrupted at the next start');
      process.exit(130);
    },
  );
  const onRejection = (err: unknown) => log.error({ err }, 'unhandled rejection (the worker keeps running)');
  process.on('unhandledRejection', onRejection);
  let metrics: WorkerMetrics | null = null;
  try {
    if (opts.extraJobs?.length)
      log.warn({ jobs: opts.extraJobs.map((j) => j.name) }, 'extra jobs loaded through the test hook');
    // Opt-in, loaded only then (prom-client costs memory); a port or file it cannot use is bad config (before
    // connecting, so nothing is created).
    if (metricsEnabled(config.metrics)) {
      const mod = await import('../metrics/worker-metrics.js');
      try {
        metrics = await mod.startWorkerMetrics(config, log);
      } catch (err) {
        if (!(err instanceof mod.MetricsSetupError)) throw err;
        stderr(`dbkeeper: ${new ConfigError([err.message]).message}\n`);
        return EXIT.config;
      }
    }
    const app = await connectWithRetry(config, log, jobs, stop.signal);
    if (!app) return stop.signal.aborted ? 0 : EXIT.config;

    let reporter: SchedulerReporter;
    try {
      reporter = opts.makeReporter
        ? opts.makeReporter({ config, log, app })
        : createReporter({ config, log, db: app.db, jobs });
    } catch (err) {
      log.error({ err }, 'could not set up reporting: runs are still recorded in dbkeeper_runs, reports are not sent');
      reporter = {
        sendSummary: async () => {},
        sendAlert: async () => {},
        sendOutageAlert: async () => {},
        retryPending: async () => {},
      };
    }
    const onOutcome = metrics ? { onOutcome: (o: RunOutcome) => metrics?.afterRun(o) } : {};
    const scheduler = new Scheduler({ app, reporter, ...onOutcome });
    await scheduler
      .sweepOrphans()
      .catch((err: unknown) => log.warn({ err }, 'could not check for runs left running by a dead worker'));
    scheduler.start();
    metrics?.attach(app, scheduler.jobs);
    metrics?.setScheduling(true);
    opts.onScheduler?.(scheduler);
    log.info(
      { jobs: scheduler.jobs.length, timezone: config.timezone, drainSeconds: config.shutdown.drainSeconds },
      'worker ready',
    );
    (opts.ready ?? (() => process.send?.('ready')))();
    scheduler.retryPendingReports();
    void scheduler.requestCatchUp('start-up');

    if (!stop.signal.aborted)
      await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
    metrics?.setScheduling(false);
    const { interrupted } = await scheduler.stop(config.shutdown.drainSeconds * 1000);
    log.info({ interrupted }, 'worker stopped');
    return 0;
  } finally {
    await metrics?.close().catch(() => undefined);
    removeSignals();
    process.off('unhandledRejection', onRejection);
    opts.stopSignal?.removeEventListener('abort', forwardStop);
    log.flush?.();
  }
}

/** Connect and ensure tables; the server being down or going away meanwhile is waited out (with backoff),
 * wrong credentials or an unknown database are not (null: exit 78, pm2 does not restart on it). */
async function connectWithRetry(
  config: Config,
  log: Logger,
  jobs: readonly AnyJob[],
  signal: AbortSignal,
): Promise<App | null> {
  const policy = { initialMs: config.db.connectBackoffMs, maxMs: 60_000 };
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await connectApp(config, log, { retries: Number.MAX_SAFE_INTEGER, signal, jobs });
    } catch (err) {
      if (signal.aborted) return null;
      if (err instanceof DbConnectError && err.permanent) {
        log.fatal({ code: err.code }, `${err.message}; not retrying (fix the configuration and restart)`);
        return null;
      }
      log.warn({ err: errorFields(err) }, 'start-up interrupted by a database error; retrying');
      await sleep(backoffDelay(attempt, policy), undefined, { signal }).catch(() => undefined);
    }
  }
}
