import { defineJob } from '../../src/job/job-contract.js';
import { lazyRun } from '../../src/job/lazy-run.js';
import { baselineMigrations } from './baselines.js';
import { rebuildSpeedMigrations } from './rebuild-speed.js';
import { tableMaintenanceConfigSchema, tableMaintenanceDefaults } from './config.js';
import { tableMaintenancePrivileges } from './privileges.js';

/** Weekly: fresh statistics for the listed tables; rebuilds only where the bloat estimate says they pay and they are
 * safe. */
export const tableMaintenanceJob = defineJob({
  name: 'table-maintenance',
  description: 'ANALYZE the listed tables; OPTIMIZE (rebuild) only bloated ones that are safe to rebuild',
  period: 'weekly',
  schedule: tableMaintenanceDefaults.schedule,
  configSchema: tableMaintenanceConfigSchema,
  privileges: tableMaintenancePrivileges,
  options: {
    'maintenance-window': {
      kind: 'flag',
      description: 'rebuilds that block writes (FULLTEXT/SPATIAL) or hold replicas back long are allowed',
    },
  },
  writes: true,
  migrations: [...baselineMigrations, ...rebuildSpeedMigrations],
  // Run code imported at the first run (src/job/lazy-run.ts).
  run: lazyRun(async () => (await import('./run.js')).runTableMaintenance),
});
