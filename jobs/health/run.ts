import type { JobContext, JobResult } from '../../src/job/job-contract.js';
import type { HealthConfig } from './config.js';
import { collectHealth } from './collect.js';
import { planHealth } from './plan.js';
import { insertSnapshot, previousSnapshot } from './snapshot-store.js';
import { recordIndexUsageSnapshot } from '../index-review/usage-snapshot.js';

/** Daily figures against the platform's targets, as deltas between two snapshots of global status. */
export async function runHealth(ctx: JobContext<HealthConfig>): Promise<JobResult> {
  const facts = await collectHealth(ctx.db, { largestTables: ctx.config.largestTables });
  const previous = await previousSnapshot(ctx.db, facts.serverKey, ctx.now);
  const plan = planHealth(facts, previous, ctx.config);
  let snapshotId: number | null = null;
  if (!ctx.dryRun && !ctx.signal.aborted) snapshotId = await insertSnapshot(ctx.db, ctx.now, facts);
  // Daily evidence for the monthly index review; its failure must not hide the health figures.
  let indexUsage: { stored: number; enabled: boolean; error?: string } | null = null;
  if (ctx.config.indexUsageSnapshot && !ctx.dryRun && !ctx.signal.aborted) {
    const schemas = ctx.config.indexUsageSchemas.length > 0 ? ctx.config.indexUsageSchemas : [ctx.db.database];
    try {
      const snap = await recordIndexUsageSnapshot(ctx.db, schemas, ctx.now, ctx.signal);
      indexUsage = { stored: snap.stored, enabled: snap.enabled };
    } catch (err) {
      indexUsage = { stored: 0, enabled: false, error: (err as Error).message };
      ctx.log.warn({ err }, 'index usage snapshot failed');
    }
  }
  return {
    status: plan.status,
    ...(indexUsage?.error ? { warnings: [`index usage snapshot failed: ${indexUsage.error}`] } : {}),
    summary: `${plan.summary}${ctx.dryRun ? ' (dry run: snapshot not stored)' : ''}`,
    details: {
      snapshotId,
      indexUsage,
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
}
