import { defineJob } from '../../src/job/job-contract.js';
import { lazyRun } from '../../src/job/lazy-run.js';
import { partitionsConfigSchema, partitionsDefaults } from './config.js';
import { partitionsPrivileges } from './privileges.js';
import { partitionsMetrics } from './metrics.js';

/** Monthly partitions of append-only logs: months made ahead, months past retention dropped or archived. */
export const partitionsJob = defineJob({
  name: 'partitions',
  description:
    'Monthly RANGE partitions on UNIX_TIMESTAMP: makes the coming months, drops or archives months past retention',
  period: 'monthly',
  schedule: partitionsDefaults.schedule,
  configSchema: partitionsConfigSchema,
  privileges: partitionsPrivileges,
  options: {
    'print-migration': {
      kind: 'flag',
      description: 'print the ALTER that would partition an unpartitioned table; never run it',
    },
  },
  writes: true,
  metrics: partitionsMetrics,
  // Run code imported at the first run (src/job/lazy-run.ts).
  run: lazyRun(async () => (await import('./run.js')).runPartitions),
});
