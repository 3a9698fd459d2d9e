// A rebuild replays on every replica as one event, as long as the rebuild itself: the replica is that far behind
// when it ends. With replicas attached, a rebuild predicted (from this table's last rebuild, else a conservative
// speed) to take longer than maxReplicatedRebuildSeconds waits for --maintenance-window. Issue 16.
import type { RowDataPacket } from 'mysql2/promise';
import type { JobDb } from '../../src/db/job-db.js';
import type { Migration } from '../../src/db/migrations.js';
import { emptyIfMissing } from '../../src/db/missing-table.js';
import { quoteId } from '../../src/db/sql-identifier.js';
import type { MaintenanceTablePlan } from './plan.js';

export const rebuildSpeedMigrations: readonly Migration[] = [
  {
    id: 'table-maintenance-003-rebuild-speed',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.dbkeeper_rebuild_speed (
        schema_name VARCHAR(64) NOT NULL,
        table_name VARCHAR(64) NOT NULL,
        bytes BIGINT UNSIGNED NOT NULL,
        duration_ms BIGINT UNSIGNED NOT NULL,
        recorded_at DATETIME(3) NOT NULL,
        PRIMARY KEY (schema_name, table_name)
      ) ENGINE=InnoDB`,
    ],
  },
];

/** Bytes per second of the table's last rebuild by dbkeeper, by lower-case table name. */
export async function readRebuildSpeeds(db: JobDb, schema: string): Promise<Map<string, number>> {
  const rows = await emptyIfMissing(
    db.query<RowDataPacket[]>(
      `SELECT table_name, bytes, duration_ms FROM ${quoteId(db.schema, 'dbkeeper schema')}.dbkeeper_rebuild_speed WHERE schema_name = ?`,
      [schema],
    ),
    [],
  );
  return new Map(
    rows
      .filter((r) => Number(r.duration_ms) > 0)
      .map((r) => [String(r.table_name).toLowerCase(), (Number(r.bytes) * 1000) / Number(r.duration_ms)]),
  );
}

export async function writeRebuildSpeed(
  db: JobDb,
  schema: string,
  m: { table: string; bytes: number; durationMs: number; at: Date },
): Promise<void> {
  await db.query(
    `REPLACE INTO ${quoteId(db.schema, 'dbkeeper schema')}.dbkeeper_rebuild_speed (schema_name, table_name, bytes, duration_ms, recorded_at) VALUES (?, ?, ?, ?, ?)`,
    [schema, m.table.toLowerCase(), Math.round(m.bytes), Math.max(1, Math.round(m.durationMs)), m.at],
  );
}

export interface RebuildBound {
  /** Replicas are configured (none: no bound). */
  replicas: boolean;
  maintenanceWindow: boolean;
  maxReplicatedRebuildSeconds: number;
  assumedRebuildBytesPerSecond: number;
  speeds: Map<string, number>;
}

/** PURE: seconds a rebuild of `bytes` takes at the last measured speed, else the assumed one. */
export function predictRebuildSeconds(
  bytes: number,
  measured: number | undefined,
  assumed: number,
): { seconds: number; basis: string } {
  if (measured !== undefined && measured > 0)
    return { seconds: bytes / measured, basis: `its last rebuild ran at ${mibPerSecond(measured)}` };
  return {
    seconds: bytes / assumed,
    basis: `no rebuild measured yet: assumed ${mibPerSecond(assumed)} (assumedRebuildBytesPerSecond)`,
  };
}

/** PURE: the plan with each rebuild that would hold the replicas back too long turned into a skip, with why. */
export function boundReplicatedRebuilds(
  tables: readonly MaintenanceTablePlan[],
  b: RebuildBound,
): MaintenanceTablePlan[] {
  if (!b.replicas || b.maintenanceWindow) return [...tables];
  return tables.map((p) => {
    if (p.optimize?.action !== 'rebuild' || !p.facts) return p;
    const bytes = p.facts.dataLength + p.facts.indexLength;
    const { seconds, basis } = predictRebuildSeconds(
      bytes,
      b.speeds.get(p.table.toLowerCase()),
      b.assumedRebuildBytesPerSecond,
    );
    if (seconds <= b.maxReplicatedRebuildSeconds) return p;
    return {
      ...p,
      optimize: {
        action: 'skip',
        reason: `replica-lagging: a rebuild replays on the replicas as one event; predicted ${Math.ceil(seconds)} s (${basis}) > maxReplicatedRebuildSeconds ${b.maxReplicatedRebuildSeconds} s; allowed only with --maintenance-window`,
      },
    };
  });
}

const mibPerSecond = (bps: number) => `${(bps / 1048576).toFixed(1)} MiB/s`;
