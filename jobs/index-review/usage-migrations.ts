// The table of index usage snapshots, apart from the code that fills it: the worker creates the table at start-up
// without loading the index review's collector (idle RSS).
import type { Migration } from '../../src/db/migrations.js';

export const USAGE_TABLE = 'dbkeeper_index_usage';

export const indexUsageMigrations: readonly Migration[] = [
  {
    id: 'index-review-001-index-usage',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.${USAGE_TABLE} (
        schema_name VARCHAR(64) NOT NULL,
        table_name VARCHAR(64) NOT NULL,
        index_name VARCHAR(64) NOT NULL,
        taken_at DATETIME(3) NOT NULL,
        server_started_at DATETIME NOT NULL,
        source VARCHAR(32) NOT NULL,
        rows_read BIGINT UNSIGNED NOT NULL,
        PRIMARY KEY (schema_name, table_name, index_name, taken_at),
        KEY idx_index_usage_taken (taken_at)
      ) ENGINE=InnoDB`,
    ],
  },
  {
    // Issue 16: replicas' counters are snapshotted too, stored here on the primary, one series per node ('' = primary).
    id: 'index-review-002-usage-node',
    statements: (s) => [
      {
        sql: `ALTER TABLE ${s}.${USAGE_TABLE} ADD COLUMN node VARCHAR(64) NOT NULL DEFAULT '' FIRST, DROP PRIMARY KEY,
          ADD PRIMARY KEY (node, schema_name, table_name, index_name, taken_at)`,
        onlyIf: { table: USAGE_TABLE, column: 'node', exists: false },
      },
    ],
  },
];
