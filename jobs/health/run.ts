import type { JobContext } from '../../src/job/job-contract.js';
import { collectHealth } from './collect.js';
import type { HealthConfig } from './config.js';
import { healthFigureLimits } from './metrics.js';
import { planHealth } from './plan.js';
import { insertSnapshot, previousSnapshot } from './snapshot-store.js';
import { recordIndexUsageSnapshot } from '../index-review/usage-snapshot.js';
import { collectHealthAdditions } from './additions-collect.js';
import { snapshotReplicaUsage } from './replica-usage.js';
import { readReplicasForHealth } from './replica-collect.js';
import { replicaFigures } from './replica-figures.js';

/** Collect, plan against the previous snapshot, store a snapshot (and the daily index usage), report. */
export async function runHealth(ctx: JobContext<HealthConfig>) {
  const facts = await collectHealth(ctx.db, { largestTables: ctx.config.largestTables });
  Object.assign(facts, await collectHealthAdditions(ctx.db, ctx.config, ctx.now, ctx.signal));
  const previous = await previousSnapshot(ctx.db, facts.serverKey, ctx.now);
  const replicaProbes = await readReplicasForHealth(ctx.replicas, ctx.signal);
  const plan = planHealth(facts, previous, ctx.config, replicaFigures(replicaProbes, ctx.replicas));
  let snapshotId: number | null = null;
  if (!ctx.dryRun && !ctx.signal.aborted) snapshotId = await insertSnapshot(ctx.db, ctx.now, facts);
  // Daily evidence for the monthly index review; its failure must not hide the health figures.
  let indexUsage: { stored: number; enabled: boolean; error?: string } | null = null;
  let replicaUsage: Awaited<ReturnType<typeof snapshotReplicaUsage>> = [];
  if (ctx.config.indexUsageSnapshot && !ctx.dryRun && !ctx.signal.aborted) {
    const schemas = ctx.config.indexUsageSchemas.length > 0 ? ctx.config.indexUsageSchemas : [ctx.db.database];
    try {
      const snap = await recordIndexUsageSnapshot(ctx.db, schemas, ctx.now, ctx.signal);
      indexUsage = { stored: snap.stored, enabled: snap.enabled };
    } catch (err) {
      indexUsage = { stored: 0, enabled: false, error: (err as Error).message };
      ctx.log.warn({ err }, 'index usage snapshot failed');
    }
    // The replicas' counters too: reads served there are invisible on the primary (issue 16).
    replicaUsage = await snapshotReplicaUsage(ctx, schemas);
  }
  const usageWarnings = [
    ...(indexUsage?.error ? [`index usage snapshot failed: ${indexUsage.error}`] : []),
    ...replicaUsage.filter((r) => r.error).map((r) => `index usage snapshot of replica ${r.node} failed: ${r.error}`),
  ];
  return {
    status: plan.status,
    ...(usageWarnings.length > 0 ? { warnings: usageWarnings } : {}),
    summary: `${plan.summary}${ctx.dryRun ? ' (dry run: snapshot not stored)' : ''}`,
    details: {
      snapshotId,
      indexUsage,
      replicaIndexUsage: replicaUsage,
      previousSnapshotId: previous?.id ?? null,
      window: plan.window,
      figures: plan.figures,
      limits: healthFigureLimits(ctx.config),
      deltas: plan.deltas,
      resetCounters: plan.resetCounters,
      tables: plan.tableGrowth,
      facts,
      replicas: {
        maxLagSeconds: ctx.replicas.maxLagSeconds,
        probes: replicaProbes,
        heartbeat: ctx.replicas.heartbeat(),
      },
    },
    sections: plan.sections,
  };
}
