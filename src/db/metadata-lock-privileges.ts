import { onServer, onTable, type PrivilegeNeed } from './privileges.js';

/** What the metadata-lock pre-check before a DDL reads (src/db/metadata-lock-check.ts): open transactions and their
 * sessions on both servers, the lock table on MySQL. Without them the check fails and so does the DDL's job. */
export function metadataLockCheckNeeds(ddl: string): PrivilegeNeed[] {
  return [
    {
      privilege: 'PROCESS',
      object: onServer,
      why: `before ${ddl}, reads information_schema.INNODB_TRX and other users' sessions in the processlist`,
    },
    ...(['metadata_locks', 'threads'] as const).map((t): PrivilegeNeed => ({
      privilege: 'SELECT',
      object: onTable('performance_schema', t),
      why: `before ${ddl}, reads which session holds a metadata lock on the table`,
      dialect: 'mysql',
    })),
  ];
}
