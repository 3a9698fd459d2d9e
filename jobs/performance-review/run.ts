import type { JobContext } from '../../src/job/job-contract.js';
import { collectPerformanceReview } from './collect.js';
import { baselineDue, storeBaseline } from './digest-baseline.js';
import { planPerformanceReview } from './plan.js';
import { rawSamplesFileName, writeRawSamples } from './raw-samples-file.js';
import { reviewPeriod } from './review-period.js';
import { performanceReviewPolicy, type PerformanceReviewConfig } from './config.js';
import { withReplicaStatements } from './replica-statements.js';

/** The statements of the period by total and average time, the pool advice, the digest baseline, opt-in raw samples. */
export async function runPerformanceReview(ctx: JobContext<PerformanceReviewConfig>) {
  const month = ctx.options.month;
  const period = reviewPeriod(ctx.now, ctx.settings.timezone, typeof month === 'string' ? month : undefined);
  const facts = await collectPerformanceReview(ctx.db, period, {
    maxSlowLogEntries: ctx.config.maxSlowLogEntries,
    signal: ctx.signal,
  });
  const plan = planPerformanceReview(facts, performanceReviewPolicy(ctx.config, ctx.settings), period);
  // Next month counts from here: store the digests as they are now (only right after the month ends, never in a dry
  // run).
  let baselineStored = false;
  if (
    facts.source === 'performance_schema' &&
    facts.digestRows &&
    baselineDue(period, ctx.now) &&
    !ctx.dryRun &&
    !ctx.signal.aborted
  ) {
    await storeBaseline(ctx.db, facts.serverKey, ctx.now, facts.digestRows, ctx.signal);
    baselineStored = true;
  }
  // Real statements carry customer data: opt-in, to a file on this host only (the details say where, not what).
  let rawSamples: { enabled: boolean; file: string | null; count: number; note?: string } = {
    enabled: ctx.config.rawSamples,
    file: null,
    count: 0,
  };
  if (ctx.config.rawSamples) {
    const samples = facts.rawSamples ?? [];
    if (ctx.dryRun) rawSamples = { ...rawSamples, note: 'dry run: no file written' };
    else if (samples.length === 0)
      rawSamples = {
        ...rawSamples,
        note:
          facts.source === 'performance_schema' ? 'performance_schema digests have no raw statements' : 'no statements',
      };
    else
      rawSamples = {
        ...rawSamples,
        file: await writeRawSamples(ctx.config.rawSamplesDir, rawSamplesFileName(period.label, ctx.now), samples),
        count: samples.length,
      };
  }
  return withReplicaStatements(ctx, period, facts, {
    status: plan.status,
    summary: plan.summary,
    ...(facts.source === null
      ? { warnings: ['no statement source: see the report for how to enable the slow log'] }
      : {}),
    details: {
      period,
      source: facts.source,
      attempts: facts.attempts,
      entriesRead: facts.entriesRead,
      truncated: facts.truncated,
      digestsSince: facts.digestsSince,
      digestBaselineAt: facts.digestBaselineAt,
      baselineStored,
      rawSamples,
      totalSeconds: plan.totalSeconds,
      byTotal: plan.byTotal,
      byAverage: plan.byAverage,
      pool: plan.pool,
      enableAdvice: plan.enableAdvice,
      server: {
        flavor: facts.flavor,
        version: facts.version,
        slowQueryLog: facts.slowQueryLog,
        logOutput: facts.logOutput,
        longQueryTimeSeconds: facts.longQueryTimeSeconds,
        performanceSchema: facts.performanceSchema,
      },
    },
    sections: plan.sections,
  });
}
