import type { RowDataPacket } from 'mysql2/promise';
import { supportsConvertPartition } from '../../src/db/dialect.js';
import type { JobDb } from '../../src/db/job-db.js';
import { quoteId, quoteTable } from '../../src/db/sql-identifier.js';
import type { PartitionFacts, PartitionRow, ServerFacts, PartitionTableFacts, UndatedRows } from './facts.js';
import { findColumn } from './validate-shape.js';

/** Undated rows in a first partition are counted up to this many (the query stops there). */
export const UNDATED_ROW_LIMIT = 1000;

/** Read the server's read_only flag, the database's table names, and every configured table's shape. */
export async function collectPartitionFacts(
  db: JobDb,
  tables: readonly string[],
  tailRowLimit: number,
  column: string | ((table: string) => string),
): Promise<PartitionFacts> {
  const server = await collectServerFacts(db);
  const out: PartitionTableFacts[] = [];
  for (const table of tables) {
    const t = await collectTableFacts(db, table, tailRowLimit, typeof column === 'string' ? column : column(table));
    out.push({ ...t, unfinishedArchives: await collectUnfinishedArchives(db, t, server.tableNames) });
  }
  return { database: db.database, server, tables: out };
}

export async function collectServerFacts(db: JobDb): Promise<ServerFacts> {
  const [ro] = await db.query<RowDataPacket[]>('SELECT @@global.read_only AS read_only');
  const names = await db.query<RowDataPacket[]>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    [db.database],
  );
  return {
    readOnly: Number(ro!.read_only) === 1,
    archiveMethod: supportsConvertPartition(db.dialect) ? 'convert' : 'exchange',
    tableNames: names.map((r) => String(r.name)),
  };
}

/** Archive tables named after a partition that still exists, with whether each side holds rows. */
async function collectUnfinishedArchives(
  db: JobDb,
  t: PartitionTableFacts,
  tableNames: readonly string[],
): Promise<NonNullable<PartitionTableFacts['unfinishedArchives']>> {
  const out: NonNullable<PartitionTableFacts['unfinishedArchives']> = [];
  for (const p of t.partitions) {
    const archiveTable = tableNames.find((n) => n.toLowerCase() === `${t.table}_${p.name}`.toLowerCase());
    if (!archiveTable) continue;
    const [a] = await db.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${quoteTable(db.database, archiveTable)} LIMIT 1) AS one`,
    );
    out.push({
      partition: p.name,
      archiveTable,
      archiveEmpty: Number(a!.n) === 0,
      partitionEmpty: (await countPartitionRows(db, t.table, p.name, 1)) === 0,
    });
  }
  return out;
}

/** Partitions of one table in ordinal order: name and real upper bound. */
export async function readPartitions(db: JobDb, table: string): Promise<PartitionRow[]> {
  const rows = await db.query<RowDataPacket[]>(
    `SELECT PARTITION_NAME AS name, PARTITION_DESCRIPTION AS description FROM information_schema.PARTITIONS
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND PARTITION_NAME IS NOT NULL ORDER BY PARTITION_ORDINAL_POSITION`,
    [db.database, table],
  );
  return rows.map((r) => ({ name: String(r.name), description: String(r.description) }));
}

/** Rows in one partition, counted (TABLE_ROWS is an estimate). `limit` stops the count early. */
export async function countPartitionRows(db: JobDb, table: string, partition: string, limit?: number): Promise<number> {
  const from = `${quoteTable(db.database, table)} PARTITION (${quoteId(partition, 'partition')})`;
  const sql =
    limit === undefined
      ? `SELECT COUNT(*) AS n FROM ${from}`
      : `SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${from} LIMIT ?) AS capped`;
  const [row] = await db.query<RowDataPacket[]>(sql, limit === undefined ? [] : [limit]);
  return Number(row!.n);
}

/**
 * Rows of one partition whose `column` is NULL or a zero date, counted up to `limit`. Read on that partition
 * only; compared through UNIX_TIMESTAMP (0 for a zero date), never with a '0000-00-00' literal, so the
 * session's sql_mode (strict, NO_ZERO_DATE) changes neither the answer nor raises a warning.
 */
export async function countUndatedRows(
  db: JobDb,
  table: string,
  partition: string,
  column: string,
  limit = UNDATED_ROW_LIMIT,
): Promise<UndatedRows> {
  const col = quoteId(column, 'column');
  const [row] = await db.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n, COALESCE(SUM(v IS NULL), 0) AS nulls FROM (
       SELECT UNIX_TIMESTAMP(${col}) AS v FROM ${quoteTable(db.database, table)} PARTITION (${quoteId(partition, 'partition')})
       WHERE ${col} IS NULL OR UNIX_TIMESTAMP(${col}) = 0 LIMIT ?) AS undated`,
    [limit],
  );
  const n = Number(row!.n);
  const nullRows = Number(row!.nulls);
  return { partition, nullRows, zeroRows: n - nullRows, capped: n >= limit };
}

