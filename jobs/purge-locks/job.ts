import { defineJob } from '../../src/job/job-contract.js';
import { lazyRun } from '../../src/job/lazy-run.js';
import { purgeConfigSchema, purgeLocksDefaults } from './config.js';

/** Deletes expired appointment locks in short index-driven chunks instead of one long DELETE. */
export const purgeLocksJob = defineJob({
  name: 'purge-locks',
  description: 'Deletes expired rows (appointment locks) in short, throttled, index-driven chunks',
  period: 'daily',
  schedule: purgeLocksDefaults.schedule,
  configSchema: purgeConfigSchema,
  writes: true,
  // The run code is imported at the first run (src/job/lazy-run.ts): the idle worker stays small.
  run: lazyRun(async () => (await import('./run.js')).runPurgeLocks),
});
