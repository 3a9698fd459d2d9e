import { describe, expect, it } from 'vitest';
import {
  decimalBytes,
  storedColumn,
  type ColumnInfo,
  type StoredColumn,
} from '../../jobs/table-maintenance/column-storage.js';
import {
  clusteredRecord,
  packPages,
  predictRebuiltSize,
  secondaryRecord,
  segmentPages,
  type TableShape,
} from '../../jobs/table-maintenance/size-model.js';

const S16 = { pageSize: 16384, fillFactor: 100 };

const info = (over: Partial<ColumnInfo>): ColumnInfo => ({
  name: 'c',
  dataType: 'int',
  columnType: 'int(11)',
  nullable: false,
  maxChars: null,
  maxOctets: null,
  numericPrecision: null,
  numericScale: null,
  datetimePrecision: null,
  virtual: false,
  ...over,
});
const fixed = (name: string, bytes: number, nullable = false): StoredColumn => ({
  name,
  kind: 'fixed',
  bytes,
  maxBytes: bytes,
  nullable,
  externable: false,
});
const varchar = (name: string, maxBytes: number, nullable = false): StoredColumn => ({
  name,
  kind: 'var',
  bytes: 0,
  maxBytes,
  nullable,
  externable: maxBytes > 255,
});
const text = (name: string): StoredColumn => ({
  name,
  kind: 'var',
  bytes: 0,
  maxBytes: 65535,
  nullable: false,
  externable: true,
});

describe('storedColumn: what InnoDB keeps in the record for a column', () => {
  it.each([
    ['int', info({ dataType: 'int' }), { kind: 'fixed', bytes: 4 }],
    ['bigint', info({ dataType: 'bigint' }), { kind: 'fixed', bytes: 8 }],
    ['datetime', info({ dataType: 'datetime', datetimePrecision: 0 }), { kind: 'fixed', bytes: 5 }],
    ['datetime(6)', info({ dataType: 'datetime', datetimePrecision: 6 }), { kind: 'fixed', bytes: 8 }],
    ['timestamp(3)', info({ dataType: 'timestamp', datetimePrecision: 3 }), { kind: 'fixed', bytes: 6 }],
    [
      'decimal(10,2)',
      info({ dataType: 'decimal', numericPrecision: 10, numericScale: 2 }),
      { kind: 'fixed', bytes: 5 },
    ],
    ['enum of 3', info({ dataType: 'enum', columnType: "enum('a','b','c')" }), { kind: 'fixed', bytes: 1 }],
    ['char(10) latin1', info({ dataType: 'char', maxChars: 10, maxOctets: 10 }), { kind: 'fixed', bytes: 10 }],
    [
      'char(10) utf8mb4',
      info({ dataType: 'char', maxChars: 10, maxOctets: 40 }),
      { kind: 'var', bytes: 10, maxBytes: 40, externable: false },
    ],
    [
      'varchar(50) utf8mb4',
      info({ dataType: 'varchar', maxChars: 50, maxOctets: 200 }),
      { kind: 'var', maxBytes: 200, externable: false },
    ],
    [
      'varchar(255) utf8mb4',
      info({ dataType: 'varchar', maxChars: 255, maxOctets: 1020 }),
      { kind: 'var', maxBytes: 1020, externable: true },
    ],
    ['text', info({ dataType: 'text' }), { kind: 'var', externable: true }],
    ['tinytext', info({ dataType: 'tinytext' }), { kind: 'var', maxBytes: 255, externable: false }],
  ])('%s', (_n, c, want) => {
    expect(storedColumn(c)).toMatchObject(want);
  });

  it('a virtual generated column is not stored; an unknown type is refused (null), not guessed', () => {
    expect(storedColumn(info({ virtual: true }))).toBeNull();
    expect(storedColumn(info({ dataType: 'vector' }))).toBeNull();
  });

  it('decimal sizes: 9 digits in 4 bytes, leftover digits by the table', () => {
    expect(decimalBytes(18, 9)).toBe(8);
    expect(decimalBytes(20, 0)).toBe(9);
    expect(decimalBytes(5, 5)).toBe(3);
  });
});

const SHAPE: TableShape = {
  columns: [fixed('id', 4), fixed('company_id', 4), fixed('created_at', 5), fixed('status', 1), varchar('note', 1020)],
  primaryKey: ['id'],
  secondary: [{ name: 'idx_company', columns: [{ name: 'company_id', prefixBytes: null }] }],
  rowFormat: 'dynamic',
  keyBlockSizeKiB: null,
};

