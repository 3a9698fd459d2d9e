import { defineJob } from '../src/job/job-contract.js';
import { collectReview } from '../src/performance-review/collect-review.js';
import { planReview } from '../src/performance-review/plan-review.js';
import { reviewPeriod } from '../src/performance-review/review-period.js';
import { reviewConfigSchema } from '../src/performance-review/review-policy.js';

/** Monthly: the statements that cost the most time, and whether the application's pool fits the server. */
export const performanceReviewJob = defineJob({
  name: 'performance-review',
  description: 'Monthly review: top statements by total and average time (performance_schema, slow log table or file) and connection pool advice',
  period: 'monthly',
  schedule: '30 4 1 * *',
  configSchema: reviewConfigSchema,
  options: ['month'],
  writes: false,
  async run(ctx) {
    const month = ctx.options.month;
    if (month === true) throw new Error('--month needs a value: --month=YYYY-MM');
    // The job section's base keys (timezone of the schedule) are there at run time, beside the job's own.
    const timeZone = (ctx.config as { timezone?: string }).timezone ?? 'UTC';
    const period = reviewPeriod(ctx.now, timeZone, typeof month === 'string' ? month : undefined);
    const facts = await collectReview(ctx.db, period, { maxSlowLogEntries: ctx.config.maxSlowLogEntries, signal: ctx.signal });
    const plan = planReview(facts, ctx.config, period);
    return {
      status: plan.status,
      summary: plan.summary,
      ...(facts.source === null ? { warnings: ['no statement source: see the report for how to enable the slow log'] } : {}),
      details: {
        period,
        source: facts.source,
        attempts: facts.attempts,
        entriesRead: facts.entriesRead,
        truncated: facts.truncated,
        digestsSince: facts.digestsSince,
        totalSeconds: plan.totalSeconds,
        byTotal: plan.byTotal,
        byAverage: plan.byAverage,
        pool: plan.pool,
        enableAdvice: plan.enableAdvice,
        server: { flavor: facts.flavor, version: facts.version, slowQueryLog: facts.slowQueryLog, logOutput: facts.logOutput, longQueryTimeSeconds: facts.longQueryTimeSeconds, performanceSchema: facts.performanceSchema },
      },
      sections: plan.sections,
    };
  },
});
