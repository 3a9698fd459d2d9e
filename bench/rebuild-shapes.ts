/**
 * Tables of different shapes for measuring the rebuild-size model: built by INSERT … SELECT from a number sequence,
 * predicted
 * from a row sample the way table-maintenance does, rebuilt, and compared with what the server then reports.
 * Used by `npm run bench:rebuild-estimate` (≥ 64 MiB) and the smaller always-run integration test.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { detectDialect } from '../src/db/dialect.js';
import { makeJobDb } from '../src/db/job-db.js';
import { quoteId } from '../src/db/sql-identifier.js';
import { sampleRows } from '../jobs/table-maintenance/row-sample.js';
import { predictRebuiltSize } from '../jobs/table-maintenance/size-model.js';

export interface Shape {
  name: string;
  create: string;
  /** Columns filled by `seed` (everything but an AUTO_INCREMENT id). */
  columns: string;
  /** Expressions for `columns`, one row per `n` of a number sequence. */
  seed: string;
  /** Approximate bytes per row after a rebuild, to size the table. */
  bytesPerRow: number;
  /** Applied after filling (e.g. delete 60 %). */
  after?: string;
  /** Extra rows needed before `after` removes some (e.g. 2.5 for 60 % deleted). */
  overfill?: number;
  compressed?: boolean;
}

const note = (len: string) => `LEFT(REPEAT(MD5(RAND()), 8), ${len})`;
const BASE_COLS =
  'company_id INT UNSIGNED NOT NULL, created_at DATETIME NOT NULL, status TINYINT NOT NULL, note VARCHAR(255) NOT NULL';
const base = {
  columns: 'company_id, created_at, status, note',
  seed: `n % 1000, '2026-01-01' + INTERVAL n MINUTE, n % 5, ${note('20 + FLOOR(RAND() * 160)')}`,
  bytesPerRow: 170,
};

export const SHAPES: Shape[] = [
  {
    name: 'sequential',
    create: `id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, ${BASE_COLS}, KEY idx_company (company_id)`,
    ...base,
  },
  {
    name: 'random_pk',
    create: `id BIGINT UNSIGNED NOT NULL PRIMARY KEY, ${BASE_COLS}, KEY idx_company (company_id)`,
    ...base,
    columns: `id, ${base.columns}`,
    seed: `FLOOR(RAND() * 9e15), ${base.seed}`,
    bytesPerRow: 190,
  },
  {
    name: 'deleted_60',
    create: `id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, ${BASE_COLS}, KEY idx_company (company_id)`,
    ...base,
    after: 'DELETE FROM t WHERE id % 5 IN (1, 2, 3)',
    overfill: 2.5,
  },
  {
    name: 'wide_text',
    create:
      'id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, company_id INT UNSIGNED NOT NULL, title VARCHAR(100) NOT NULL, body TEXT NOT NULL',
    columns: 'company_id, title, body',
    seed: `n % 1000, ${note('10 + FLOOR(RAND() * 90)')}, LEFT(REPEAT(MD5(RAND()), 600), 6000 + FLOOR(RAND() * 14000))`,
    bytesPerRow: 20000,
  },
  {
    name: 'many_indexes',
    create:
      `id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, ${BASE_COLS}, email VARCHAR(120) NULL, ` +
      'KEY idx_company (company_id), KEY idx_created (created_at), KEY idx_company_status (company_id, status, created_at), ' +
      'KEY idx_note (note(40)), KEY idx_email (email), UNIQUE KEY uq_company_id (company_id, id)',
    columns: `${base.columns}, email`,
    seed: `${base.seed}, IF(n % 3 = 0, NULL, CONCAT(MD5(RAND()), '@example.test'))`,
    bytesPerRow: 400,
  },
  {
    name: 'compressed',
    create: `id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, ${BASE_COLS}, KEY idx_company (company_id)`,
    ...base,
    bytesPerRow: 80,
    compressed: true,
  },
];

const DIGITS_ =
  '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
/** 0 … 999 999 from small derived tables (no temporary copy of the table itself, as INSERT … SELECT from it would
 * make). */
const SEQ = `SELECT a.n * 1000 + b.n AS n FROM (SELECT d0.d + d1.d * 10 + d2.d * 100 AS n FROM ${DIGITS_} d0, ${DIGITS_} d1, ${DIGITS_} d2) a,
  (SELECT d0.d + d1.d * 10 + d2.d * 100 AS n FROM ${DIGITS_} d0, ${DIGITS_} d1, ${DIGITS_} d2) b`;

async function count(conn: Connection, table: string): Promise<number> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0]!.n);
}

