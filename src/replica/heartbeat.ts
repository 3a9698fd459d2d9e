// The heartbeat: a one-row table in dbkeeper's schema. While a writing job runs, the primary writes its own clock
// (UTC_TIMESTAMP(6)) into it about once a second; replication carries the row to every replica. Reading it on a
// replica and comparing with the primary's clock measures lag with one clock, so host skew does not enter.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Migration } from '../db/migrations.js';
import { quoteId } from '../db/sql-identifier.js';

export const HEARTBEAT_TABLE = 'dbkeeper_heartbeat';

export const heartbeatMigrations: readonly Migration[] = [
  {
    id: 'replica-001-heartbeat',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.${HEARTBEAT_TABLE} (
        id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
        beat_at DATETIME(6) NOT NULL
      ) ENGINE=InnoDB`,
    ],
  },
];

type Q = Pick<Connection, 'query'>;

const heartbeatTable = (schema: string) => `${quoteId(schema, 'DBKEEPER_SCHEMA')}.${HEARTBEAT_TABLE}`;
/** Microseconds as text: a Date would drop them, and the session zone must not enter. */
const FORMAT = "'%Y-%m-%d %H:%i:%s.%f'";

/** The primary's clock, UTC, to the microsecond. */
export async function readPrimaryClock(q: Q): Promise<string> {
  const [rows] = await q.query<RowDataPacket[]>(`SELECT DATE_FORMAT(UTC_TIMESTAMP(6), ${FORMAT}) AS now_utc`);
  return String(rows[0]!.now_utc);
}

/** One beat: the primary's clock now, written into the one row. Returns the value written. */
export async function writeHeartbeat(q: Q, schema: string): Promise<string> {
  const beat = await readPrimaryClock(q);
  await q.query(
    `INSERT INTO ${heartbeatTable(schema)} (id, beat_at) VALUES (1, ?) ON DUPLICATE KEY UPDATE beat_at = VALUES(beat_at)`,
    [beat],
  );
  return beat;
}

/** The beat as the replica has it; null when the row is not there yet. A missing table throws (ER_NO_SUCH_TABLE). */
export async function readHeartbeat(q: Q, schema: string): Promise<string | null> {
  const [rows] = await q.query<RowDataPacket[]>(
    `SELECT DATE_FORMAT(beat_at, ${FORMAT}) AS beat FROM ${heartbeatTable(schema)} WHERE id = 1`,
  );
  return rows[0] ? String(rows[0].beat) : null;
}

/** 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) → ms since the epoch; NaN when it is not that. */
export function utcMs(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) return Number.NaN;
  const micros = Number((m[7] ?? '0').padEnd(6, '0'));
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + micros / 1000;
}

export interface HeartbeatLag {
  /** The primary's clock now minus the beat on the replica, in seconds (how old the replica's copy is). */
  ageSeconds: number;
  /** Lag in seconds: how long ago the primary wrote the oldest beat the replica has not applied yet (0 when it has
   * the newest). A lower bound of the true lag, short of it by at most one beat interval. Without beats written in
   * this run it is the age itself. */
  lagSeconds: number;
}

/** PURE: lag from the primary's clock `primaryNow`, the beats written in this run (oldest first; empty = no writer)
 * and the replica's copy `onReplica`. All three are 'YYYY-MM-DD HH:MM:SS.ffffff' UTC, the primary's clock. */
export function heartbeatLag(primaryNow: string, written: readonly string[], onReplica: string): HeartbeatLag | null {
  const now = utcMs(primaryNow);
  const seen = utcMs(onReplica);
  if (!Number.isFinite(now) || !Number.isFinite(seen)) return null;
  const ageSeconds = Math.max(0, (now - seen) / 1000);
  if (written.length === 0) return { ageSeconds, lagSeconds: ageSeconds };
  // The same fixed-width format: text order is time order.
  const missing = written.find((w) => w > onReplica);
  if (missing === undefined) return { ageSeconds, lagSeconds: 0 };
  return { ageSeconds, lagSeconds: Math.max(0, (now - utcMs(missing)) / 1000) };
}
