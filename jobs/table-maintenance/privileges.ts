import { onTable, type JobPrivileges, type PrivilegeNeed } from '../../src/db/privileges.js';
import { metadataLockCheckNeeds } from '../../src/db/metadata-lock-privileges.js';
import type { TableMaintenanceConfig } from './config.js';

/** ANALYZE and OPTIMIZE TABLE need SELECT and INSERT on the table (MariaDB and MySQL manuals; checked here). */
export const tableMaintenancePrivileges: JobPrivileges<TableMaintenanceConfig> = (config, { database }) => {
  const schema = config.schema ?? database;
  const seen = new Set<string>();
  const tables = [...config.analyzeTables, ...config.optimizeTables].filter(
    (t) => !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()),
  );
  return [
    ...tables.flatMap((t): PrivilegeNeed[] => [
      {
        privilege: 'SELECT',
        object: onTable(schema, t),
        why: 'ANALYZE/OPTIMIZE TABLE need SELECT; sizes come from information_schema',
      },
      {
        privilege: 'INSERT',
        object: onTable(schema, t),
        why: 'ANALYZE/OPTIMIZE TABLE need INSERT (they write statistics, OPTIMIZE rebuilds)',
      },
    ]),
    // ALTER TABLE … FORCE (the online rebuild): ALTER on MariaDB (checked here: SELECT + ALTER suffice); the MySQL
    // manual asks ALTER, CREATE and INSERT for the table (INSERT is declared above).
    ...config.optimizeTables.flatMap((t): PrivilegeNeed[] => [
      {
        privilege: 'ALTER',
        object: onTable(schema, t),
        why: 'ALTER TABLE … FORCE, ALGORITHM=INPLACE, LOCK=NONE rebuilds it',
      },
      {
        privilege: 'CREATE',
        object: onTable(schema, t),
        why: 'ALTER TABLE … FORCE writes the rebuilt copy (the MySQL manual: ALTER TABLE needs ALTER, CREATE, INSERT)',
        dialect: 'mysql',
        probe: null,
      },
    ]),
    ...(config.optimizeTables.length > 0 ? metadataLockCheckNeeds('a rebuild') : []),
    {
      privilege: 'SELECT',
      object: onTable('mysql', 'innodb_table_stats'),
      why: 'when the statistics of each table were last updated (proves ANALYZE refreshed them)',
      degradesTo: 'no "stats updated" time; ANALYZE and OPTIMIZE still run',
    },
  ];
};
