import type { JobContext } from '../../src/job/job-contract.js';
import { holdForReplicas } from '../../src/replica/replica-hold.js';
import { applyPartitionPlan, countRetiringRows, type ActionOutcome } from './apply.js';
import { collectPartitionFacts, oldestRowSeconds } from './collect.js';
import { partitionTargets, type PartitionsConfig } from './config.js';
import { migrationResult, rotationResult } from './report.js';
import { planMigration } from './plan-migration.js';
import { planPartitions } from './plan.js';
import { findColumn } from './validate-shape.js';

/** Collect, plan the rotation (or print the migration), apply unless a dry run, report. */
export async function runPartitions(ctx: JobContext<PartitionsConfig>) {
  const c = ctx.config;
  const targets = partitionTargets(c);
  const policyOf = (table: string) => targets.find((t) => t.table === table)!;
  const columnOf = (table: string) => policyOf(table).column;
  const facts = await collectPartitionFacts(
    ctx.db,
    targets.map((t) => t.table),
    c.pmaxRowThreshold,
    columnOf,
  );

  if (ctx.options['print-migration'] === true) {
    const plans = [];
    for (const t of facts.tables) {
      const own = policyOf(t.table);
      const migratable = t.exists && !t.partitionMethod && findColumn(t, own.column) !== undefined;
      const oldest = migratable ? await oldestRowSeconds(ctx.db, t.table, own.column) : null;
      plans.push(planMigration(t, oldest, ctx.db.database, { ...c, ...own }, ctx.now));
    }
    return migrationResult(plans);
  }

  const plans = planPartitions(facts, policyOf, ctx.now);
  let outcomes: ActionOutcome[];
  if (ctx.dryRun) {
    const counted = new Map<ActionOutcome['action'], number>();
    for (const p of plans)
      for (const [a, n] of await countRetiringRows(ctx.db, [p], columnOf(p.table))) counted.set(a, n);
    outcomes = plans.flatMap((p) =>
      p.actions.map((action) => ({
        action,
        outcome: 'planned' as const,
        rows: action.kind === 'create' ? action.tailRowsMoved : (counted.get(action) ?? null),
      })),
    );
  } else {
    outcomes = await applyPartitionPlan(ctx.db, plans, {
      lockWaitTimeoutSeconds: c.lockWaitTimeoutSeconds,
      column: columnOf,
      mdlWaitSeconds: c.mdlWaitSeconds,
      longTransactionSeconds: c.longTransactionSeconds,
      signal: ctx.signal,
      progress: ctx.progress,
      holdForReplicas: () => holdForReplicas(ctx.replicas, ctx.signal),
    });
  }
  for (const o of outcomes)
    if (o.outcome !== 'done' && o.outcome !== 'planned')
      ctx.log.warn({ table: o.action.table, kind: o.action.kind, outcome: o.outcome }, o.note ?? o.outcome);
  return rotationResult(plans, outcomes, ctx.dryRun, c);
}
