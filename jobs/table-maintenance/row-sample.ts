import { performance } from 'node:perf_hooks';
import type { RowDataPacket } from 'mysql2/promise';
import type { JobDb } from '../../src/db/job-db.js';
import { quoteId, quoteTable } from '../../src/db/sql-identifier.js';
import { storedColumn, type ColumnInfo, type StoredColumn } from './column-storage.js';
import type { SampledRow, SizeSettings, TableShape } from './size-model.js';

/** A table's shape and a bounded sample of its rows' stored lengths, or why there is none. */
export type RowSampleFacts =
  | {
      ok: true;
      shape: TableShape;
      settings: SizeSettings;
      rows: SampledRow[];
      /** Rows in the table, from the sample's density over the key (rows per key unit × (MAX − MIN + 1)): TABLE_ROWS
       * is an estimate that off-page values throw far off (its leaf-page count includes their pages). */
      estimatedRows: number;
      ranges: number;
      durationMs: number;
      stoppedBy: 'rows' | 'time' | 'repeats';
    }
  | { ok: false; reason: string };

export interface SampleBounds {
  /** At most this many rows in all. */
  maxRows: number;
  /** Rows read from each random starting point of the primary key. */
  rowsPerRange: number;
  /** No new range starts after this many seconds. */
  maxSeconds: number;
}

const INTEGER = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);

export async function readTableShape(
  db: JobDb,
  schema: string,
  table: string,
): Promise<{ shape: TableShape; pkType: string | null } | { reason: string }> {
  const cols = await db.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS data_type, COLUMN_TYPE AS column_type, IS_NULLABLE AS nullable,
       CHARACTER_MAXIMUM_LENGTH AS max_chars, CHARACTER_OCTET_LENGTH AS max_octets, NUMERIC_PRECISION AS num_p,
       NUMERIC_SCALE AS num_s, DATETIME_PRECISION AS dt_p, EXTRA AS extra
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [schema, table],
  );
  const num = (v: unknown) => (v == null ? null : Number(v));
  const infos: ColumnInfo[] = cols.map((c) => ({
    name: String(c.name),
    dataType: String(c.data_type),
    columnType: String(c.column_type),
    nullable: String(c.nullable) === 'YES',
    maxChars: num(c.max_chars),
    maxOctets: num(c.max_octets),
    numericPrecision: num(c.num_p),
    numericScale: num(c.num_s),
    datetimePrecision: num(c.dt_p),
    virtual: /virtual/i.test(String(c.extra ?? '')),
  }));
  const columns: StoredColumn[] = [];
  for (const info of infos) {
    const col = storedColumn(info);
    if (col) columns.push(col);
    else if (!info.virtual)
      return { reason: `column ${info.name} has type ${info.dataType}, which the size model does not know` };
  }
  const stats = await db.query<RowDataPacket[]>(
    `SELECT INDEX_NAME AS name, COLUMN_NAME AS col, SUB_PART AS sub_part, INDEX_TYPE AS type
     FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [schema, table],
  );
  const [t] = await db.query<RowDataPacket[]>(
    `SELECT ROW_FORMAT AS row_format, CREATE_OPTIONS AS options FROM information_schema.TABLES
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
    [schema, table],
  );
  const indexes = new Map<string, { name: string; prefixBytes: number | null; prefixChars?: number }[]>();
  for (const r of stats) {
    if (/fulltext|spatial/i.test(String(r.type))) continue;
    const info = infos.find((i) => i.name.toLowerCase() === String(r.col).toLowerCase());
    const perChar = info?.maxChars && info.maxOctets ? info.maxOctets / info.maxChars : 1;
    const prefixBytes = r.sub_part == null ? null : Number(r.sub_part) * perChar;
    const name = String(r.name);
    const key = {
      name: String(r.col),
      prefixBytes,
      ...(r.sub_part == null ? {} : { prefixChars: Number(r.sub_part) }),
    };
    indexes.set(name, [...(indexes.get(name) ?? []), key]);
  }
  const primaryKey = (indexes.get('PRIMARY') ?? []).map((c) => c.name);
  if (primaryKey.length === 0) return { reason: 'no primary key: rows cannot be sampled by key ranges' };
  const format = String(t?.row_format ?? 'Dynamic').toLowerCase();
  const rowFormat = (['dynamic', 'compact', 'redundant', 'compressed'] as const).find((f) => f === format) ?? 'dynamic';
  const kbs = /key_block_size=(\d+)/i.exec(String(t?.options ?? ''));
  const pkInfo = infos.find((i) => i.name.toLowerCase() === primaryKey[0]!.toLowerCase());
  return {
    shape: {
      columns,
      primaryKey,
      secondary: [...indexes].filter(([name]) => name !== 'PRIMARY').map(([name, cols]) => ({ name, columns: cols })),
      rowFormat,
      keyBlockSizeKiB: kbs ? Number(kbs[1]) : null,
    },
    pkType: pkInfo ? pkInfo.dataType.toLowerCase() : null,
  };
}

