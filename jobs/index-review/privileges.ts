import { onSchema, onTable, type JobPrivileges, type PrivilegeNeed } from '../../src/db/privileges.js';
import type { IndexReviewConfig } from './config.js';

/** Reads metadata only (information_schema, index sizes, usage counters); it never reads a row of a table. */
export const indexReviewPrivileges: JobPrivileges<IndexReviewConfig> = (config, { database }) => {
  const schemas = config.schemas.length > 0 ? config.schemas : [database];
  return [
    ...schemas.map((s): PrivilegeNeed => ({
      privilege: 'SHOW VIEW',
      object: onSchema(s),
      why: 'information_schema lists only tables the user holds a privilege on; SHOW VIEW shows them, not their rows',
      degradesTo: 'reviews only the tables this user holds another privilege on',
      probe: null,
    })),
    {
      privilege: 'SELECT',
      object: onTable('mysql', 'innodb_index_stats'),
      why: 'index sizes (pages per index) for the space each DROP would reclaim',
      degradesTo: 'findings without index sizes ("some sizes are unknown")',
    },
    ...(['table_io_waits_summary_by_index_usage', 'setup_instruments'] as const).map((t): PrivilegeNeed => ({
      privilege: 'SELECT',
      object: onTable('performance_schema', t),
      why: 'per-index read counters (the evidence that an index is unused) live in performance_schema on MySQL',
      dialect: 'mysql',
    })),
  ];
};