/** Epoch seconds of the oldest `column` value (for --print-migration's first month); null when the table is empty. */
export async function oldestRowSeconds(db: JobDb, table: string, column: string): Promise<number | null> {
  const [row] = await db.query<RowDataPacket[]>(
    `SELECT UNIX_TIMESTAMP(MIN(${quoteId(column, 'column')})) AS oldest FROM ${quoteTable(db.database, table)}`,
  );
  return row?.oldest == null ? null : Math.floor(Number(row.oldest));
}

async function collectTableFacts(
  db: JobDb,
  table: string,
  tailRowLimit: number,
  column: string,
): Promise<PartitionTableFacts> {
  const [info] = await db.query<RowDataPacket[]>(
    'SELECT TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [db.database, table],
  );
  const empty: PartitionTableFacts = {
    table,
    exists: false,
    partitionMethod: null,
    subpartitionMethod: null,
    expression: null,
    columns: [],
    uniqueKeys: [],
    foreignKeys: [],
    partitions: [],
    tailRows: null,
    firstPartitionUndated: null,
  };
  if (!info || String(info.type) !== 'BASE TABLE') return empty;
  const [method] = await db.query<RowDataPacket[]>(
    `SELECT PARTITION_METHOD AS method, SUBPARTITION_METHOD AS sub, PARTITION_EXPRESSION AS expr FROM information_schema.PARTITIONS
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY PARTITION_ORDINAL_POSITION LIMIT 1`,
    [db.database, table],
  );
  const columns = await db.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [db.database, table],
  );
  const keyCols = await db.query<RowDataPacket[]>(
    `SELECT INDEX_NAME AS name, COLUMN_NAME AS col FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [db.database, table],
  );
  const uniqueKeys = new Map<string, string[]>();
  for (const r of keyCols) uniqueKeys.set(String(r.name), [...(uniqueKeys.get(String(r.name)) ?? []), String(r.col)]);
  const partitioned = method?.method != null;
  // Outgoing keys: an exact (schema, table) lookup. A filter on REFERENCED_* would make the server open every
  // table of every database (KEY_COLUMN_USAGE "Scanned all databases"), waiting on any ALTER in progress.
  const outgoing = await db.query<RowDataPacket[]>(
    `SELECT DISTINCT CONSTRAINT_NAME AS name, TABLE_NAME AS from_table, REFERENCED_TABLE_NAME AS to_table FROM information_schema.KEY_COLUMN_USAGE
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL`,
    [db.database, table],
  );
  // Incoming keys: only possible on an unpartitioned table (the server refuses them on partitioned ones);
  // looked up in this database only (one database scanned), for --print-migration.
  const incoming = partitioned
    ? []
    : await db.query<RowDataPacket[]>(
        `SELECT CONSTRAINT_NAME AS name, TABLE_NAME AS from_table, REFERENCED_TABLE_NAME AS to_table FROM information_schema.REFERENTIAL_CONSTRAINTS
         WHERE CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ? AND UNIQUE_CONSTRAINT_SCHEMA = ?`,
        [db.database, table, db.database],
      );
  const fks = [
    ...new Map([...outgoing, ...incoming].map((f) => [`${String(f.from_table)}.${String(f.name)}`, f])).values(),
  ];
  const partitions = partitioned ? await readPartitions(db, table) : [];
  const last = partitions[partitions.length - 1];
  let tailRows: PartitionTableFacts['tailRows'] = null;
  if (last && last.description.toUpperCase() === 'MAXVALUE') {
    const counted = await countPartitionRows(db, table, last.name, tailRowLimit + 1);
    tailRows = { counted, capped: counted > tailRowLimit };
  }
  const columnFacts = columns.map((c) => ({ name: String(c.name), dataType: String(c.type) }));
  const keyColumn = findColumn({ columns: columnFacts }, column);
  const first = partitions[0];
  const firstPartitionUndated =
    first && partitions.length > 1 && keyColumn ? await countUndatedRows(db, table, first.name, keyColumn.name) : null;
  return {
    table,
    exists: true,
    partitionMethod: partitioned ? String(method!.method) : null,
    subpartitionMethod: method?.sub != null ? String(method.sub) : null,
    expression: method?.expr != null ? String(method.expr) : null,
    columns: columnFacts,
    uniqueKeys: [...uniqueKeys].map(([name, cols]) => ({ name, columns: cols })),
    foreignKeys: fks.map((f) => ({ name: String(f.name), from: String(f.from_table), to: String(f.to_table) })),
    partitions,
    tailRows,
    firstPartitionUndated,
  };
}
