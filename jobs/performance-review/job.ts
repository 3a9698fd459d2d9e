import { defineJob } from '../../src/job/job-contract.js';
import { lazyRun } from '../../src/job/lazy-run.js';
import { digestBaselineMigrations } from './digest-baseline.js';
import { monthOptionSchema } from './month-option.js';
import { performanceReviewConfigSchema, performanceReviewDefaults } from './config.js';
import { performanceReviewPrivileges } from './privileges.js';

/** Monthly: the statements that cost the most time, and whether the application's pool fits the server. */
export const performanceReviewJob = defineJob({
  name: 'performance-review',
  description:
    'Monthly review: top statements by total and average time (performance_schema, slow log table or file) and connection pool advice',
  period: 'monthly',
  schedule: performanceReviewDefaults.schedule,
  configSchema: performanceReviewConfigSchema,
  privileges: performanceReviewPrivileges,
  options: {
    month: { kind: 'value', description: 'the calendar month to review', example: '2026-10', value: monthOptionSchema },
  },
  /** Writes only its own baseline of performance_schema digests (next month's starting point). */
  writes: true,
  migrations: digestBaselineMigrations,
  // Run code imported at the first run (src/job/lazy-run.ts).
  run: lazyRun(async () => (await import('./run.js')).runPerformanceReview),
});
