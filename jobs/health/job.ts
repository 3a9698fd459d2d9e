import { defineJob } from '../../src/job/job-contract.js';
import { lazyRun } from '../../src/job/lazy-run.js';
import { healthConfigSchema, healthDefaults } from './config.js';
import { healthMetrics } from './metrics.js';
import { snapshotMigrations } from './snapshot-store.js';
import { healthPrivileges } from './privileges.js';

/** Daily figures against the platform's targets, as deltas between two snapshots of global status. */
export const healthJob = defineJob({
  name: 'health',
  description:
    'Daily health check: per-day deltas of global status (queries, slow queries, deadlocks, lock waits, connections, buffer pool) against limits',
  period: 'daily',
  schedule: healthDefaults.schedule,
  configSchema: healthConfigSchema,
  privileges: healthPrivileges,
  writes: true,
  migrations: snapshotMigrations,
  metrics: healthMetrics,
  // Run code imported at the first run (src/job/lazy-run.ts).
  run: lazyRun(async () => (await import('./run.js')).runHealth),
});
