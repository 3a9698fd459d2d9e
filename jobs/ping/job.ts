import { defineJob } from '../../src/job/job-contract.js';
import { lazyRun } from '../../src/job/lazy-run.js';
import { pingConfigSchema, pingDefaults } from './config.js';
import { pingPrivileges } from './privileges.js';

/** Proves the whole path (lock, run row, guards, report) without touching anything. */
export const pingJob = defineJob({
  name: 'ping',
  description: 'Server flavor, version, uptime and read_only: proves dbkeeper can reach the database',
  period: 'daily',
  schedule: pingDefaults.schedule,
  configSchema: pingConfigSchema,
  privileges: pingPrivileges,
  writes: false,
  // The run code is imported at the first run (src/job/lazy-run.ts): the idle worker stays small.
  run: lazyRun(async () => (await import('./run.js')).runPing),
});
