import { defineJob } from '../../src/job/job-contract.js';
import { lazyRun } from '../../src/job/lazy-run.js';
import { indexReviewConfigSchema, indexReviewDefaults } from './config.js';
import { indexUsageMigrations } from './usage-migrations.js';
import { indexReviewPrivileges } from './privileges.js';
import { indexReviewMetrics } from './metrics.js';

/** Monthly: every index that costs writes and earns nothing, with the evidence. Recommends only; never drops. */
export const indexReviewJob = defineJob({
  name: 'index-review',
  description:
    'Duplicate, redundant, unused and over-budget indexes with evidence, sizes, DROP/hide SQL and rollbacks (recommends only)',
  period: 'monthly',
  schedule: indexReviewDefaults.schedule,
  configSchema: indexReviewConfigSchema,
  privileges: indexReviewPrivileges,
  // Writes only its own usage snapshots (dbkeeper_index_usage); never the reviewed tables.
  writes: true,
  metrics: indexReviewMetrics,
  migrations: indexUsageMigrations,
  // Run code imported at the first run (src/job/lazy-run.ts).
  run: lazyRun(async () => (await import('./run.js')).runIndexReview),
});