/** Build `shape` as table `t_<name>` of about `targetBytes` in the current schema, in chunks of up to 100 k rows. */
export async function buildShape(conn: Connection, shape: Shape, targetBytes: number): Promise<string> {
  const table = quoteId(`t_${shape.name}`, 'table');
  await conn.query(`DROP TABLE IF EXISTS ${table}`);
  const format = shape.compressed ? 'ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8' : 'ROW_FORMAT=DYNAMIC';
  await conn.query(`CREATE TABLE ${table} (${shape.create}) ENGINE=InnoDB ${format}`);
  const want = Math.ceil((targetBytes / shape.bytesPerRow) * (shape.overfill ?? 1));
  for (let have = 0; have < want;) {
    await conn.query(`INSERT IGNORE INTO ${table} (${shape.columns}) SELECT ${shape.seed} FROM (${SEQ}) seq LIMIT ?`, [
      Math.min(100_000, want - have),
    ]);
    const now = await count(conn, table);
    if (now === have) throw new Error(`${shape.name}: no rows added`);
    have = now;
  }
  if (shape.after) await conn.query(shape.after.replace(/\bt\b/, table));
  return `t_${shape.name}`;
}

export interface SizeNow {
  rows: number;
  dataLength: number;
  indexLength: number;
  dataFree: number;
  fileSize: number;
  allocatedSize: number;
}

export async function sizeNow(conn: Connection, schema: string, table: string): Promise<SizeNow> {
  await conn.query(`ANALYZE TABLE ${quoteId(table, 'table')}`);
  const [[t]] = await conn.query<RowDataPacket[]>(
    `SELECT TABLE_ROWS AS r, DATA_LENGTH AS d, INDEX_LENGTH AS i, DATA_FREE AS f FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
    [schema, table],
  );
  const [[ts]] = await conn.query<RowDataPacket[]>(
    'SELECT FILE_SIZE AS fs, ALLOCATED_SIZE AS al FROM information_schema.INNODB_SYS_TABLESPACES WHERE NAME = ?',
    [`${schema}/${table}`],
  );
  return {
    rows: Number(t!.r),
    dataLength: Number(t!.d),
    indexLength: Number(t!.i),
    dataFree: Number(t!.f),
    fileSize: Number(ts?.fs ?? 0),
    allocatedSize: Number(ts?.al ?? 0),
  };
}

export interface ShapeMeasurement {
  shape: string;
  rows: number;
  before: SizeNow;
  predictedBytes: number;
  predictedOffPageBytes: number;
  sampledRows: number;
  sampleMs: number;
  after: SizeNow;
  /** (predicted − actual data + index) / actual, percent. */
  errorPercent: number;
}

/** Predict from a sample of the table as it is, rebuild it (ALTER TABLE … FORCE), compare. */
export async function measureShape(
  conn: Connection,
  schema: string,
  table: string,
  shape: Shape,
): Promise<ShapeMeasurement> {
  const before = await sizeNow(conn, schema, table);
  const [[v]] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS v');
  const db = makeJobDb(conn as never, detectDialect(String(v!.v)), schema, schema);
  const sample = await sampleRows(db, schema, table, { maxRows: 4000, rowsPerRange: 50, maxSeconds: 10 }, before.rows);
  if (!sample.ok) throw new Error(`${shape.name}: no sample: ${sample.reason}`);
  const predicted = predictRebuiltSize(sample.shape, sample.rows, sample.estimatedRows, sample.settings);
  await conn.query(`ALTER TABLE ${quoteId(table, 'table')} FORCE, ALGORITHM=INPLACE, LOCK=NONE`);
  const after = await sizeNow(conn, schema, table);
  const actual = after.dataLength + after.indexLength;
  return {
    shape: shape.name,
    rows: sample.estimatedRows,
    before,
    predictedBytes: predicted.totalBytes,
    predictedOffPageBytes: predicted.offPageBytes,
    sampledRows: sample.rows.length,
    sampleMs: sample.durationMs,
    after,
    errorPercent: Math.round(((predicted.totalBytes - actual) / actual) * 1000) / 10,
  };
}

const mib = (b: number) => (b / 1024 ** 2).toFixed(1).padStart(8);

export function measurementTable(ms: readonly ShapeMeasurement[]): string {
  const head = 'shape          rows      before MiB  predicted MiB  actual d+i MiB  file MiB  alloc MiB  error %';
  const lines = ms.map(
    (m) =>
      `${m.shape.padEnd(13)} ${String(m.rows).padStart(9)} ${mib(m.before.dataLength + m.before.indexLength + m.before.dataFree)}    ${mib(m.predictedBytes)}       ` +
      `${mib(m.after.dataLength + m.after.indexLength)}  ${mib(m.after.fileSize)} ${mib(m.after.allocatedSize)}  ${String(m.errorPercent).padStart(6)}`,
  );
  return [head, ...lines].join('\n');
}
