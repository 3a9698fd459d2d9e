import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolConnection } from 'mysql2/promise';
import type { Logger } from 'pino';
import { jobSection, jobTimezone, type Config } from '../config/load-config.js';
import { acquireWithin, type Database } from '../db/database.js';
import { makeJobDb } from '../db/job-db.js';
import { lockHolder, lockName, tryLock } from '../db/named-lock.js';
import { finishRun, insertRun, interruptOrphans, runningRun } from '../db/run-history.js';
import { boundedPoolQueryable, boundedQueryable, isQueryTimeout, queryBounds } from '../db/query-timeout.js';
import { applySessionGuards } from '../db/session-guards.js';
import type { AnyJob, JobResult, Trigger } from '../job/job-contract.js';
import { DrainTimeoutError, untilDrained } from './drain-race.js';
import { endStuckRun } from './end-stuck-run.js';
import type { OutcomeStatus, RunOutcome } from './run-outcome.js';

export interface RunnerDeps {
  db: Database;
  config: Config;
  log: Logger;
  host?: string;
  pid?: number;
  /** The clock; tests fix it. */
  clock?: () => Date;
}

export interface RunRequest {
  trigger: Trigger;
  /** The cron slot this run is for; manual runs use their start time. */
  scheduledFor?: Date;
  dryRun: boolean;
  /** Evaluate as if at this time: dry runs only. */
  at?: Date;
  /** Shutdown: the job stops between statements/chunks when it fires. */
  signal?: AbortSignal;
  options?: Record<string, string | boolean>;
  progress?: (line: string) => void;
  /** Told the run's row id and the lock's connection id as soon as the row exists (the scheduler tracks runs in flight). */
  onRunRow?: (runId: number, lockConnectionId: number) => void;
  /** Told the job connection's id once it is set up (a drain timeout KILLs its statement). */
  onJobConnection?: (jobConnectionId: number) => void;
}

/** host:pid of the run holding the lock. The holder writes its row just after taking the lock: wait a moment for it. */
async function describeHolder(db: Database, job: string, name: string): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const holder = await runningRun(db.pool, db.schema, job).catch(() => null);
    if (holder) return `${holder.host}:${holder.pid}`;
    await sleep(50);
  }
  const connection = await lockHolder(db.pool, name).catch(() => null);
  return connection === null ? 'another session' : `another session (connection ${connection})`;
}

export class RunRequestError extends Error {
  override name = 'RunRequestError';
}

