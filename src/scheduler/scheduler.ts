import { hostname } from 'node:os';
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { App } from '../app/bootstrap.js';
import { pingServer } from '../db/server-ping.js';
import type { Period, Trigger } from '../job/job-contract.js';
import { errorFields } from '../log/error-fields.js';
import type { Reporter } from '../report/reporter.js';
import { runJob } from '../runner/run-job.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import { catchUpRetries } from '../runner/run-skip.js';
import { CatchUpQueue } from './catch-up-queue.js';
import { cronLogger } from './cron-logger.js';
import { firesAt } from './cron-slots.js';
import { DbHealth } from './db-health.js';
import { drain } from './drain.js';
import type { InFlight } from './in-flight.js';
import { sweepOrphans } from './orphan-sweep.js';
import { OutageTracker } from './outage-tracker.js';
import { scheduledJobs, type ScheduledJob } from './scheduled-jobs.js';
import { SlotGroups } from './slot-groups.js';

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
  /** Told of every run's outcome (the metrics hook); must not throw. */
  onOutcome?: (outcome: RunOutcome) => void;
}

/** Runs every enabled job on its cron slots (node-cron, per-job zone, noOverlap) and groups each slot's runs into
 * one summary, alerting on failures. Catch-up is ./catch-up-queue.ts; the drain on shutdown is ./drain.ts. */
export class Scheduler {
  private readonly log: Logger;
  private readonly plans: ScheduledJob[];
  private readonly tasks: ScheduledTask[] = [];
  private readonly inFlight = new Set<InFlight>();
  private readonly reports = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly groups: SlotGroups;
  private readonly health: DbHealth;
  private readonly catchUp: CatchUpQueue;
  private readonly host: string;
  private readonly clock: () => Date;
  private stopping = false;
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
          await pingServer(conn);
        } finally {
          await conn.end().catch(() => conn.destroy());
        }
      },
      onDown: (err) => this.onDatabaseDown(err),
      onBack: () => {
        const ended = this.outages.end(this.clock());
        if (ended)
          this.log.info(
            { since: ended.since.toISOString(), slotsMissed: ended.slotsMissed },
            'outage over: the next summary says so',
          );
        void this.requestCatchUp('database back');
      },
      ...(deps.dbBackoffMs ? { initialBackoffMs: deps.dbBackoffMs.initial, maxBackoffMs: deps.dbBackoffMs.max } : {}),
    });
    this.catchUp = new CatchUpQueue({
      app: deps.app,
      log: this.log,
      clock: this.clock,
      plans: this.plans,
      groups: this.groups,
      health: this.health,
      signal: this.abort.signal,
      lockPollMs: deps.lockPollMs ?? 30_000,
      isStopping: () => this.stopping,
      run: (plan, slot, trigger) => this.runTracked(plan, slot, trigger),
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
        this.log.warn(
          { job: name, slot: ctx.date.toISOString() },
          'slot missed (the process woke up late): catching up',
        );
        this.groups.settle(plan.job.period, ctx.date, name, null);
        void this.requestCatchUp('late wake-up');
      });
      task.on('execution:overlap', (ctx) => {
        this.log.warn(
          { job: name, slot: ctx.date.toISOString() },
          'slot skipped: the previous run of this job is still going (noOverlap)',
        );
        this.groups.settle(plan.job.period, ctx.date, name, null);
      });
      task.start();
      this.tasks.push(task);
    }
    this.log.info(
      {
        jobs: this.plans.map((p) => ({
          job: p.job.name,
          schedule: p.schedule,
          timezone: p.timezone,
          catchUp: p.catchUp,
        })),
      },
      'scheduling started',
    );
  }

  /** Jobs of this period that node-cron fires at exactly this instant: one summary waits for all of them. */
  private membersAt(period: Period, slot: Date): string[] {
    return this.plans
      .filter((p) => p.job.period === period && firesAt(p.schedule, p.timezone, slot))
      .map((p) => p.job.name);
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
    const entry: InFlight = {
      job: plan.job.name,
      trigger,
      slot,
      startedAt: this.clock(),
      runId: null,
      lockConnectionId: null,
      jobConnectionId: null,
      done: Promise.resolve(),
    };
    const run = runJob(
      {
        db: app.db,
        config: app.config,
        log: app.log,
        host: this.host,
        privileges: app.privileges,
        ...(this.deps.clock ? { clock: this.deps.clock } : {}),
      },
      plan.job,
      {
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
      },
    );
    entry.done = run.catch(() => undefined);
    this.inFlight.add(entry);
    try {
      const outcome = await run;
      this.deps.onOutcome?.(outcome);
      if (outcome.status === 'failed' || outcome.status === 'interrupted' || outcome.result?.alert)
        this.sendAlert(outcome);
      if (outcome.skip && catchUpRetries(outcome.skip)) this.catchUp.whenLockFree(plan, slot);
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

  /** Check every job for a missed slot and run the latest one (serialised; a request while one runs queues one more).
   */
  requestCatchUp(reason: string): Promise<void> {
    return this.catchUp.request(reason);
  }

  /** Start-up: rows left `running` by a worker that died (kill -9, host crash) whose lock is free become `interrupted`.
   */
  sweepOrphans(): Promise<number> {
    return sweepOrphans(this.deps.app, this.log, this.clock);
  }

  /** Reporting never takes the worker down: errors are logged, and shutdown waits for sends a bounded time. */
  private track(what: string, send: () => Promise<void>): void {
    let p: Promise<void>;
    try {
      p = send();
    } catch (err) {
      p = Promise.reject(err);
    }
    const guarded = p.catch((err: unknown) =>
      this.log.error({ err: errorFields(err) }, `${what} failed; the run itself is recorded in dbkeeper_runs`),
    );
    this.reports.add(guarded);
    void guarded.finally(() => this.reports.delete(guarded));
  }

  private sendSummary(period: Period, slot: Date, outcomes: readonly RunOutcome[]): void {
    if (!this.deps.app.config.report.summary) return;
    this.log.info(
      { period, slot: slot.toISOString(), jobs: outcomes.map((o) => `${o.job}:${o.status}`) },
      'slot finished: sending its summary',
    );
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

  /** Graceful stop (./drain.ts): no new slots, drain the runs within drainMs, then reports and the pool. */
  async stop(drainMs: number, reportWaitMs = 5_000): Promise<{ interrupted: string[] }> {
    this.stopping = true;
    return drain(
      {
        app: this.deps.app,
        log: this.log,
        clock: this.clock,
        host: this.host,
        inFlight: this.inFlight,
        reports: this.reports,
        stopScheduling: async () => {
          for (const task of this.tasks) await task.destroy();
          this.health.close();
        },
        abortRuns: (reason) => this.abort.abort(reason),
        flushGroups: () => this.groups.flush(),
        alert: (outcome) => this.sendAlert(outcome),
      },
      drainMs,
      reportWaitMs,
    );
  }
}
