import { defineJob } from '../../src/job/job-contract.js';
import { lazyRun } from '../../src/job/lazy-run.js';
import { digestBaselineMigrations } from './digest-baseline.js';
import { monthOptionSchema } from './review-period.js';
import { performanceReviewConfigSchema, performanceReviewDefaults } from './config.js';

/** Monthly: the statements that cost the most time, and whether the application's pool fits the server. */
export const performanceReviewJob = defineJob({
  name: 'performance-review',
  description: 'Monthly review: top statements by total and average time (performance_schema, slow log table or file) and connection pool advice',
  period: 'monthly',
  schedule: performanceReviewDefaults.schedule,
  configSchema: performanceReviewConfigSchema,
  options: { month: { kind: 'value', description: 'the calendar month to review', example: '2026-10', value: monthOptionSchema } },
  /** Writes only its own baseline of performance_schema digests (next month's starting point). */
  writes: true,
  migrations: digestBaselineMigrations,
  // The run code is imported at the first run (src/job/lazy-run.ts): the idle worker stays small.
  run: lazyRun(async () => (await import('./run.js')).runPerformanceReview),
});
