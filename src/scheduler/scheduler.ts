import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { App } from '../app/bootstrap.js';
import { jobSection, jobTimezone, type Config } from '../config/load-config.js';
import { acquireWithin } from '../db/database.js';
import { withFreshConnection } from '../db/fresh-connection.js';
import { lockHolder, lockName, tryLock } from '../db/named-lock.js';
import { boundedPoolQueryable, boundedQueryable, queryBounds } from '../db/query-timeout.js';
import { killOrphanSessions, orphanKillText } from '../db/orphan-sessions.js';
import { interruptOrphans, interruptRun, jobsWithRunningRows } from '../db/run-history.js';
import type { AnyJob, Period, Trigger } from '../job/job-contract.js';
import type { Reporter } from '../report/reporter.js';
import { runJob } from '../runner/run-job.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import { catchUpRetries } from '../runner/run-skip.js';
import { planCatchUp } from './catch-up.js';
import { collectCatchUpFacts } from './catch-up-facts.js';
import { firesAt } from './cron-slots.js';
import { DbHealth } from './db-health.js';
import { OutageTracker } from './outage-tracker.js';
import { cronLogger } from './cron-logger.js';
import { waitUntilLockFree } from './lock-free-watch.js';
import { SlotGroups } from './slot-groups.js';

export interface ScheduledJob {
  job: AnyJob;
  schedule: string;
  timezone: string;
  catchUp: boolean;
}

/** The enabled jobs with their effective schedule and zone (job section, else the global timezone). */
export function scheduledJobs(config: Config, jobs: readonly AnyJob[]): ScheduledJob[] {
  return jobs.flatMap((job) => {
    const s = jobSection(config, job.name);
    if (!s?.enabled) return [];
    return [{ job, schedule: s.schedule, timezone: jobTimezone(config, job.name), catchUp: s.catchUp }];
  });
}

/** The part of the Reporter the scheduler uses (tests pass a fake that records calls). */
export type SchedulerReporter = Pick<Reporter, 'sendSummary' | 'sendAlert' | 'sendOutageAlert' | 'retryPending'>;

export interface SchedulerDeps {
  app: App;
  reporter: SchedulerReporter;
  host?: string;
  clock?: () => Date;
  /** How long a job of a slot may take to start before its summary stops waiting for it. */
  groupStartGraceMs?: number;
  dbBackoffMs?: { initial: number; max: number };
  /** How often a slot skipped for a lock held by someone else checks whether the lock is free (then catch-up). */
  lockPollMs?: number;
}

/** What stop() may take beyond the drain time: the process must end within drainSeconds + 10 s (pm2, systemd). */
const STOP_BUDGET_MS = 9_000;
/** Kept back from waiting for runs, for abandoning those still there. */
const ABANDON_RESERVE_MS = 4_000;
/** Kept back for closing the pool. */
const CLOSE_RESERVE_MS = 1_500;

interface InFlight {
  job: string;
  trigger: Trigger;
  slot: Date;
  startedAt: Date;
  runId: number | null;
  /** The session holding the run's named lock, known once the run row exists. */
  lockConnectionId: number | null;
  /** The job's own session, known once it is set up: a run abandoned at the drain time has its statement KILLed. */
  jobConnectionId: number | null;
  done: Promise<unknown>;
}

/** Runs every enabled job on its cron slots (node-cron, per-job zone, noOverlap), catches up missed slots,
 * groups each slot's runs into one summary, alerts on failures, and drains on shutdown. */
export class Scheduler {
  private readonly log: Logger;
  private readonly plans: ScheduledJob[];
  private readonly tasks: ScheduledTask[] = [];
  private readonly inFlight = new Set<InFlight>();
  private readonly reports = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly groups: SlotGroups;
  private readonly health: DbHealth;
  private readonly host: string;
  private readonly clock: () => Date;
  private stopping = false;
  private catchUpChain: Promise<void> = Promise.resolve();
  private catchUpQueued = false;
  /** Jobs whose skipped slot waits for the lock to be free (one watch per job). */
  private readonly lockWatches = new Set<string>();
  private readonly outages = new OutageTracker();

