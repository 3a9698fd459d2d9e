import { performance } from 'node:perf_hooks';
import type { JobContext } from '../../src/job/job-contract.js';
import { purgeTarget, realSleep, untouchedOutcome, type RunBudget, type TargetOutcome } from './apply.js';
import { collectPurgeFacts } from './collect.js';
import type { PurgeConfig } from './config.js';
import { inspectTarget } from './dry-run.js';
import { planPurge } from './plan.js';
import { dryRunResult, PurgeRefusedError, purgeResult } from './report.js';

/** Collect, plan, then (unless a dry run) delete target by target in bounded chunks. */
export async function runPurgeLocks(ctx: JobContext<PurgeConfig>) {
  const facts = await collectPurgeFacts(ctx.db, ctx.config, ctx.now);
  const plan = planPurge(facts, ctx.config, ctx.now);
  if (!plan.ok) throw new PurgeRefusedError(plan.refusals);

  if (ctx.dryRun) {
    const inspected = [];
    for (const t of plan.targets) inspected.push(await inspectTarget(ctx.db, t, ctx.config.chunk.startRows));
    return dryRunResult(inspected, plan, facts);
  }

  const budget: RunBudget = { startedAt: performance.now(), rowsDeleted: 0 };
  const deps = {
    db: ctx.db,
    clock: () => performance.now(),
    sleep: realSleep,
    progress: ctx.progress,
    replica: facts.replica,
    maxLagSeconds: ctx.replicas.maxLagSeconds,
    ...(ctx.replicas.nodes.length > 0
      ? {
          replicas: (applied: string | null) => ctx.replicas.check({ applied }),
          replicaMark: () => ctx.replicas.mark(),
        }
      : {}),
  };
  const outcomes: TargetOutcome[] = [];
  for (const target of plan.targets) {
    const previous = outcomes.at(-1);
    if (previous && previous.stopReason !== 'done') {
      outcomes.push(untouchedOutcome(target, 'not-started'));
      continue;
    }
    const outcome = await purgeTarget(target, ctx.config, deps, budget, ctx.signal);
    ctx.log.info(
      {
        table: outcome.table,
        rowsDeleted: outcome.rowsDeleted,
        chunks: outcome.chunks,
        stopReason: outcome.stopReason,
      },
      'purge target finished',
    );
    outcomes.push(outcome);
  }
  return purgeResult(outcomes, plan, facts, { nodes: ctx.replicas.nodes, maxLagSeconds: ctx.replicas.maxLagSeconds });
}
