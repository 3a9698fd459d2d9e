import type { JobContext, JobResult } from '../../src/job/job-contract.js';
import type { PartitionsConfig } from './config.js';
import { applyPartitionPlan, countRetiringRows, type ActionOutcome } from './apply.js';
import { collectPartitionFacts, oldestRowSeconds } from './collect.js';
import { migrationResult, rotationResult } from './report.js';
import { planMigration } from './plan-migration.js';
import { planPartitions } from './plan.js';
import { findColumn } from './validate-shape.js';

/** Monthly partitions of append-only logs: months made ahead, months past retention dropped or archived. */
export async function runPartitions(ctx: JobContext<PartitionsConfig>): Promise<JobResult> {
  const c = ctx.config;
  const facts = await collectPartitionFacts(ctx.db, c.tables, c.pmaxRowThreshold, c.column);

  if (ctx.options['print-migration'] === true) {
    const plans = [];
    for (const t of facts.tables) {
      const migratable = t.exists && !t.partitionMethod && findColumn(t, c.column) !== undefined;
      const oldest = migratable ? await oldestRowSeconds(ctx.db, t.table, c.column) : null;
      plans.push(planMigration(t, oldest, ctx.db.database, c, ctx.now));
    }
    return migrationResult(plans);
  }

  const plans = planPartitions(facts, c, ctx.now);
  let outcomes: ActionOutcome[];
  if (ctx.dryRun) {
    const counted = await countRetiringRows(ctx.db, plans, c.column);
    outcomes = plans.flatMap((p) =>
      p.actions.map((action) => ({ action, outcome: 'planned' as const, rows: action.kind === 'create' ? action.tailRowsMoved : (counted.get(action) ?? null) })),
    );
  } else {
    outcomes = await applyPartitionPlan(ctx.db, plans, {
      lockWaitTimeoutSeconds: c.lockWaitTimeoutSeconds,
      column: c.column,
      signal: ctx.signal,
      progress: ctx.progress,
    });
  }
  for (const o of outcomes) if (o.outcome !== 'done' && o.outcome !== 'planned') ctx.log.warn({ table: o.action.table, kind: o.action.kind, outcome: o.outcome }, o.note ?? o.outcome);
  return rotationResult(plans, outcomes, ctx.dryRun, c);
}
