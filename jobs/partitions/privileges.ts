import { onSchema, onTable, type JobPrivileges, type PrivilegeNeed } from '../../src/db/privileges.js';
import { metadataLockCheckNeeds } from '../../src/db/metadata-lock-privileges.js';
import { partitionTargets, type PartitionsConfig } from './config.js';

/** Each table: count rows in the tail and the oldest months, REORGANIZE the tail, DROP retired months. */
export const partitionsPrivileges: JobPrivileges<PartitionsConfig> = (config, { database }) => [
  ...partitionTargets(config).flatMap(({ table: t }): PrivilegeNeed[] => [
    {
      privilege: 'SELECT',
      object: onTable(database, t),
      why: 'counts rows in the MAXVALUE tail and in months past retention before touching them',
    },
    {
      privilege: 'ALTER',
      object: onTable(database, t),
      why: 'ALTER TABLE … REORGANIZE PARTITION adds the coming months',
    },
    {
      privilege: 'DROP',
      object: onTable(database, t),
      why: 'ALTER TABLE … DROP PARTITION retires months past retention',
    },
  ]),
  ...(config.tables.length > 0 ? metadataLockCheckNeeds('a partition ALTER') : []),
  ...(partitionTargets(config).some((t) => t.pastRetention === 'archive')
    ? (['CREATE', 'DROP', 'ALTER', 'INSERT', 'SELECT'] as const).map((privilege): PrivilegeNeed => ({
        privilege,
        object: onSchema(database),
        why:
          'archive: a retired month becomes a new table (CONVERT, or CREATE … LIKE + EXCHANGE); ' +
          'only a schema-level grant covers a name that does not exist yet',
      }))
    : []),
];
