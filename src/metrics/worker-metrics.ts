import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { App } from '../app/bootstrap.js';
import type { Config } from '../config/load-config.js';
import { queryBounds, withDeadline } from '../db/query-timeout.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import type { ScheduledJob } from '../scheduler/scheduled-jobs.js';
import { listenMetrics } from './metrics-server.js';
import { loadPromClient, MetricsRegistry } from './metrics-registry.js';
import { readRunFigures } from './read-run-figures.js';
import { writeTextfileAtomically } from './textfile-writer.js';

/** The worker's hook: started before the worker connects; `attach` once it schedules, `afterRun` after each run. */
export interface WorkerMetrics {
  attach(app: App, plans: readonly ScheduledJob[]): void;
  setScheduling(on: boolean): void;
  afterRun(outcome: RunOutcome): void;
  close(): Promise<void>;
}

/** A metrics option that cannot be used (port taken, folder not writable): configuration, exit 78. */
export class MetricsSetupError extends Error {
  override name = 'MetricsSetupError';
}

/** A scrape within this long of the last read of dbkeeper_runs is served from it. */
const FRESH_MS = 5_000;

export async function startWorkerMetrics(config: Config, log: Logger): Promise<WorkerMetrics> {
  const reg = new MetricsRegistry(await loadPromClient());
  const m = config.metrics;
  const ms = queryBounds(config.guards).bookkeepingMs;
  let app: App | null = null;
  let plans: readonly ScheduledJob[] = [];
  let scheduling = false;
  let lastRead = 0;
  let reading: Promise<void> | null = null;
  reg.setScheduling(false);
  reg.setDatabaseUp(false);

  const refresh = (force: boolean): Promise<void> => {
    if (!app || (!force && Date.now() - lastRead < FRESH_MS)) return reading ?? Promise.resolve();
    if (reading) return reading;
    const db = app.db;
    reading = readRunFigures(
      { pool: db.pool, schema: db.schema, plans, graceSeconds: config.status.graceSeconds, queryTimeoutMs: ms },
      new Date(),
    )
      .then(({ samples, dropped }) => {
        reg.setSamples(samples, new Date());
        reg.setDatabaseUp(true);
        if (dropped.length) log.warn({ dropped }, 'metrics: samples with bad names dropped');
      })
      .catch((err: unknown) => {
        reg.setDatabaseUp(false);
        log.warn(
          { err: { message: (err as Error).message } },
          'metrics: could not read dbkeeper_runs; serving the last figures',
        );
      })
      .finally(() => {
        lastRead = Date.now();
        reading = null;
      });
    return reading;
  };

  const writeTextfile = async (): Promise<void> => {
    if (m.textfile === null) return;
    await writeTextfileAtomically(m.textfile, await reg.text());
  };

  // Checked now, before the worker connects: a file that cannot be written is bad configuration.
  try {
    await writeTextfile();
  } catch (err) {
    throw new MetricsSetupError(
      `metrics.textfile (DBKEEPER_METRICS_TEXTFILE): cannot write ${m.textfile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }

  let server: Server | null = null;
  if (m.port !== null) {
    try {
      const listening = await listenMetrics(m.host, m.port, {
        metrics: async () => {
          await refresh(false);
          return { contentType: reg.contentType, text: await reg.text() };
        },
        unhealthy: async () => {
          if (!app) return 'not connected to the database yet (starting)';
          if (!scheduling) return 'not scheduling (starting or shutting down)';
          try {
            await withDeadline(app.db.pool.query('SELECT 1'), ms, 'health probe');
            return null;
          } catch (err) {
            return `database does not answer: ${(err as Error).message}`;
          }
        },
      });
      server = listening.server;
      log.info(
        { host: m.host, port: listening.port },
        `metrics listening on http://${m.host}:${listening.port}/metrics`,
      );
    } catch (err) {
      throw new MetricsSetupError(
        `metrics.port (DBKEEPER_METRICS_PORT): cannot listen on ${m.host}:${m.port} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
  }

  const update = () => {
    void refresh(true)
      .then(writeTextfile)
      .catch((err: unknown) =>
        log.error(
          { err: { message: (err as Error).message, code: (err as NodeJS.ErrnoException).code } },
          'metrics: could not write the textfile',
        ),
      );
  };

  return {
    attach(a, p) {
      app = a;
      plans = p;
      update();
    },
    setScheduling(on) {
      scheduling = on;
      reg.setScheduling(on);
    },
    afterRun(o) {
      reg.observeRun(o.job, o.status, o.durationMs);
      update();
    },
    async close() {
      await reading?.catch(() => undefined);
      const s = server;
      if (!s) return;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeAllConnections();
      await closed;
    },
  };
}
