import type { Logger } from 'pino';
import type { App } from '../app/bootstrap.js';
import { lockHolder, lockName } from '../db/named-lock.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import { planCatchUp } from './catch-up.js';
import { collectCatchUpFacts } from './catch-up-facts.js';
import type { DbHealth } from './db-health.js';
import { waitUntilLockFree } from './lock-free-watch.js';
import type { ScheduledJob } from './scheduled-jobs.js';
import type { SlotGroups } from './slot-groups.js';

export interface CatchUpDeps {
  app: App;
  log: Logger;
  clock: () => Date;
  plans: readonly ScheduledJob[];
  groups: SlotGroups;
  health: DbHealth;
  /** Ends the lock watches (the scheduler's shutdown). */
  signal: AbortSignal;
  lockPollMs: number;
  isStopping: () => boolean;
  /** The scheduler's tracked run (the drain waits for it). */
  run: (plan: ScheduledJob, slot: Date, trigger: 'catch-up') => Promise<RunOutcome | null>;
}

/** Catch-up of missed slots: passes run one at a time (a request while one runs queues one more), and a slot
 * skipped because another session held the lock is retried once that lock is free. */
export class CatchUpQueue {
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  /** Jobs whose skipped slot waits for the lock to be free (one watch per job). */
  private readonly lockWatches = new Set<string>();

  constructor(private readonly deps: CatchUpDeps) {}

  /** Check every job for a missed slot and run the latest one. */
  request(reason: string): Promise<void> {
    if (this.deps.isStopping()) return Promise.resolve();
    if (this.queued) return this.chain;
    this.queued = true;
    this.chain = this.chain.then(async () => {
      this.queued = false;
      if (this.deps.isStopping() || this.deps.health.isDown) return;
      await this.pass(reason).catch((err: unknown) => this.deps.log.error({ err }, 'catch-up pass failed'));
    });
    return this.chain;
  }

  /** A slot skipped because another session held the job's lock has no row: its work is not done. Once the
   * lock is free, catch-up runs it (if the job has catchUp on, and it is still the job's latest slot). */
  whenLockFree(plan: ScheduledJob, slot: Date): void {
    const { db } = this.deps.app;
    const job = plan.job.name;
    const log = this.deps.log;
    if (!plan.catchUp) {
      log.info(
        { job, slot: slot.toISOString() },
        'slot skipped (locked); catchUp is off for this job, so it is not retried',
      );
      return;
    }
    if (this.lockWatches.has(job)) return;
    this.lockWatches.add(job);
    log.info({ job, slot: slot.toISOString() }, 'slot skipped (locked): catch-up runs it once the lock is free');
    const name = lockName(db.schema, job);
    const isFree = async () => (await lockHolder(db.pool, name)) === null;
    void waitUntilLockFree(isFree, this.deps.lockPollMs, this.deps.signal).then((free) => {
      // Cleared first: the catch-up run may find the lock taken again and start a new watch.
      this.lockWatches.delete(job);
      if (free) void this.request(`lock of ${job} free again`);
    });
  }

  private async pass(reason: string): Promise<void> {
    const { app, log, groups } = this.deps;
    const now = this.deps.clock();
    const due: { plan: ScheduledJob; slot: Date }[] = [];
    for (const plan of this.deps.plans) {
      if (!plan.catchUp) continue;
      let facts;
      try {
        facts = await collectCatchUpFacts(app.db.pool, app.db.schema, plan.job.name);
      } catch (err) {
        await this.deps.health.suspect(err);
        return;
      }
      const decision = planCatchUp(facts, plan, now);
      if (decision.run) {
        const slot = decision.slot.toISOString();
        log.info({ job: plan.job.name, slot, missedSlots: decision.missedSlots, reason }, decision.reason);
        due.push({ plan, slot: decision.slot });
      } else {
        log.debug({ job: plan.job.name, reason }, `no catch-up: ${decision.reason}`);
      }
    }
    for (const { plan, slot } of due) {
      const sameSlot = due.filter((d) => d.plan.job.period === plan.job.period && d.slot.getTime() === slot.getTime());
      groups.expect(
        plan.job.period,
        slot,
        sameSlot.map((d) => d.plan.job.name),
      );
    }
    // One at a time: catching up must not load the server with every job at once.
    for (const { plan, slot } of due) {
      if (this.deps.isStopping()) break;
      groups.started(plan.job.period, slot, plan.job.name);
      const outcome = await this.deps.run(plan, slot, 'catch-up');
      groups.settle(plan.job.period, slot, plan.job.name, outcome);
    }
  }
}
