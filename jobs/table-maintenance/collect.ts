import type { RowDataPacket } from 'mysql2/promise';
import { freshTableStatsStatement, tablespaceSizeSql } from '../../src/db/dialect.js';
import type { JobDb } from '../../src/db/job-db.js';
import { readBaselines } from './baselines.js';
import type { MaintenanceFacts, MaintenanceTableFacts } from './facts.js';
import { sampleRows, type SampleBounds } from './row-sample.js';

export interface SampleRequest {
  /** Rebuild candidates: their rows are sampled for the size model. */
  tables: readonly string[];
  bounds: SampleBounds;
}

/** Read everything the planner needs. `tables` are plain identifiers (validated by the config schema). */
export async function collectMaintenanceFacts(
  db: JobDb,
  schema: string,
  tables: readonly string[],
  sample?: SampleRequest,
): Promise<MaintenanceFacts> {
  const fresh = freshTableStatsStatement(db.dialect);
  if (fresh) await db.query(fresh);
  const [server] = await db.query<RowDataPacket[]>(
    'SELECT @@global.read_only AS read_only, @@session.lock_wait_timeout AS lwt',
  );
  const sizes = await db.query<RowDataPacket[]>(
    `SELECT TABLE_NAME AS name, TABLE_TYPE AS type, ENGINE AS engine, TABLE_ROWS AS table_rows, DATA_LENGTH AS data_length,
       INDEX_LENGTH AS index_length, DATA_FREE AS data_free
     FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?)`,
    [schema, tables],
  );
  const indexes = await db.query<RowDataPacket[]>(
    `SELECT DISTINCT TABLE_NAME AS name, INDEX_NAME AS index_name, INDEX_TYPE AS index_type FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?) AND INDEX_TYPE IN ('FULLTEXT', 'SPATIAL') ORDER BY INDEX_NAME`,
    [schema, tables],
  );
  let statsNote: string | undefined;
  const statsRows = await db
    .query<RowDataPacket[]>(
      'SELECT table_name AS name, last_update FROM mysql.innodb_table_stats WHERE database_name = ? AND table_name IN (?)',
      [schema, tables],
    )
    .catch((err: Error) => {
      statsNote = `mysql.innodb_table_stats not readable: ${err.message}`;
      return [] as RowDataPacket[];
    });
  const files = await db
    .query<RowDataPacket[]>(tablespaceSizeSql(db.dialect), [tables.map((t) => `${schema}/${t}`)])
    .catch(() => [] as RowDataPacket[]);
  const fileOf = (table: string) =>
    files.find((r) => String(r.name).toLowerCase() === `${schema}/${table}`.toLowerCase());
  const byName = (rows: RowDataPacket[], name: string) =>
    rows.filter((r) => String(r.name).toLowerCase() === name.toLowerCase());
  const facts: MaintenanceTableFacts[] = tables.map((table) => {
    const row = byName(sizes, table)[0];
    if (!row) return { table, exists: false };
    const stats = byName(statsRows, table)[0];
    return {
      table,
      exists: true,
      tableType: String(row.type),
      engine: row.engine == null ? null : String(row.engine),
      rows: Number(row.table_rows ?? 0),
      dataLength: Number(row.data_length ?? 0),
      indexLength: Number(row.index_length ?? 0),
      dataFree: Number(row.data_free ?? 0),
      tablespace: fileOf(table)
        ? { fileBytes: Number(fileOf(table)!.file_size), allocatedBytes: Number(fileOf(table)!.allocated_size) }
        : null,
      blockingIndexes: byName(indexes, table).map((r) => ({ name: String(r.index_name), type: String(r.index_type) })),
      statsUpdatedAt: stats?.last_update instanceof Date ? stats.last_update : null,
    };
  });
  const candidates = new Set((sample?.tables ?? []).map((t) => t.toLowerCase()));
  for (const t of facts) {
    if (
      !sample ||
      !t.exists ||
      !candidates.has(t.table.toLowerCase()) ||
      t.tableType !== 'BASE TABLE' ||
      t.engine?.toLowerCase() !== 'innodb'
    )
      continue;
    t.sample = await sampleRows(db, schema, t.table, sample.bounds, t.rows).catch(
      (err: Error & { fatal?: boolean }) => {
        if (err.fatal || err.name === 'QueryTimeoutError') throw err;
        return { ok: false as const, reason: `rows could not be sampled: ${err.message}` };
      },
    );
  }
  return {
    dialect: db.dialect,
    schema,
    readOnly: Number(server!.read_only) === 1,
    lockWaitTimeoutSeconds: Number(server!.lwt),
    tables: facts,
    baselines: await readBaselines(db, schema),
    ...(statsNote ? { statsNote } : {}),
  };
}
