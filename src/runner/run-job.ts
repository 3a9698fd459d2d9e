import { hostname } from 'node:os';
import type { PoolConnection } from 'mysql2/promise';
import type { Logger } from 'pino';
import { jobSection, jobTimezone, type Config } from '../config/load-config.js';
import { acquireWithin, type Database } from '../db/database.js';
import { makeJobDb } from '../db/job-db.js';
import { lockName, tryLock } from '../db/named-lock.js';
import { boundedPoolQueryable, boundedQueryable, isQueryTimeout, queryBounds } from '../db/query-timeout.js';
import { killOrphanSessions, orphanKillText } from '../db/orphan-sessions.js';
import { finishRun, insertRun, interruptOrphans, recordJobConnection } from '../db/run-history.js';
import { readClocks } from '../db/server-clock.js';
import { applySessionGuards } from '../db/session-guards.js';
import { openReplicaSet, type ReplicaSet } from '../replica/replica-set.js';
import type { AnyJob, JobResult, Trigger } from '../job/job-contract.js';
import { jobOptionsProblem } from '../job/job-options.js';
import type { PrivilegeFindings } from '../db/privileges.js';
import { maskLiterals } from '../log/mask-literals.js';
import { testPause } from '../testing/test-pause.js';
import { ClockSkewError, evaluationTime, judgeClockSkew, withSkewWarning, type RunClock } from './clock-skew.js';
import { DrainTimeoutError, untilDrained } from './drain-race.js';
import { endStuckRun } from './end-stuck-run.js';
import { linkSignals } from './linked-signal.js';
import { skipForHeldLock } from './held-lock-skip.js';
import type { OutcomeStatus, RunOutcome } from './run-outcome.js';
import { MissingPrivilegeError, missingFor, withDegradedWarnings } from '../app/privilege-check.js';
import { runEndOf } from './run-record.js';
import type { RunSkip } from '../core/run-skip.js';
import { skipText } from './run-skip.js';

export interface RunnerDeps {
  db: Database;
  config: Config;
  log: Logger;
  host?: string;
  pid?: number;
  /** The host's clock; tests fix it. */
  clock?: () => Date;
  /** Replaces reading the server's clock (UTC_TIMESTAMP): tests that play a fixed date fix both clocks. */
  serverClock?: () => Date;
  /** What the start-up probes found: a job missing a right it cannot do without fails naming the GRANT. */
  privileges?: PrivilegeFindings;
}

export interface RunRequest {
  trigger: Trigger;
  /** The cron slot this run is for; manual runs use their start time. */
  scheduledFor?: Date;
  dryRun: boolean;
  /** Evaluate as if at this time: dry runs only. Otherwise a run evaluates at the server's clock. */
  at?: Date;
  /** Shutdown: the job stops between statements/chunks when it fires. */
  signal?: AbortSignal;
  options?: Record<string, string | boolean>;
  progress?: (line: string) => void;
  /** Told the run's row id and the lock's connection id as soon as the row exists (the scheduler tracks runs in
   * flight). */
  onRunRow?: (runId: number, lockConnectionId: number) => void;
  /** Told the job connection's id once it is set up (a drain timeout KILLs its statement). */
  onJobConnection?: (jobConnectionId: number) => void;
}

export class RunRequestError extends Error {
  override name = 'RunRequestError';
}

/** The single path by which any job runs, from cron or the CLI: lock → row → guards → job → row → unlock.
 * A dry run is guards → job only: no lock, no row. */
