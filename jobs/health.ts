import { defineJob } from '../src/job/job-contract.js';
import { collectHealth } from '../src/health/collect-health.js';
import { healthConfigSchema } from '../src/health/health-policy.js';
import { planHealth } from '../src/health/plan-health.js';
import { insertSnapshot, previousSnapshot, snapshotMigrations } from '../src/health/snapshot-store.js';

/** Daily figures against the platform's targets, as deltas between two snapshots of global status. */
export const healthJob = defineJob({
  name: 'health',
  description: 'Daily health check: per-day deltas of global status (queries, slow queries, deadlocks, lock waits, connections, buffer pool) against limits',
  period: 'daily',
  schedule: '15 3 * * *',
  configSchema: healthConfigSchema,
  writes: true,
  migrations: snapshotMigrations,
  async run(ctx) {
    const facts = await collectHealth(ctx.db, { largestTables: ctx.config.largestTables });
    const previous = await previousSnapshot(ctx.db, facts.serverKey, ctx.now);
    const plan = planHealth(facts, previous, ctx.config);
    let snapshotId: number | null = null;
    if (!ctx.dryRun && !ctx.signal.aborted) snapshotId = await insertSnapshot(ctx.db, ctx.now, facts);
    return {
      status: plan.status,
      summary: `${plan.summary}${ctx.dryRun ? ' (dry run: snapshot not stored)' : ''}`,
      details: {
        snapshotId,
        previousSnapshotId: previous?.id ?? null,
        window: plan.window,
        figures: plan.figures,
        deltas: plan.deltas,
        resetCounters: plan.resetCounters,
        tables: plan.tableGrowth,
        facts,
      },
      sections: plan.sections,
    };
  },
});