  constructor(private readonly deps: SchedulerDeps) {
    this.log = deps.app.log.child({ component: 'scheduler' });
    this.plans = scheduledJobs(deps.app.config, deps.app.jobs);
    this.host = deps.host ?? hostname();
    this.clock = deps.clock ?? (() => new Date());
    this.groups = new SlotGroups((period, slot, outcomes) => this.sendSummary(period, slot, outcomes));
    const db = deps.app.db;
    this.health = new DbHealth({
      log: this.log,
      probe: async () => {
        const conn = await db.newConnection();
        try {
          await conn.query('SELECT 1');
        } finally {
          await conn.end().catch(() => conn.destroy());
        }
      },
      onDown: (err) => this.onDatabaseDown(err),
      onBack: () => {
        const ended = this.outages.end(this.clock());
        if (ended) this.log.info({ since: ended.since.toISOString(), slotsMissed: ended.slotsMissed }, 'outage over: the next summary says so');
        void this.requestCatchUp('database back');
      },
      ...(deps.dbBackoffMs ? { initialBackoffMs: deps.dbBackoffMs.initial, maxBackoffMs: deps.dbBackoffMs.max } : {}),
    });
  }

  get jobs(): readonly ScheduledJob[] {
    return this.plans;
  }

  /** Create and start one node-cron task per enabled job. */
  start(): void {
    const logger = cronLogger(this.deps.app.log);
    for (const plan of this.plans) {
      const name = plan.job.name;
      const task = createTask(plan.schedule, (ctx) => this.onSlot(plan, ctx.date), {
        name: `dbkeeper:${name}`,
        timezone: plan.timezone,
        noOverlap: true,
        logger,
      });
      task.on('execution:missed', (ctx) => {
        this.log.warn({ job: name, slot: ctx.date.toISOString() }, 'slot missed (the process woke up late): catching up');
        this.groups.settle(plan.job.period, ctx.date, name, null);
        void this.requestCatchUp('late wake-up');
      });
      task.on('execution:overlap', (ctx) => {
        this.log.warn({ job: name, slot: ctx.date.toISOString() }, 'slot skipped: the previous run of this job is still going (noOverlap)');
        this.groups.settle(plan.job.period, ctx.date, name, null);
      });
      task.start();
      this.tasks.push(task);
    }
    this.log.info({ jobs: this.plans.map((p) => ({ job: p.job.name, schedule: p.schedule, timezone: p.timezone, catchUp: p.catchUp })) }, 'scheduling started');
  }

  /** Jobs of this period that node-cron fires at exactly this instant: one summary waits for all of them. */
  private membersAt(period: Period, slot: Date): string[] {
    return this.plans.filter((p) => p.job.period === period && firesAt(p.schedule, p.timezone, slot)).map((p) => p.job.name);
  }

  private async onSlot(plan: ScheduledJob, slot: Date): Promise<void> {
    if (this.stopping) return;
    const { period, name } = plan.job;
    this.groups.expect(period, slot, this.membersAt(period, slot));
    const grace = setTimeout(() => this.groups.dropUnstarted(period, slot), this.deps.groupStartGraceMs ?? 60_000);
    grace.unref();
    this.groups.started(period, slot, name);
    const outcome = await this.runTracked(plan, slot, 'schedule');
    this.groups.settle(period, slot, name, outcome);
  }