describe('records', () => {
  it('clustered: 5-byte header, length byte, key, 13 bytes trx id + roll pointer, the columns', () => {
    // 5 + 1 (note ≤ 127 bytes) + 4 + 13 + 4 + 5 + 1 + 100
    expect(clusteredRecord(SHAPE, [1, 1, 1, 1, 100], S16)).toEqual({ bytes: 133, offPagePages: 0 });
    // A value over 127 bytes in a column that may exceed 255 takes a 2-byte length.
    expect(clusteredRecord(SHAPE, [1, 1, 1, 1, 200], S16).bytes).toBe(234);
  });

  it('a NULL costs a bit in the null bitmap and no bytes', () => {
    const shape: TableShape = {
      ...SHAPE,
      columns: [
        fixed('id', 4),
        fixed('company_id', 4, true),
        fixed('created_at', 5),
        fixed('status', 1),
        varchar('note', 1020),
      ],
    };
    expect(clusteredRecord(shape, [1, null, 1, 1, 100], S16).bytes).toBe(133 - 4 + 1);
  });

  it('DYNAMIC: a value that does not fit half a page goes off-page with a 20-byte pointer, in whole pages', () => {
    const shape: TableShape = { ...SHAPE, columns: [fixed('id', 4), text('body')] };
    expect(clusteredRecord(shape, [1, 20_000], S16)).toEqual({ bytes: 5 + 2 + 4 + 13 + 20, offPagePages: 2 });
    // 8000 bytes fit in the record: stays inline.
    expect(clusteredRecord(shape, [1, 8000], S16)).toEqual({ bytes: 5 + 2 + 4 + 13 + 8000, offPagePages: 0 });
  });

  it('COMPACT keeps a 768-byte prefix in the record', () => {
    const shape: TableShape = { ...SHAPE, rowFormat: 'compact', columns: [fixed('id', 4), text('body')] };
    expect(clusteredRecord(shape, [1, 20_000], S16)).toEqual({ bytes: 5 + 2 + 4 + 13 + 768 + 20, offPagePages: 2 });
  });

  it('a prefix key takes the sampled bytes of its first n characters, not n × the charset maximum', () => {
    const shape: TableShape = { ...SHAPE, prefixSamples: [{ column: 'note', chars: 40 }] };
    const ix = { name: 'idx_note', columns: [{ name: 'note', prefixBytes: 160, prefixChars: 40 }] };
    // note is 100 bytes; its first 40 characters were sampled as 40 bytes (ASCII).
    expect(secondaryRecord(shape, ix, [1, 1, 1, 1, 100, 40])).toBe(5 + 1 + 40 + 4);
    // Without the sample: the byte bound (160) caps it, here the whole 100 bytes.
    expect(secondaryRecord(SHAPE, ix, [1, 1, 1, 1, 100])).toBe(5 + 1 + 100 + 4);
  });

  it('secondary: header, key, then the primary key; no transaction fields', () => {
    expect(secondaryRecord(SHAPE, SHAPE.secondary[0]!, [1, 1, 1, 1, 100])).toBe(5 + 4 + 4);
    const prefix = { name: 'idx_note', columns: [{ name: 'note', prefixBytes: 40 }] };
    expect(secondaryRecord(SHAPE, prefix, [1, 1, 1, 1, 100])).toBe(5 + 1 + 40 + 4);
  });
});

describe('pages', () => {
  it('a sorted load leaves 1/16 of a clustered page free at fill factor 100, none in a secondary one', () => {
    const hundred = Array.from({ length: 10_000 }, () => 100);
    const clustered = packPages(hundred, { free: 16252, reserved: 1024 });
    const secondary = packPages(hundred, { free: 16252, reserved: 0 });
    // 151 and 161 records of 100 bytes (+ ½ byte of directory each) per page.
    expect(Math.ceil(clustered)).toBe(Math.ceil(10_000 / 151));
    expect(Math.ceil(secondary)).toBe(Math.ceil(10_000 / 161));
  });

  it('segments: 32 single pages, then 1 MiB extents, an extent ahead under 1/8 room, a free list of 4 from 40 extents', () => {
    expect(segmentPages(10, 16384)).toBe(10);
    expect(segmentPages(0, 16384)).toBe(1);
    expect(segmentPages(100, 16384)).toBe(160);
    expect(segmentPages(328, 16384)).toBe(416);
    expect(segmentPages(3486, 16384)).toBe(3744);
  });
});

describe('predictRebuiltSize on recorded facts (MariaDB 10.11, bench shapes)', () => {
  // The bench's sequential shape: 394 759 rows, note 20..179 bytes; the server reported 3749 + 417 pages after a
  // rebuild.
  const sample = Array.from({ length: 4000 }, (_, i) => [i, 1, 1, 1, 20 + (i % 160)]);
  it('sequential inserts: within 5 % of the size the server reported after the rebuild', () => {
    const p = predictRebuiltSize(SHAPE, sample, 394_759, S16);
    const actual = (3749 + 417) * 16384;
    expect(Math.abs(p.totalBytes - actual) / actual).toBeLessThan(0.05);
    expect(p.indexes.map((i) => i.name)).toEqual(['PRIMARY', 'idx_company']);
  });

  it('off-page values are counted apart, inside the data size', () => {
    const shape: TableShape = {
      ...SHAPE,
      columns: [fixed('id', 4), fixed('company_id', 4), varchar('title', 400), text('body')],
      secondary: [],
    };
    const rows = Array.from({ length: 1000 }, (_, i) => [i, 1, 50, 6000 + ((i * 7919) % 14000)]);
    const p = predictRebuiltSize(shape, rows, 3356, S16);
    // Measured: 4321 pages (67.5 MiB), nearly all of it off-page.
    expect(Math.abs(p.dataBytes - 4321 * 16384) / (4321 * 16384)).toBeLessThan(0.1);
    expect(p.offPageBytes).toBeGreaterThan(p.dataBytes * 0.8);
    expect(p.indexBytes).toBe(0);
  });

  it('a lower innodb_fill_factor predicts a larger table', () => {
    expect(predictRebuiltSize(SHAPE, sample, 394_759, { pageSize: 16384, fillFactor: 70 }).totalBytes).toBeGreaterThan(
      predictRebuiltSize(SHAPE, sample, 394_759, S16).totalBytes * 1.2,
    );
  });

  it('no rows: nothing but the root pages', () => {
    expect(predictRebuiltSize(SHAPE, [], 0, S16).totalBytes).toBeLessThanOrEqual(2 * 16384);
  });
});
