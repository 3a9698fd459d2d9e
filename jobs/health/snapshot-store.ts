import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { JobDb } from '../../src/db/job-db.js';
import type { Migration } from '../../src/db/migrations.js';
import { quoteId } from '../../src/db/sql-identifier.js';
import type { HealthFacts, StoredSnapshot } from './facts.js';
import { emptyIfMissing } from '../../src/db/missing-table.js';

export const snapshotMigrations: Migration[] = [
  {
    id: 'health-001-snapshots',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.dbkeeper_snapshots (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        taken_at DATETIME(3) NOT NULL COMMENT 'UTC',
        server_key VARCHAR(255) NOT NULL,
        uptime_seconds BIGINT UNSIGNED NOT NULL,
        facts LONGTEXT NOT NULL COMMENT 'HealthFacts as JSON',
        KEY ix_server_taken (server_key, taken_at)
      ) ENGINE=InnoDB`,
    ],
  },
];

type Db = Pick<JobDb, 'query' | 'schema'>;

function toSnapshot(row: RowDataPacket): StoredSnapshot {
  return { id: Number(row.id), takenAt: row.taken_at as Date, facts: JSON.parse(String(row.facts)) as HealthFacts };
}

/** The latest snapshot of this server taken at or before `now`. */
export async function previousSnapshot(db: Db, serverKey: string, now: Date): Promise<StoredSnapshot | null> {
  const rows = await emptyIfMissing(
    db.query<RowDataPacket[]>(
      `SELECT id, taken_at, facts FROM ${quoteId(db.schema)}.dbkeeper_snapshots
        WHERE server_key = ? AND taken_at <= ? ORDER BY taken_at DESC, id DESC LIMIT 1`,
      [serverKey, now],
    ),
    [],
  );
  return rows[0] ? toSnapshot(rows[0]) : null;
}

/** Snapshots of this server in [from, to), oldest first (the monthly review reads them). */
export async function snapshotsBetween(db: Db, serverKey: string, from: Date, to: Date): Promise<StoredSnapshot[]> {
  const rows = await emptyIfMissing(
    db.query<RowDataPacket[]>(
      `SELECT id, taken_at, facts FROM ${quoteId(db.schema)}.dbkeeper_snapshots
        WHERE server_key = ? AND taken_at >= ? AND taken_at < ? ORDER BY taken_at, id`,
      [serverKey, from, to],
    ),
    [],
  );
  return rows.map(toSnapshot);
}

export async function insertSnapshot(db: Db, takenAt: Date, facts: HealthFacts): Promise<number> {
  const res = await db.query<ResultSetHeader>(
    `INSERT INTO ${quoteId(db.schema)}.dbkeeper_snapshots (taken_at, server_key, uptime_seconds, facts) VALUES (?, ?, ?, ?)`,
    [takenAt, facts.serverKey, facts.uptimeSeconds, JSON.stringify(facts)],
  );
  return res.insertId;
}