  /** runJob with the shutdown signal, tracked so a drain can wait for it (and mark it if it does not stop). */
  private async runTracked(plan: ScheduledJob, slot: Date, trigger: Trigger): Promise<RunOutcome | null> {
    const { app } = this.deps;
    if (this.abort.signal.aborted) return null;
    const entry: InFlight = { job: plan.job.name, trigger, slot, startedAt: this.clock(), runId: null, lockConnectionId: null, jobConnectionId: null, done: Promise.resolve() };
    const run = runJob({ db: app.db, config: app.config, log: app.log, host: this.host, ...(this.deps.clock ? { clock: this.deps.clock } : {}) }, plan.job, {
      trigger,
      scheduledFor: slot,
      dryRun: false,
      signal: this.abort.signal,
      onRunRow: (id, lockConnectionId) => {
        entry.runId = id;
        entry.lockConnectionId = lockConnectionId;
      },
      onJobConnection: (id) => {
        entry.jobConnectionId = id;
      },
    });
    entry.done = run.catch(() => undefined);
    this.inFlight.add(entry);
    try {
      const outcome = await run;
      if (outcome.status === 'failed' || outcome.status === 'interrupted' || outcome.result?.alert) this.sendAlert(outcome);
      if (outcome.skip && catchUpRetries(outcome.skip)) this.catchUpWhenLockFree(plan, slot);
      return outcome;
    } catch (err) {
      // runJob only throws when it could not talk to dbkeeper's tables (lock, run row): no run happened.
      this.log.debug({ err, job: plan.job.name, slot: slot.toISOString() }, 'run not started: database call failed');
      await this.health.suspect(err);
      if (this.health.isDown) this.outages.slotMissed();
      return null;
    } finally {
      this.inFlight.delete(entry);
    }
  }

  /** A slot skipped because another session held the job's lock has no row: its work is not done. Once the
   * lock is free, catch-up runs it (if the job has catchUp on, and it is still the job's latest slot). */
  private catchUpWhenLockFree(plan: ScheduledJob, slot: Date): void {
    const { db } = this.deps.app;
    const job = plan.job.name;
    if (!plan.catchUp) {
      this.log.info({ job, slot: slot.toISOString() }, 'slot skipped (locked); catchUp is off for this job, so it is not retried');
      return;
    }
    if (this.lockWatches.has(job)) return;
    this.lockWatches.add(job);
    this.log.info({ job, slot: slot.toISOString() }, 'slot skipped (locked): catch-up runs it once the lock is free');
    const name = lockName(db.schema, job);
    void waitUntilLockFree(async () => (await lockHolder(db.pool, name)) === null, this.deps.lockPollMs ?? 30_000, this.abort.signal).then((free) => {
      // Cleared first: the catch-up run may find the lock taken again and start a new watch.
      this.lockWatches.delete(job);
      if (free) void this.requestCatchUp(`lock of ${job} free again`);
    });
  }