/** The single path by which any job runs, from cron or the CLI: lock → row → guards → job → row → unlock. */
export async function runJob(deps: RunnerDeps, job: AnyJob, req: RunRequest): Promise<RunOutcome> {
  const clock = deps.clock ?? (() => new Date());
  const host = deps.host ?? hostname();
  const pid = deps.pid ?? process.pid;
  if (req.at && !req.dryRun) throw new RunRequestError('--at evaluates a job at another time and is allowed with --dry-run only');
  const startedAt = clock();
  const scheduledFor = req.scheduledFor ?? startedAt;
  const evaluatedAt = req.at ?? startedAt;
  const { db } = deps;
  const log = deps.log.child({ job: job.name, trigger: req.trigger, scheduledFor: scheduledFor.toISOString(), dryRun: req.dryRun });
  const base = { job: job.name, trigger: req.trigger, scheduledFor, dryRun: req.dryRun, evaluatedAt, startedAt, host, pid };
  const done = (status: OutcomeStatus, rest: Partial<RunOutcome>): RunOutcome => {
    const finishedAt = clock();
    return { ...base, runId: null, result: null, ...rest, status, finishedAt, durationMs: finishedAt.getTime() - startedAt.getTime() };
  };

  const { guards } = deps.config;
  const bounds = queryBounds(guards);
  // dbkeeper's own rows go through the pool, each write bounded: a stalled pool fails them instead of hanging.
  const book = boundedPoolQueryable(db.pool, bounds.bookkeepingMs, acquireWithin);
  const name = lockName(db.schema, job.name);
  const lock = await tryLock(await db.newConnection(), name, {
    heartbeatMs: guards.lockHeartbeatSeconds * 1000,
    pingTimeoutMs: bounds.bookkeepingMs,
    queryTimeoutMs: bounds.bookkeepingMs,
  });
  if (!lock) {
    const reason = `locked by ${await describeHolder(db, job.name, name)}`;
    log.info({ lock: name }, `skipped: ${reason}`);
    return done('skipped', { skippedReason: reason });
  }

  let runId: number | null = null;
  let status: OutcomeStatus = 'failed';
  let result: JobResult | null = null;
  let error: RunOutcome['error'];
  try {
    const orphans = await interruptOrphans(book, db.schema, job.name, startedAt);
    if (orphans > 0) log.warn({ orphans }, 'marked runs left running by a dead worker as interrupted');
    const inserted = await insertRun(book, db.schema, {
      job: job.name,
      scheduledFor,
      trigger: req.trigger,
      dryRun: req.dryRun,
      evaluatedAt,
      host,
      pid,
      connectionId: lock.connectionId,
      startedAt,
    });
    if (inserted === 'duplicate') {
      log.info('skipped: this slot already ran');
      return done('skipped', { skippedReason: 'slot already ran' });
    }
    runId = inserted;
    req.onRunRow?.(runId, lock.connectionId);

    const signals = [lock.lost, ...(req.signal ? [req.signal] : [])];
    const signal = AbortSignal.any(signals);
    let jobConn: PoolConnection | undefined;
    let jobConnectionId: number | null = null;
    // Set when dbkeeper gave up on a statement (client-side or drain timeout): it may still run on the server.
    let abandoned = false;
    try {
      jobConn = await db.getConnection();
      jobConnectionId = jobConn.threadId;
      req.onJobConnection?.(jobConnectionId);
      await applySessionGuards(boundedQueryable(jobConn, bounds.bookkeepingMs), db.dialect, guards);
      log.info({ jobConnectionId }, 'run started');
      const running = job.run({
        db: makeJobDb(jobConn, db.dialect, db.database, db.schema, { bounds }),
        log,
        config: jobSection(deps.config, job.name) ?? {},
        now: evaluatedAt,
        dryRun: req.dryRun,
        signal,
        trigger: req.trigger,
        options: req.options ?? {},
        settings: {
          environment: deps.config.environment,
          timezone: jobTimezone(deps.config, job.name),
          slowQueryTimeSeconds: deps.config.slowQueryTimeSeconds,
          dbPoolMax: deps.config.db.poolMax,
        },
        progress: req.progress ?? (() => {}),
      });
      result = await untilDrained(running, signal, deps.config.shutdown.drainSeconds * 1000);
      status = signal.aborted ? 'interrupted' : result.status;
    } catch (err) {
      abandoned = err instanceof DrainTimeoutError || isQueryTimeout(err);
      status = signal.aborted ? 'interrupted' : 'failed';
      const e = err as Error;
      error = { class: e?.name ?? 'Error', message: String(e?.message ?? err) };
      if (signal.aborted) error.message = `${error.message} (aborted: ${String((signal.reason as Error)?.message ?? signal.reason)})`;
      log.error({ err: e }, `run ${status}`);
    }
    // Give the job's connection back before recording the end: that write takes a connection from the same pool,
    // which finishing jobs holding every connection of it would wait for forever (DBKEEPER_POOL_MAX=1: every run).
    if (jobConn) {
      if (status === 'failed' || status === 'interrupted') jobConn.destroy();
      else jobConn.release();
    }
    const rowStatus = status === 'warning' ? 'ok' : status;
    const end = { status: rowStatus, finishedAt: clock(), summary: result, error: error ? `${error.class}: ${error.message}` : null };
    const id = runId;
    if (abandoned && jobConnectionId !== null) {
      await endStuckRun({
        db,
        log,
        jobConnectionId,
        lock,
        finish: (conn) => finishRun(conn, db.schema, id, end),
        queryTimeoutMs: bounds.bookkeepingMs,
        killWaitMs: guards.killWaitSeconds * 1000,
      });
    } else {
      await finishRun(book, db.schema, runId, end).catch((err: Error) => log.error({ err }, 'could not record the end of the run; the next start marks it interrupted'));
    }
    log.info({ status, summary: result?.summary }, 'run finished');
    return done(status, { runId, result, ...(error ? { error } : {}) });
  } finally {
    const released = await lock.release().catch(() => false);
    if (!released) log.warn({ lock: name }, 'RELEASE_LOCK did not confirm; the lock ends with its connection');
  }
}
