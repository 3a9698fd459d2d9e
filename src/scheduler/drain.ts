import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { App } from '../app/bootstrap.js';
import { withFreshConnection } from '../db/fresh-connection.js';
import { killConnection } from '../db/kill-connection.js';
import { boundedQueryable, queryBounds } from '../db/query-timeout.js';
import { interruptRun } from '../db/run-history.js';
import { errorFields } from '../log/error-fields.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import type { InFlight } from './in-flight.js';

/** What stop() may take beyond the drain time: the process must end within drainSeconds + 10 s (pm2, systemd). */
const STOP_BUDGET_MS = 9_000;
/** Kept back from waiting for runs, for abandoning those still there. */
const ABANDON_RESERVE_MS = 4_000;
/** Kept back for closing the pool. */
const CLOSE_RESERVE_MS = 1_500;

const DRAIN_TIMEOUT = {
  class: 'DrainTimeout',
  message: 'did not stop within the drain time (shutdown.drainSeconds); the worker exited',
} as const;

/** The scheduler as the drain sees it. */
export interface DrainTarget {
  app: App;
  log: Logger;
  clock: () => Date;
  host: string;
  inFlight: ReadonlySet<InFlight>;
  reports: ReadonlySet<Promise<void>>;
  /** No new slots: destroy the cron tasks, stop the health probe. */
  stopScheduling: () => Promise<void>;
  /** Abort the running jobs (each run KILLs a statement that does not stop and records its end). */
  abortRuns: (reason: Error) => void;
  /** Send the summaries of slots still open. */
  flushGroups: () => void;
  alert: (outcome: RunOutcome) => void;
}

/** Graceful stop: no new slots, abort running jobs, wait for them, mark runs still there `interrupted` and free
 * their locks, send pending reports, close the pool. Every step is bounded so the whole ends within drainMs + 10 s
 * even on a stalled link. */
export async function drain(t: DrainTarget, drainMs: number, reportWaitMs: number): Promise<{ interrupted: string[] }> {
  const hardDeadline = Date.now() + drainMs + STOP_BUDGET_MS;
  const left = (reserveMs = 0) => Math.max(0, hardDeadline - reserveMs - Date.now());
  await t.stopScheduling();
  const running = [...t.inFlight];
  if (running.length > 0)
    t.log.info({ jobs: running.map((r) => r.job), drainMs }, 'shutting down: asking running jobs to stop');
  t.abortRuns(new Error('worker shutting down (SIGINT/SIGTERM)'));
  // Runs that slipped in while stopping are waited for too; past drainMs each run ends its own stuck statement.
  const waitUntil = Date.now() + left(ABANDON_RESERVE_MS);
  while (t.inFlight.size > 0 && Date.now() < waitUntil) {
    await Promise.race([Promise.all([...t.inFlight].map((r) => r.done)), sleep(waitUntil - Date.now())]);
  }
  const stuck = [...t.inFlight].map((r) => r.job);
  await Promise.all(
    [...t.inFlight].map((r) =>
      abandon(t, r, left(CLOSE_RESERVE_MS)).catch((err: unknown) =>
        t.log.error({ err: errorFields(err), job: r.job }, 'could not mark the run interrupted; the next start will'),
      ),
    ),
  );
  t.flushGroups();
  if (t.reports.size > 0)
    await Promise.race([Promise.all([...t.reports]), sleep(Math.min(reportWaitMs, left(CLOSE_RESERVE_MS)))]);
  await t.app.db.close().catch(() => undefined);
  t.log.info({ stuck }, 'scheduler stopped');
  return { interrupted: stuck };
}

/** A run still going at the end of the drain (its own cleanup stuck too): over one fresh connection, within
 * budgetMs, KILL its statement, record it interrupted and end its lock's session; then alert. */
async function abandon(t: DrainTarget, r: InFlight, budgetMs: number): Promise<void> {
  const { db, config } = t.app;
  if (r.runId === null) return;
  const runId = r.runId;
  const ms = Math.min(queryBounds(config.guards).bookkeepingMs, budgetMs);
  const marked = await withFreshConnection(
    () => db.newConnection(),
    budgetMs,
    'marking the run interrupted',
    async (conn) => {
      const q = boundedQueryable(conn, ms);
      if (r.jobConnectionId !== null) await killConnection(q, r.jobConnectionId).catch(() => undefined);
      const changed = await interruptRun(q, db.schema, runId, t.clock(), DRAIN_TIMEOUT);
      // The lock dies with its session; KILL makes that happen now rather than at process exit.
      if (r.lockConnectionId !== null) await killConnection(q, r.lockConnectionId).catch(() => undefined);
      return changed;
    },
  );
  t.log.warn({ job: r.job, runId, marked }, DRAIN_TIMEOUT.message);
  if (marked) t.alert(interruptedOutcome(r, runId, t.clock(), t.host));
}

/** The outcome an abandoned run's alert reports. */
function interruptedOutcome(r: InFlight, runId: number, now: Date, host: string): RunOutcome {
  return {
    job: r.job,
    runId,
    trigger: r.trigger,
    scheduledFor: r.slot,
    dryRun: false,
    evaluatedAt: r.startedAt,
    status: 'interrupted',
    startedAt: r.startedAt,
    finishedAt: now,
    durationMs: now.getTime() - r.startedAt.getTime(),
    result: null,
    error: { ...DRAIN_TIMEOUT },
    host,
    pid: process.pid,
  };
}
