import type { RowDataPacket } from 'mysql2/promise';
import type { JobDb } from '../../src/db/job-db.js';
import type { Migration } from '../../src/db/migrations.js';
import { quoteId } from '../../src/db/sql-identifier.js';
import { emptyIfMissing } from '../../src/db/missing-table.js';

/** Bytes per row of a table at its densest known state: right after a rebuild, or (until one) when first seen. */
export interface Baseline {
  bytesPerRow: number;
  rows: number;
  /** 'rebuild': measured right after dbkeeper rebuilt it. 'first-seen': its state when dbkeeper first measured it
   * (an upper bound of the dense size, so bloat is underestimated, never overstated). */
  source: 'rebuild' | 'first-seen';
  recordedAt: Date;
  /** After a rebuild: actual (data + index) / what the size model predicted for it; corrects the next predictions. */
  modelFactor?: number | null;
}

export const baselineMigrations: readonly Migration[] = [
  {
    id: 'table-maintenance-001-baselines',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.dbkeeper_table_baselines (
        schema_name VARCHAR(64) NOT NULL,
        table_name VARCHAR(64) NOT NULL,
        bytes_per_row DOUBLE NOT NULL,
        table_rows BIGINT UNSIGNED NOT NULL,
        data_length BIGINT UNSIGNED NOT NULL,
        index_length BIGINT UNSIGNED NOT NULL,
        source VARCHAR(16) NOT NULL,
        recorded_at DATETIME(3) NOT NULL,
        PRIMARY KEY (schema_name, table_name)
      ) ENGINE=InnoDB`,
    ],
  },
  {
    id: 'table-maintenance-002-model-factor',
    statements: (s) => [
      {
        sql: `ALTER TABLE ${s}.dbkeeper_table_baselines ADD COLUMN model_factor DOUBLE NULL`,
        onlyIf: { table: 'dbkeeper_table_baselines', column: 'model_factor', exists: false },
      },
    ],
  },
];

export async function readBaselines(db: JobDb, schema: string): Promise<Map<string, Baseline>> {
  const rows = await emptyIfMissing(
    db.query<RowDataPacket[]>(
      `SELECT table_name, bytes_per_row, table_rows, source, recorded_at, model_factor FROM ${quoteId(db.schema, 'dbkeeper schema')}.dbkeeper_table_baselines WHERE schema_name = ?`,
      [schema],
    ),
    [],
  );
  return new Map(
    rows.map((r) => [
      String(r.table_name).toLowerCase(),
      {
        bytesPerRow: Number(r.bytes_per_row),
        rows: Number(r.table_rows),
        source: r.source === 'rebuild' ? 'rebuild' : 'first-seen',
        recordedAt: r.recorded_at as Date,
        modelFactor: r.model_factor == null ? null : Number(r.model_factor),
      },
    ]),
  );
}

export async function writeBaseline(
  db: JobDb,
  schema: string,
  m: {
    table: string;
    rows: number;
    dataLength: number;
    indexLength: number;
    source: Baseline['source'];
    at: Date;
    modelFactor?: number | null;
  },
): Promise<void> {
  await db.query(
    `REPLACE INTO ${quoteId(db.schema, 'dbkeeper schema')}.dbkeeper_table_baselines
      (schema_name, table_name, bytes_per_row, table_rows, data_length, index_length, source, recorded_at, model_factor)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      schema,
      m.table.toLowerCase(),
      (m.dataLength + m.indexLength) / m.rows,
      m.rows,
      m.dataLength,
      m.indexLength,
      m.source,
      m.at,
      m.modelFactor ?? null,
    ],
  );
}