  /** Check every job for a missed slot and run the latest one (serialised; a request while one runs queues one more). */
  requestCatchUp(reason: string): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (this.catchUpQueued) return this.catchUpChain;
    this.catchUpQueued = true;
    this.catchUpChain = this.catchUpChain.then(async () => {
      this.catchUpQueued = false;
      if (this.stopping || this.health.isDown) return;
      await this.catchUpPass(reason).catch((err: unknown) => this.log.error({ err }, 'catch-up pass failed'));
    });
    return this.catchUpChain;
  }

  private async catchUpPass(reason: string): Promise<void> {
    const { db } = this.deps.app;
    const now = this.clock();
    const due: { plan: ScheduledJob; slot: Date }[] = [];
    for (const plan of this.plans) {
      if (!plan.catchUp) continue;
      let facts;
      try {
        facts = await collectCatchUpFacts(db.pool, db.schema, plan.job.name);
      } catch (err) {
        await this.health.suspect(err);
        return;
      }
      const decision = planCatchUp(facts, plan, now);
      if (decision.run) {
        this.log.info({ job: plan.job.name, slot: decision.slot.toISOString(), missedSlots: decision.missedSlots, reason }, decision.reason);
        due.push({ plan, slot: decision.slot });
      } else {
        this.log.debug({ job: plan.job.name, reason }, `no catch-up: ${decision.reason}`);
      }
    }
    for (const { plan, slot } of due) {
      const members = due.filter((d) => d.plan.job.period === plan.job.period && d.slot.getTime() === slot.getTime()).map((d) => d.plan.job.name);
      this.groups.expect(plan.job.period, slot, members);
    }
    // One at a time: catching up must not load the server with every job at once.
    for (const { plan, slot } of due) {
      if (this.stopping) break;
      this.groups.started(plan.job.period, slot, plan.job.name);
      const outcome = await this.runTracked(plan, slot, 'catch-up');
      this.groups.settle(plan.job.period, slot, plan.job.name, outcome);
    }
  }

  /** Start-up: rows left `running` by a worker that died (kill -9, host crash) whose lock is free become `interrupted`. */
  async sweepOrphans(): Promise<number> {
    const { db } = this.deps.app;
    const ms = queryBounds(this.deps.app.config.guards).bookkeepingMs;
    const book = boundedPoolQueryable(db.pool, ms, acquireWithin);
    let total = 0;
    for (const job of await jobsWithRunningRows(book, db.schema)) {
      const lock = await tryLock(await db.newConnection(), lockName(db.schema, job), { queryTimeoutMs: ms, pingTimeoutMs: ms });
      if (!lock) continue; // a live run elsewhere holds it
      try {
        const killWaitMs = this.deps.app.config.guards.killWaitSeconds * 1000;
        for (const k of await killOrphanSessions(book, db.schema, job, { queryTimeoutMs: ms, waitMs: killWaitMs })) this.log.warn({ job, ...k }, orphanKillText(k));
        const n = await interruptOrphans(book, db.schema, job, this.clock());
        if (n > 0) this.log.warn({ job, runs: n }, 'marked runs left running by a worker that died as interrupted');
        total += n;
      } finally {
        await lock.release().catch(() => false);
      }
    }
    return total;
  }

  /** Reporting never takes the worker down: errors are logged, and shutdown waits for sends a bounded time. */
  private track(what: string, send: () => Promise<void>): void {
    let p: Promise<void>;
    try {
      p = send();
    } catch (err) {
      p = Promise.reject(err);
    }
    const guarded = p.catch((err: unknown) => this.log.error({ err: { message: (err as Error)?.message, name: (err as Error)?.name } }, `${what} failed; the run itself is recorded in dbkeeper_runs`));
    this.reports.add(guarded);
    void guarded.finally(() => this.reports.delete(guarded));
  }

  private sendSummary(period: Period, slot: Date, outcomes: readonly RunOutcome[]): void {
    if (!this.deps.app.config.report.summary) return;
    this.log.info({ period, slot: slot.toISOString(), jobs: outcomes.map((o) => `${o.job}:${o.status}`) }, 'slot finished: sending its summary');
    // Ended outages go into the first summary that is sent (one with a run recorded here), once.
    const recovered = outcomes.some((o) => o.runId !== null) ? this.outages.takeEnded() : [];
    this.track('summary report', () => this.deps.reporter.sendSummary(period, outcomes, recovered));
  }

  /** One alert per outage, when it starts; made without the database (no trends, no history). */
  private onDatabaseDown(err: unknown): void {
    const outage = this.outages.begin(this.clock(), err);
    if (!this.deps.app.config.report.alertOnFailure) return;
    this.log.warn({ since: outage.since.toISOString() }, 'database outage: sending an alert (once for this outage)');
    this.track('database outage alert', () => this.deps.reporter.sendOutageAlert(outage));
  }

  private sendAlert(outcome: RunOutcome): void {
    if (!this.deps.app.config.report.alertOnFailure) return;
    this.track('alert', () => this.deps.reporter.sendAlert(outcome));
  }

  retryPendingReports(): void {
    this.track('retrying pending reports', () => this.deps.reporter.retryPending());
  }

  /** Graceful stop: no new slots, abort running jobs (each run KILLs a statement that does not stop within drainMs
   * and records its end), wait for them, mark runs still there `interrupted` and free their locks, send pending
   * reports, close the pool. Every step is bounded so the whole ends within drainMs + 10 s even on a stalled link. */
  async stop(drainMs: number, reportWaitMs = 5_000): Promise<{ interrupted: string[] }> {
    const hardDeadline = Date.now() + drainMs + STOP_BUDGET_MS;
    const left = (reserveMs = 0) => Math.max(0, hardDeadline - reserveMs - Date.now());
    this.stopping = true;
    for (const task of this.tasks) await task.destroy();
    this.health.close();
    const running = [...this.inFlight];
    if (running.length > 0) {
      this.log.info({ jobs: running.map((r) => r.job), drainMs }, 'shutting down: asking running jobs to stop');
    }
    this.abort.abort(new Error('worker shutting down (SIGINT/SIGTERM)'));
    // Runs that slipped in while stopping are waited for too; past drainMs each run ends its own stuck statement.
    const waitUntil = Date.now() + left(ABANDON_RESERVE_MS);
    while (this.inFlight.size > 0 && Date.now() < waitUntil) {
      await Promise.race([Promise.all([...this.inFlight].map((r) => r.done)), sleep(waitUntil - Date.now())]);
    }
    const stuck: string[] = [];
    if (this.inFlight.size > 0) {
      const abandoning = [...this.inFlight].map((r) => {
        stuck.push(r.job);
        return this.abandon(r, left(CLOSE_RESERVE_MS)).catch((err: unknown) =>
          this.log.error({ err: { message: (err as Error).message }, job: r.job }, 'could not mark the run interrupted; the next start will'),
        );
      });
      await Promise.all(abandoning);
    }
    this.groups.flush();
    if (this.reports.size > 0) await Promise.race([Promise.all([...this.reports]), sleep(Math.min(reportWaitMs, left(CLOSE_RESERVE_MS)))]);
    await this.deps.app.db.close().catch(() => undefined);
    this.log.info({ stuck }, 'scheduler stopped');
    return { interrupted: stuck };
  }

  /** A run still going at the end of the drain (its own cleanup stuck too): over one fresh connection, within
   * budgetMs, KILL its statement, record it interrupted and end its lock's session. */
  private async abandon(r: InFlight, budgetMs: number): Promise<void> {
    const { db, config } = this.deps.app;
    const error = { class: 'DrainTimeout', message: 'did not stop within the drain time (shutdown.drainSeconds); the worker exited' };
    if (r.runId === null) return;
    const runId = r.runId;
    const ms = Math.min(queryBounds(config.guards).bookkeepingMs, budgetMs);
    const marked = await withFreshConnection(() => db.newConnection(), budgetMs, 'marking the run interrupted', async (conn) => {
      const q = boundedQueryable(conn, ms);
      if (r.jobConnectionId !== null) await q.query('KILL CONNECTION ?', [r.jobConnectionId]).catch(() => undefined);
      const changed = await interruptRun(q, db.schema, runId, this.clock(), error);
      // The lock dies with its session; KILL makes that happen now rather than at process exit.
      if (r.lockConnectionId !== null) await q.query('KILL CONNECTION ?', [r.lockConnectionId]).catch(() => undefined);
      return changed;
    });
    this.log.warn({ job: r.job, runId: r.runId, marked }, error.message);
    if (marked) {
      const now = this.clock();
      this.sendAlert({
        job: r.job,
        runId: r.runId,
        trigger: r.trigger,
        scheduledFor: r.slot,
        dryRun: false,
        evaluatedAt: r.startedAt,
        status: 'interrupted',
        startedAt: r.startedAt,
        finishedAt: now,
        durationMs: now.getTime() - r.startedAt.getTime(),
        result: null,
        error,
        host: this.host,
        pid: process.pid,
      });
    }
  }
}
