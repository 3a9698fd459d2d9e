import { onTable, replicaStatusNeeds, type JobPrivileges, type PrivilegeNeed } from '../../src/db/privileges.js';
import type { PurgeConfig } from './config.js';

/** Each target table: read the expired keys, delete them by primary key; replica lag for the throttle. */
export const purgeLocksPrivileges: JobPrivileges<PurgeConfig> = (config, { database }) => [
  ...config.targets.flatMap((t): PrivilegeNeed[] => [
    {
      privilege: 'SELECT',
      object: onTable(database, t.table),
      why: 'walks the expiry index for expired keys (and EXPLAINs the walk)',
    },
    {
      privilege: 'DELETE',
      object: onTable(database, t.table),
      why: 'deletes the expired rows by primary key, in chunks',
    },
  ]),
  ...replicaStatusNeeds(
    'reads replica lag between chunks when the server is itself a replica',
    'purges without the replica-lag throttle (Threads_running still throttles); the run says lag was not visible',
  ),
];
