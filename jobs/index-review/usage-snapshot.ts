/** Per-index read counters: read them live, keep snapshots in dbkeeper_index_usage, load the history.
 * Reusable: the daily health job may call recordIndexUsageSnapshot() so the monthly review has a snapshot per day. */
import { readStatusNumber } from '../../src/db/global-status.js';
import type { RowDataPacket } from 'mysql2/promise';
import { indexUsageCounters } from '../../src/db/dialect.js';
import type { JobDb } from '../../src/db/job-db.js';
import { quoteId } from '../../src/db/sql-identifier.js';
import { perSchema } from './collect.js';
import { indexKey } from './facts.js';
import type { UsageSample } from './usage-evidence.js';
import { emptyIfMissing } from '../../src/db/missing-table.js';
import { USAGE_TABLE } from './usage-migrations.js';

export interface LiveUsage {
  source: 'performance_schema' | 'userstat';
  /** Counters collecting now. */
  enabled: boolean;
  enableHint: string;
  /** Samples at takenAt; empty when not enabled. */
  samples: UsageSample[];
}

export interface IndexName {
  schema: string;
  table: string;
  index: string;
}

/** Read the live counters for the given indexes. MariaDB omits unread indexes (= 0); MySQL omits uninstrumented ones (=
 * unknown). */
export async function readLiveUsage(
  db: Pick<JobDb, 'query' | 'dialect'>,
  indexes: readonly IndexName[],
  takenAt: Date,
): Promise<LiveUsage> {
  const counters = indexUsageCounters(db.dialect);
  const base = { source: counters.source, enableHint: counters.enableHint };
  const [state] = await db.query<RowDataPacket[]>(counters.enabledSql);
  if (Number(state?.enabled ?? 0) !== 1 || indexes.length === 0)
    return { ...base, enabled: Number(state?.enabled ?? 0) === 1, samples: [] };
  const uptimeSeconds = await readStatusNumber(db, 'Uptime');
  const serverStartedAt = new Date(Math.floor((takenAt.getTime() - uptimeSeconds * 1000) / 1000) * 1000);
  const schemas = [...new Set(indexes.map((i) => i.schema))];
  const rows = await db.query<RowDataPacket[]>(counters.readsSql, [schemas]);
  const reads = new Map<string, number>();
  for (const r of rows) {
    const key = indexKey(String(r.schema_name), String(r.table_name), String(r.index_name));
    reads.set(key, (reads.get(key) ?? 0) + Number(r.read_count));
  }
  const samples: UsageSample[] = [];
  for (const ix of indexes) {
    const n = reads.get(indexKey(ix.schema, ix.table, ix.index));
    if (n === undefined && !counters.missingMeansZero) continue;
    samples.push({ ...ix, takenAt, serverStartedAt, reads: n ?? 0 });
  }
  return { ...base, enabled: true, samples };
}

const INSERT_CHUNK = 1000;

/** `node`: '' for the primary, else the replica's name (its counters, stored on the primary). */
export async function storeUsageSamples(
  db: JobDb,
  source: string,
  samples: readonly UsageSample[],
  signal?: AbortSignal,
  node = '',
): Promise<number> {
  const table = `${quoteId(db.schema, 'DBKEEPER_SCHEMA')}.${USAGE_TABLE}`;
  for (let i = 0; i < samples.length; i += INSERT_CHUNK) {
    if (signal?.aborted) break;
    const chunk = samples.slice(i, i + INSERT_CHUNK);
    await db.query(
      `INSERT IGNORE INTO ${table} (node, schema_name, table_name, index_name, taken_at, server_started_at, source, rows_read) VALUES ?`,
      [chunk.map((s) => [node, s.schema, s.table, s.index, s.takenAt, s.serverStartedAt, source, s.reads])],
    );
  }
  return samples.length;
}

export async function loadUsageSamples(
  db: JobDb,
  schemas: readonly string[],
  from: Date,
  to: Date,
  node = '',
): Promise<UsageSample[]> {
  if (schemas.length === 0) return [];
  const table = `${quoteId(db.schema, 'DBKEEPER_SCHEMA')}.${USAGE_TABLE}`;
  const rows = await emptyIfMissing(
    db.query<RowDataPacket[]>(
      `SELECT schema_name, table_name, index_name, taken_at, server_started_at, rows_read FROM ${table}
       WHERE node = ? AND schema_name IN (?) AND taken_at >= ? AND taken_at <= ?`,
      [node, schemas, from, to],
    ),
    [],
  );
  return rows.map((r) => ({
    schema: String(r.schema_name),
    table: String(r.table_name),
    index: String(r.index_name),
    takenAt: r.taken_at as Date,
    serverStartedAt: r.server_started_at as Date,
    reads: Number(r.rows_read),
  }));
}

/** Delete snapshots older than `before`, in small chunks (dbkeeper's own table). */
export async function pruneUsageSamples(db: JobDb, before: Date, signal?: AbortSignal): Promise<number> {
  const table = `${quoteId(db.schema, 'DBKEEPER_SCHEMA')}.${USAGE_TABLE}`;
  let total = 0;
  for (;;) {
    if (signal?.aborted) return total;
    const res = await db.query<{ affectedRows: number }>(`DELETE FROM ${table} WHERE taken_at < ? LIMIT 5000`, [
      before,
    ]);
    total += res.affectedRows;
    if (res.affectedRows < 5000) return total;
  }
}

/** List the indexes of the given schemas (names only). */
export async function listIndexNames(db: JobDb, schemas: readonly string[]): Promise<IndexName[]> {
  const rows = await perSchema(
    db,
    'SELECT DISTINCT TABLE_SCHEMA AS s, TABLE_NAME AS t, INDEX_NAME AS i FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?',
    schemas,
  );
  return rows.map((r) => ({ schema: String(r.s), table: String(r.t), index: String(r.i) }));
}

/** One snapshot of the counters of every index in `schemas`, stored at `takenAt` (ctx.now). For the daily job.
 * `on`: read the counters on a replica instead (the index list and the store stay on the primary). */
export async function recordIndexUsageSnapshot(
  db: JobDb,
  schemas: readonly string[],
  takenAt: Date,
  signal?: AbortSignal,
  on?: { node: string; reader: Pick<JobDb, 'query' | 'dialect'> },
): Promise<{ source: string; enabled: boolean; stored: number; enableHint: string }> {
  const live = await readLiveUsage(on?.reader ?? db, await listIndexNames(db, schemas), takenAt);
  const stored = live.enabled ? await storeUsageSamples(db, live.source, live.samples, signal, on?.node ?? '') : 0;
  return { source: live.source, enabled: live.enabled, stored, enableHint: live.enableHint };
}

/** A real run's write: the live counters stored as a snapshot, and snapshots taken before `pruneBefore` removed. */
export async function storeUsageSnapshot(
  db: JobDb,
  live: LiveUsage,
  pruneBefore: Date,
  signal?: AbortSignal,
): Promise<{ stored: number; pruned: number }> {
  const stored = await storeUsageSamples(db, live.source, live.samples, signal);
  return { stored, pruned: await pruneUsageSamples(db, pruneBefore, signal) };
}
