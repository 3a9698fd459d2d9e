import {
  onSchema,
  onServer,
  onTable,
  replicaStatusNeeds,
  type JobPrivileges,
  type PrivilegeNeed,
} from '../../src/db/privileges.js';
import type { HealthConfig } from './config.js';

/** Counters need no grant (SHOW GLOBAL STATUS); statement timers, InnoDB metrics, replica state and sizes do. */
export const healthPrivileges: JobPrivileges<HealthConfig> = (config, { database }) => {
  const usageSchemas = config.indexUsageSchemas.length > 0 ? config.indexUsageSchemas : [database];
  return [
    {
      privilege: 'SHOW VIEW',
      object: onSchema(database),
      why: 'information_schema lists only tables the user holds a privilege on; SHOW VIEW shows them, not their rows',
      degradesTo: 'the largest tables list only the tables this user holds another privilege on',
      probe: null,
    },
    {
      privilege: 'SELECT',
      object: onTable('performance_schema', 'events_statements_summary_global_by_event_name'),
      why: 'statement count and time per day (average query time) when performance_schema is ON',
    },
    {
      privilege: 'PROCESS',
      object: onServer,
      why: 'the deadlock and history list counters live in information_schema.INNODB_METRICS',
      dialect: 'mysql',
    },
    ...replicaStatusNeeds(
      'replica lag and thread state when the server is a replica',
      'no replica figures; the report says replica status was not readable',
    ),
    ...(config.apiResponse.enabled
      ? [
          {
            privilege: 'SELECT',
            object: onTable(config.apiResponse.schema ?? database, config.apiResponse.table),
            why: 'API response time (p50/p95/p99) and error share over the last 24 hours',
            degradesTo: 'the API response figures read n/a, saying the table could not be read',
          },
        ]
      : []),
    ...(config.bookingSuccess.enabled && config.bookingSuccess.table
      ? [
          {
            privilege: 'SELECT',
            object: onTable(config.bookingSuccess.schema ?? database, config.bookingSuccess.table),
            why: 'the booking success rate over the last 24 hours',
            degradesTo: 'the booking success figure reads n/a, saying the table could not be read',
          },
        ]
      : []),
    // Opt-in: these tables hold password hashes (dbkeeper selects names only; docs/health.md says the exposure).
    ...(config.accountChecks
      ? [
          {
            privilege: 'SELECT',
            object: onTable('mysql', 'global_priv'),
            why: 'account checks (no password, anonymous, root from any host); exposes password hashes to this user',
            degradesTo: 'no account checks; the report says mysql.global_priv was not readable',
            dialect: 'mariadb' as const,
          },
          {
            privilege: 'SELECT',
            object: onTable('mysql', 'user'),
            why: 'account checks (no password, anonymous, root from any host); exposes password hashes to this user',
            degradesTo: 'no account checks; the report says mysql.user was not readable',
            dialect: 'mysql' as const,
          },
        ]
      : []),
    ...(config.indexUsageSnapshot
      ? usageSchemas.flatMap((s): PrivilegeNeed[] => [
          {
            privilege: 'SHOW VIEW',
            object: onSchema(s),
            why: 'the daily index usage snapshot sees only indexes of tables the user holds a privilege on',
            degradesTo: 'the usage snapshot misses the tables this user cannot see',
            probe: null,
          },
        ])
      : []),
    ...(config.indexUsageSnapshot
      ? (['table_io_waits_summary_by_index_usage', 'setup_instruments'] as const).map((t): PrivilegeNeed => ({
          privilege: 'SELECT',
          object: onTable('performance_schema', t),
          why: 'per-index read counters for the daily usage snapshot (MySQL keeps them in performance_schema)',
          degradesTo: 'no usage snapshot today; the health figures are unaffected',
          dialect: 'mysql',
        }))
      : []),
  ];
};
