import { onSchema, type PrivilegeNeed } from './privileges.js';
import { quoteId } from './sql-identifier.js';

/** dbkeeper's own tables (runs, migrations, snapshots, baselines, usage, digests) in DBKEEPER_SCHEMA, probed on
 * dbkeeper_runs, which exists once the migrations ran. */
export function ownSchemaNeeds(schema: string): PrivilegeNeed[] {
  const runs = `${quoteId(schema, 'DBKEEPER_SCHEMA')}.dbkeeper_runs`;
  const object = onSchema(schema);
  return [
    {
      privilege: 'SELECT',
      object,
      why: 'reads run history (catch-up, status, locks held), snapshots and baselines',
      probe: { sql: `SELECT 1 FROM ${runs} LIMIT 0` },
    },
    {
      privilege: 'INSERT',
      object,
      why: 'records each run, snapshot and baseline',
      probe: { sql: `EXPLAIN INSERT INTO ${runs} () VALUES ()` },
    },
    {
      privilege: 'UPDATE',
      object,
      why: 'finishes a run row, marks runs left by a dead worker interrupted',
      probe: { sql: `EXPLAIN UPDATE ${runs} SET status = status WHERE FALSE` },
    },
    {
      privilege: 'DELETE',
      object,
      why: 'prunes old snapshots, usage samples and digest baselines',
      probe: { sql: `EXPLAIN DELETE FROM ${runs} WHERE FALSE` },
    },
    {
      privilege: 'CREATE',
      object,
      why: 'creates the schema and dbkeeper’s tables at start-up (IF NOT EXISTS still checks the right)',
      probe: {
        sql:
          `CREATE TABLE IF NOT EXISTS ${quoteId(schema, 'DBKEEPER_SCHEMA')}.dbkeeper_migrations ` +
          '(id VARCHAR(100) NOT NULL PRIMARY KEY, applied_at DATETIME(3) NOT NULL) ENGINE=InnoDB',
      },
    },
    {
      privilege: 'ALTER',
      object,
      why: 'migrations add columns to dbkeeper’s own tables',
      probe: {
        sql:
          `ALTER TABLE ${runs} REORGANIZE PARTITION \`dbkeeper_no_such_partition\` ` +
          'INTO (PARTITION `dbkeeper_no_such_partition` VALUES LESS THAN MAXVALUE)',
        okErrnos: [1505, 1507],
      },
    },
  ];
}
