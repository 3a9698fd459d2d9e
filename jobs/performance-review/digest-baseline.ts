import type { RowDataPacket } from 'mysql2/promise';
import type { JobDb } from '../../src/db/job-db.js';
import type { Migration } from '../../src/db/migrations.js';
import { quoteId } from '../../src/db/sql-identifier.js';
import type { StatementStat } from './statement-stats.js';
import { emptyIfMissing } from '../../src/db/missing-table.js';

/** One row of performance_schema.events_statements_summary_by_digest (times in µs, cumulative). */
export interface DigestRow {
  schema: string | null;
  digest: string;
  text: string;
  count: number;
  sumUs: number;
  maxUs: number;
  p95Us: number | null;
  rowsExamined: number;
  firstSeen: Date | null;
  lastSeen: Date | null;
}

interface BaselineEntry {
  count: number;
  sumUs: number;
  rowsExamined: number;
  firstSeenMs: number | null;
}

/** The digest counters as they were at the start of the month (stored by the previous review). */
export interface DigestBaseline {
  takenAt: Date;
  entries: Map<string, BaselineEntry>;
}

export const digestBaselineMigrations: Migration[] = [
  {
    id: 'performance-review-001-digest-baselines',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.dbkeeper_digest_baselines (
        server_key VARCHAR(255) NOT NULL,
        taken_at DATETIME(3) NOT NULL COMMENT 'UTC',
        schema_name VARCHAR(64) NOT NULL DEFAULT '',
        digest VARCHAR(64) NOT NULL,
        count_star BIGINT UNSIGNED NOT NULL,
        sum_us BIGINT UNSIGNED NOT NULL,
        rows_examined BIGINT UNSIGNED NOT NULL,
        first_seen DATETIME(6) NULL,
        PRIMARY KEY (server_key, taken_at, schema_name, digest)
      ) ENGINE=InnoDB`,
    ],
  },
];

/** A baseline counts as "the month start" within this distance of it (catch-up runs come a little late). */
export const BASELINE_SLACK_MS = 2 * 86_400_000;

/** Store a baseline only when reviewing the month that just ended: that is the next month's starting point. */
export function baselineDue(period: { to: Date; partial: boolean }, now: Date): boolean {
  return (
    !period.partial && now.getTime() >= period.to.getTime() && now.getTime() - period.to.getTime() <= BASELINE_SLACK_MS
  );
}

const keyOf = (schema: string | null, digest: string) => `${schema ?? ''}\u0000${digest}`;

type Db = Pick<JobDb, 'query' | 'schema'>;

/** The earliest baseline taken within [from, until]: the one the previous review stored as this month began. */
export async function findBaseline(db: Db, serverKey: string, from: Date, until: Date): Promise<DigestBaseline | null> {
  const s = quoteId(db.schema);
  const [latest] = await emptyIfMissing(
    db.query<RowDataPacket[]>(
      `SELECT MIN(taken_at) AS t FROM ${s}.dbkeeper_digest_baselines WHERE server_key = ? AND taken_at >= ? AND taken_at <= ?`,
      [serverKey, from, until],
    ),
    [],
  );
  const takenAt = latest?.t as Date | null | undefined;
  if (!takenAt) return null;
  const rows = await db.query<RowDataPacket[]>(
    `SELECT schema_name, digest, count_star, sum_us, rows_examined, first_seen FROM ${s}.dbkeeper_digest_baselines WHERE server_key = ? AND taken_at = ?`,
    [serverKey, takenAt],
  );
  const entries = new Map<string, BaselineEntry>();
  for (const r of rows) {
    entries.set(keyOf(String(r.schema_name) || null, String(r.digest)), {
      count: Number(r.count_star),
      sumUs: Number(r.sum_us),
      rowsExamined: Number(r.rows_examined),
      firstSeenMs: r.first_seen instanceof Date ? r.first_seen.getTime() : null,
    });
  }
  return { takenAt, entries };
}

/** Store today's counters as the next month's baseline; keep this one and the one before, drop older ones. */
export async function storeBaseline(
  db: Db,
  serverKey: string,
  takenAt: Date,
  rows: readonly DigestRow[],
  signal: AbortSignal,
): Promise<void> {
  const s = quoteId(db.schema);
  for (let i = 0; i < rows.length && !signal.aborted; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await db.query(
      `INSERT IGNORE INTO ${s}.dbkeeper_digest_baselines (server_key, taken_at, schema_name, digest, count_star, sum_us, rows_examined, first_seen) VALUES ?`,
      [chunk.map((r) => [serverKey, takenAt, r.schema ?? '', r.digest, r.count, r.sumUs, r.rowsExamined, r.firstSeen])],
    );
  }
  const [prev] = await db.query<RowDataPacket[]>(
    `SELECT MAX(taken_at) AS t FROM ${s}.dbkeeper_digest_baselines WHERE server_key = ? AND taken_at < ?`,
    [serverKey, takenAt],
  );
  if (prev?.t)
    await db.query(`DELETE FROM ${s}.dbkeeper_digest_baselines WHERE server_key = ? AND taken_at < ?`, [
      serverKey,
      prev.t,
    ]);
}

/** Pure: the month's statements from cumulative digests. With a baseline from the month start, each digest
 * counts what it did since then (a digest reset or first seen after the baseline counts from its first sighting);
 * without one, digests seen in the month count since the table was last reset, and `since` says from when. */
export function digestStats(
  rows: readonly DigestRow[],
  baseline: DigestBaseline | null,
  from: Date,
): { stats: StatementStat[]; since: Date | null } {
  const stats: StatementStat[] = [];
  let since: Date | null = null;
  for (const r of rows) {
    let count = r.count;
    let sumUs = r.sumUs;
    let rowsExamined = r.rowsExamined;
    if (baseline) {
      const base = baseline.entries.get(keyOf(r.schema, r.digest));
      const sameLife =
        base !== undefined && base.firstSeenMs === (r.firstSeen?.getTime() ?? null) && r.count >= base.count;
      if (sameLife) {
        count -= base.count;
        sumUs -= base.sumUs;
        rowsExamined -= base.rowsExamined;
      }
    } else {
      if (r.lastSeen && r.lastSeen < from) continue;
      if (r.firstSeen && r.firstSeen < from && (!since || r.firstSeen < since)) since = r.firstSeen;
    }
    if (count <= 0) continue;
    stats.push({
      fingerprint: r.text,
      schema: r.schema,
      count,
      totalSeconds: sumUs / 1e6,
      maxSeconds: r.maxUs / 1e6,
      p95Seconds: r.p95Us === null ? null : r.p95Us / 1e6,
      rowsExamined,
    });
  }
  return { stats, since };
}
