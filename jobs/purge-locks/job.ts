import { defineJob } from '../../src/job/job-contract.js';
import { lazyRun } from '../../src/job/lazy-run.js';
import { purgeConfigSchema, purgeLocksDefaults } from './config.js';
import { purgeLocksPrivileges } from './privileges.js';
import { purgeLocksMetrics } from './metrics.js';

/** Deletes expired appointment locks in short index-driven chunks instead of one long DELETE. */
export const purgeLocksJob = defineJob({
  name: 'purge-locks',
  description: 'Deletes expired rows (appointment locks) in short, throttled, index-driven chunks',
  period: 'daily',
  schedule: purgeLocksDefaults.schedule,
  configSchema: purgeConfigSchema,
  privileges: purgeLocksPrivileges,
  writes: true,
  metrics: purgeLocksMetrics,
  // Run code imported at the first run (src/job/lazy-run.ts).
  run: lazyRun(async () => (await import('./run.js')).runPurgeLocks),
});