export async function runJob(deps: RunnerDeps, job: AnyJob, req: RunRequest): Promise<RunOutcome> {
  const clock = deps.clock ?? (() => new Date());
  const host = deps.host ?? hostname();
  const pid = deps.pid ?? process.pid;
  if (req.at && !req.dryRun)
    throw new RunRequestError('--at evaluates a job at another time and is allowed with --dry-run only');
  const optionsProblem = jobOptionsProblem(job.options, req.options ?? {});
  if (optionsProblem) throw new RunRequestError(`${job.name}: ${optionsProblem}`);
  const startedAt = clock();
  const scheduledFor = req.scheduledFor ?? startedAt;
  // Until the server's clock is read (on the job's connection); the run row is updated with it at the end.
  let evaluatedAt = req.at ?? startedAt;
  let runClock: RunClock | undefined;
  const { db } = deps;
  const log = deps.log.child({
    job: job.name,
    trigger: req.trigger,
    scheduledFor: scheduledFor.toISOString(),
    dryRun: req.dryRun,
  });
  const base = {
    job: job.name,
    trigger: req.trigger,
    scheduledFor,
    dryRun: req.dryRun,
    evaluatedAt,
    startedAt,
    host,
    pid,
  };
  const done = (status: OutcomeStatus, rest: Partial<RunOutcome>): RunOutcome => {
    const finishedAt = clock();
    return {
      ...base,
      runId: null,
      result: null,
      ...rest,
      status,
      finishedAt,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    };
  };
  const skipped = (skip: RunSkip, runId: number | null = null) =>
    done('skipped', { runId, skip, skippedReason: skipText(skip) });

  const { guards } = deps.config;
  const bounds = queryBounds(guards);
  // dbkeeper's own rows go through the pool, each write bounded: a stalled pool fails them instead of hanging.
  const book = boundedPoolQueryable(db.pool, bounds.bookkeepingMs, acquireWithin);
  // A dry run only reads and plans: no lock (a run in progress does not stop it), no row, nothing created.
  const name = lockName(db.schema, job.name);
  await testPause('before-lock');
  const lock = req.dryRun
    ? null
    : await tryLock(await db.newConnection(), name, {
        heartbeatMs: guards.lockHeartbeatSeconds * 1000,
        pingTimeoutMs: bounds.bookkeepingMs,
        queryTimeoutMs: bounds.bookkeepingMs,
      });
  if (!req.dryRun && !lock) {
    const { skip, runId } = await skipForHeldLock(book, db.schema, name, {
      job: job.name,
      trigger: req.trigger,
      scheduledFor,
      evaluatedAt,
      startedAt,
      host,
      pid,
    });
    log.info({ lock: name, skip, runId }, `skipped: ${skipText(skip)}`);
    return skipped(skip, runId);
  }

  let runId: number | null = null;
  let status: OutcomeStatus = 'failed';
  let result: JobResult | null = null;
  let error: RunOutcome['error'];
  try {
    if (lock) {
      for (const k of await killOrphanSessions(book, db.schema, job.name, {
        queryTimeoutMs: bounds.bookkeepingMs,
        waitMs: guards.killWaitSeconds * 1000,
      }))
        log.warn(k, orphanKillText(k));
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
        return skipped({ kind: 'slot-done' });
      }
      runId = inserted;
      req.onRunRow?.(runId, lock.connectionId);
      await testPause('after-run-row');
    }

    const signals = [...(lock ? [lock.lost] : []), ...(req.signal ? [req.signal] : [])];
    const { signal, unlink } = linkSignals(signals);
    let jobConn: PoolConnection | undefined;
    let replicas: ReplicaSet | undefined;
    let jobConnectionId: number | null = null;
    // Set when dbkeeper gave up on a statement (client-side or drain timeout): it may still run on the server.
    let abandoned = false;
    try {
      jobConn = await db.getConnection();
      jobConnectionId = jobConn.threadId;
      // On the job's own connection: with a pool of one (DBKEEPER_POOL_MAX=1) the pool has none to spare for it.
      // dbkeeper's own statements on the job's connection, each under the bookkeeping bound.
      const jobBook = boundedQueryable(jobConn, bounds.bookkeepingMs);
      if (runId !== null) await recordJobConnection(jobBook, db.schema, runId, jobConnectionId);
      req.onJobConnection?.(jobConnectionId);
      await applySessionGuards(jobBook, db.dialect, guards);
      const skew = judgeClockSkew(
        await readClocks(jobBook, clock, deps.serverClock),
        guards.maxClockSkewSeconds,
        job.writes && !req.dryRun,
      );
      runClock = skew.clock;
      evaluatedAt = evaluationTime(skew.clock, req.at);
      if (skew.kind === 'refuse') throw new ClockSkewError(skew.message);
      if (skew.kind === 'warn') log.warn({ skewMs: skew.clock.skewMs }, skew.warning);
      const rights = missingFor(deps.privileges, job.name);
      if (rights.fatal.length > 0) throw new MissingPrivilegeError(job.name, rights.fatal);
      log.info({ jobConnectionId, skewMs: skew.clock.skewMs }, 'run started');
      replicas = openReplicaSet({
        db: deps.config.db,
        replicas: deps.config.replicas,
        schema: db.schema,
        log,
        newPrimaryConnection: () => db.newConnection(),
        queryTimeoutMs: bounds.bookkeepingMs,
      });
      // While a writing job runs, the primary's clock goes to the replicas once a second (a dry run writes nothing).
      if (job.writes && !req.dryRun) await replicas.startHeartbeat();
      const running = job.run({
        db: makeJobDb(jobConn, db.dialect, db.database, db.schema, { bounds }),
        log,
        config: jobSection(deps.config, job.name) ?? {},
        now: evaluatedAt,
        dryRun: req.dryRun,
        signal,
        trigger: req.trigger,
        options: req.options ?? {},
        replicas,
        settings: {
          environment: deps.config.environment,
          timezone: jobTimezone(deps.config, job.name),
          slowQueryTimeSeconds: deps.config.slowQueryTimeSeconds,
          dbPoolMax: deps.config.db.poolMax,
        },
        progress: req.progress ?? (() => {}),
        privileges: deps.privileges ?? null,
      });
      result = await untilDrained(running, signal, deps.config.shutdown.drainSeconds * 1000);
      if (skew.kind === 'warn') result = withSkewWarning(result, skew.warning);
      result = withDegradedWarnings(result, rights.degraded);
      status = signal.aborted ? 'interrupted' : result.status;
    } catch (err) {
      abandoned = err instanceof DrainTimeoutError || isQueryTimeout(err);
      status = signal.aborted ? 'interrupted' : 'failed';
      const e = err as Error;
      // Server errors quote the failing values (customer data): masked in the row, the outcome, the alert and the log.
      error = { class: e?.name ?? 'Error', message: maskLiterals(String(e?.message ?? err)) };
      if (signal.aborted)
        error.message = `${error.message} (aborted: ${maskLiterals(String((signal.reason as Error)?.message ?? signal.reason))})`;
      log.error(
        {
          err: {
            type: error.class,
            message: error.message,
            code: (e as { code?: unknown })?.code,
            stack: maskLiterals(String(e?.stack ?? '')),
          },
        },
        `run ${status}`,
      );
    }
    await replicas?.close();
    unlink();
    // Give the job's connection back before recording the end: that write takes a connection from the same pool,
    // which finishing jobs holding every connection of it would wait for forever (DBKEEPER_POOL_MAX=1: every run).
    if (jobConn) {
      if (status === 'failed' || status === 'interrupted') jobConn.destroy();
      else jobConn.release();
    }
    const end = runEndOf({
      status,
      finishedAt: clock(),
      evaluatedAt,
      result,
      ...(runClock ? { clock: runClock } : {}),
      ...(error ? { error } : {}),
    });
    const id = runId;
    await testPause('before-finish-row');
    if (abandoned && jobConnectionId !== null) {
      await endStuckRun({
        db,
        log,
        jobConnectionId,
        lock,
        finish: async (conn) => {
          if (id !== null) await finishRun(conn, db.schema, id, end);
        },
        queryTimeoutMs: bounds.bookkeepingMs,
        killWaitMs: guards.killWaitSeconds * 1000,
      });
    } else if (id !== null) {
      await finishRun(book, db.schema, id, end).catch((err: Error) =>
        log.error({ err }, 'could not record the end of the run; the next start marks it interrupted'),
      );
    }
    await testPause('after-finish-row');
    log.info({ status, summary: result?.summary }, 'run finished');
    return done(status, {
      runId,
      result,
      evaluatedAt,
      ...(runClock ? { clock: runClock } : {}),
      ...(error ? { error } : {}),
    });
  } finally {
    if (lock) {
      const released = await lock.release().catch(() => false);
      if (!released) log.warn({ lock: name }, 'RELEASE_LOCK did not confirm; the lock ends with its connection');
    }
  }
}
