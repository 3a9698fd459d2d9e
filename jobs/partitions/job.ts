import { defineJob } from '../../src/job/job-contract.js';
import { lazyRun } from '../../src/job/lazy-run.js';
import { partitionsConfigSchema, partitionsDefaults } from './config.js';

/** Monthly partitions of append-only logs: months made ahead, months past retention dropped or archived. */
export const partitionsJob = defineJob({
  name: 'partitions',
  description: 'Monthly RANGE partitions on UNIX_TIMESTAMP: makes the coming months, drops or archives months past retention',
  period: 'monthly',
  schedule: partitionsDefaults.schedule,
  configSchema: partitionsConfigSchema,
  options: { 'print-migration': { kind: 'flag', description: 'print the ALTER that would partition an unpartitioned table; never run it' } },
  writes: true,
  // The run code is imported at the first run (src/job/lazy-run.ts): the idle worker stays small.
  run: lazyRun(async () => (await import('./run.js')).runPartitions),
});
