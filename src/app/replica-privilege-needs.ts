import { jobSection, type Config } from '../config/load-config.js';
import { replicaNodes } from '../config/replica-nodes.js';
import type { Flavor } from '../db/dialect.js';
import { onSchema, onTable, replicaStatusNeeds, type PrivilegeNeed } from '../db/privileges.js';
import { scopeOf } from './privilege-needs.js';

/** One replica user's needs: its status and lag, the heartbeat, the usage counters the index review merges, and the
 * statement sources the performance review reads there. */
export interface ReplicaNeedGroup {
  /** The replica nodes this user connects to. */
  nodes: string[];
  user: string;
  needs: PrivilegeNeed[];
}

function usageSchemas(config: Config): string[] {
  const review = jobSection(config, 'index-review');
  const health = jobSection(config, 'health');
  const out = new Set<string>();
  if (review?.enabled)
    for (const s of (review.schemas as string[]).length ? (review.schemas as string[]) : [config.db.database])
      out.add(s);
  if (health?.enabled && health.indexUsageSnapshot)
    for (const s of (health.indexUsageSchemas as string[]).length
      ? (health.indexUsageSchemas as string[])
      : [config.db.database])
      out.add(s);
  return [...out];
}

/** Pure: per replica user, what dbkeeper reads there (docs/replicas.md, docs/privileges.md). Never REPLICATION SLAVE
 * ADMIN: dbkeeper only reads a replica. */
export function replicaNeeds(config: Config, flavor: Flavor): ReplicaNeedGroup[] {
  const byUser = new Map<string, string[]>();
  for (const n of replicaNodes(config)) byUser.set(n.user, [...(byUser.get(n.user) ?? []), n.name]);
  const schema = scopeOf(config).schema;
  const schemas = usageSchemas(config);
  const needs: PrivilegeNeed[] = [
    ...replicaStatusNeeds(
      'replica lag, IO/SQL thread state and last error (SHOW REPLICA/SLAVE STATUS)',
      'lag from the heartbeat only; thread state unknown (writes wait while lag is unknown)',
    ),
    {
      privilege: 'SELECT',
      object: onTable(schema, 'dbkeeper_heartbeat'),
      why: "the heartbeat's row as the replica has applied it: lag measured on the primary's clock",
      degradesTo: 'lag from the replica status only',
    },
    ...schemas.map((s): PrivilegeNeed => ({
      privilege: 'SELECT',
      object: onSchema(s),
      why: 'information_schema.INDEX_STATISTICS shows only tables the user holds a privilege on (checked on MariaDB)',
      degradesTo: 'no usage evidence from this replica: no index is called unused',
      dialect: 'mariadb',
    })),
    ...(schemas.length > 0
      ? [
          {
            privilege: 'SELECT',
            object: onTable('performance_schema', 'table_io_waits_summary_by_index_usage'),
            why: 'per-index read counters served by this replica',
            degradesTo: 'no usage evidence from this replica: no index is called unused',
            dialect: 'mysql' as const,
          },
        ]
      : []),
    ...(jobSection(config, 'performance-review')?.enabled
      ? [
          {
            privilege: 'SELECT',
            object: onTable('performance_schema', 'events_statements_summary_by_digest'),
            why: "the performance review's top statements served by this replica (normalized digests, no values)",
            degradesTo: 'the slow log table, else no statements from this replica (a warning in the review)',
          },
          {
            privilege: 'SELECT',
            object: onTable('mysql', 'slow_log'),
            why:
              "the performance review's top statements from this replica's slow log table when performance_schema " +
              'is OFF (it holds real statements: customer values)',
            degradesTo: 'no statements from this replica when performance_schema is OFF (a warning in the review)',
          },
        ]
      : []),
  ].filter((n) => !n.dialect || n.dialect === flavor);
  return [...byUser].map(([user, nodes]) => ({ user, nodes, needs }));
}