/**
 * Stored lengths of rows read from random windows of the primary key (not the first N: those are the oldest rows),
 * bounded in rows and time; every statement goes through the job's guarded session. Each window spans a fixed number
 * of key values (sized from `rowsHint`, ~rowsPerRange rows), so the rows it holds also count the table without bias
 * from gaps in the key: N ≈ mean rows per window × (MAX − MIN + width) / width.
 * Needs a primary key whose first column is an integer.
 */
export async function sampleRows(
  db: JobDb,
  schema: string,
  table: string,
  bounds: SampleBounds,
  rowsHint: number,
  random: () => number = Math.random,
): Promise<RowSampleFacts> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const read = await readTableShape(db, schema, table);
  if ('reason' in read) return { ok: false, reason: read.reason };
  const { shape, pkType } = read;
  if (!pkType || !INTEGER.has(pkType))
    return {
      ok: false,
      reason: `the primary key starts with a ${pkType ?? 'unknown'} column: random ranges need an integer`,
    };
  const [settings] = await db.query<RowDataPacket[]>('SELECT @@innodb_page_size AS page, @@innodb_fill_factor AS fill');
  const sizeSettings: SizeSettings = { pageSize: Number(settings!.page), fillFactor: Number(settings!.fill) };
  const from = quoteTable(schema, table);
  const k0 = quoteId(shape.primaryKey[0]!, 'column');
  const [range] = await db.query<RowDataPacket[]>(`SELECT MIN(${k0}) AS lo, MAX(${k0}) AS hi FROM ${from}`);
  const rows: SampledRow[] = [];
  if (range?.lo == null)
    return {
      ok: true,
      shape,
      settings: sizeSettings,
      rows,
      estimatedRows: 0,
      ranges: 0,
      durationMs: took(),
      stoppedBy: 'repeats',
    };
  const lo = Number(range.lo);
  const hi = Number(range.hi);
  const width = Math.max(1, Math.round((bounds.rowsPerRange * (hi - lo + 1)) / Math.max(1, rowsHint)));
  const cap = bounds.rowsPerRange * 4;
  // Prefix keys store the bytes of their first n characters: sampled as such (the charset's maximum overstates ASCII).
  const prefixes = [
    ...new Map(
      shape.secondary
        .flatMap((ix) => ix.columns.filter((c) => c.prefixChars !== undefined))
        .map((c) => [`${c.name}\u0000${c.prefixChars}`, c]),
    ).values(),
  ].map((c) => ({ column: c.name, chars: c.prefixChars! }));
  shape.prefixSamples = prefixes;
  const prefixLengths = prefixes.map((p, i) => `, LENGTH(LEFT(${quoteId(p.column, 'column')}, ?)) AS x${i}`).join('');
  const lengths =
    shape.columns.map((c, i) => `LENGTH(${quoteId(c.name, 'column')}) AS c${i}`).join(', ') + prefixLengths;
  const keys = shape.primaryKey.map((k, i) => `${quoteId(k, 'column')} AS k${i}`).join(', ');
  const order = shape.primaryKey.map((k) => quoteId(k, 'column')).join(', ');
  const window = `${k0} >= ? AND ${k0} < ?`;
  const sql = `SELECT ${keys}, ${lengths} FROM ${from} WHERE ${window} ORDER BY ${order} LIMIT ?`;
  const seen = new Set<string>();
  let ranges = 0;
  let counted = 0;
  let stoppedBy: 'rows' | 'time' | 'repeats' = 'rows';
  // A small table gives the same rows again and again: the tries are bounded too ('repeats').
  const maxTries = Math.max(1, Math.ceil(bounds.maxRows / bounds.rowsPerRange)) * 4;
  while (rows.length < bounds.maxRows) {
    if (ranges >= maxTries) {
      stoppedBy = 'repeats';
      break;
    }
    if ((performance.now() - started) / 1000 > bounds.maxSeconds) {
      stoppedBy = 'time';
      break;
    }
    // Starts from MIN − width + 1 so that every key is in a window with the same chance.
    const start = Math.floor(lo - width + 1 + random() * (hi - lo + width));
    const got = await db.query<RowDataPacket[]>(sql, [...prefixes.map((p) => p.chars), start, start + width, cap]);
    ranges += 1;
    let inWindow = got.length;
    if (got.length === cap) {
      const [c] = await db.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${from} WHERE ${window}`, [
        start,
        start + width,
      ]);
      inWindow = Number(c!.n);
    }
    counted += inWindow;
    for (const r of got) {
      if (rows.length >= bounds.maxRows) break;
      const key = shape.primaryKey.map((_, i) => String(r[`k${i}`])).join('\u0000');
      if (seen.has(key)) continue;
      seen.add(key);
      const value = (v: unknown) => (v == null ? null : Number(v));
      rows.push([...shape.columns.map((_, i) => value(r[`c${i}`])), ...prefixes.map((_, i) => value(r[`x${i}`]))]);
    }
  }
  const estimatedRows = ranges === 0 ? rowsHint : Math.round(((counted / ranges) * (hi - lo + width)) / width);
  return { ok: true, shape, settings: sizeSettings, rows, estimatedRows, ranges, durationMs: took(), stoppedBy };
}
