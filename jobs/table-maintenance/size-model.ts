import type { StoredColumn } from './column-storage.js';

/**
 * What a rebuild (a sorted bulk load of every index) would leave, from sampled rows. Pure.
 * InnoDB COMPACT/DYNAMIC records: 5-byte header, a null bitmap, 1–2 length bytes per variable column; the clustered
 * index adds the transaction id and roll pointer (13 bytes). A page keeps 120 bytes of header, infimum and supremum,
 * an 8-byte trailer and a 2-byte directory slot per 4 records. The bulk load leaves 1/16 of each clustered page free
 * at innodb_fill_factor 100 (else 100 − fill % of every page). Values that do not fit a record go off-page: DYNAMIC
 * keeps a 20-byte pointer, COMPACT a 768-byte prefix too; each value takes whole pages.
 */
export interface TableShape {
  /** Stored columns in table order; a sampled row has one entry per column. */
  columns: StoredColumn[];
  /** Primary key column names; empty = InnoDB's hidden 6-byte row id. */
  primaryKey: string[];
  /** Key columns; a prefix key gives its length in bytes at most, and in characters (SUB_PART). */
  secondary: { name: string; columns: { name: string; prefixBytes: number | null; prefixChars?: number }[] }[];
  /** Sampled `LENGTH(LEFT(col, chars))` of prefix keys: a sampled row holds them after its columns, in this order. */
  prefixSamples?: { column: string; chars: number }[];
  rowFormat: 'dynamic' | 'compact' | 'redundant' | 'compressed';
  /** COMPRESSED: the physical page size in KiB (KEY_BLOCK_SIZE); null = half the page. */
  keyBlockSizeKiB: number | null;
}

export interface SizeSettings {
  pageSize: number;
  fillFactor: number;
}

/** Stored bytes of each column of one sampled row (LENGTH(col)); null = NULL. Fixed columns only tell NULL apart. */
export type SampledRow = readonly (number | null)[];

export interface IndexPrediction {
  name: string;
  leafPages: number;
  nonLeafPages: number;
  /** Off-page (BLOB) pages, clustered index only. */
  offPagePages: number;
  /** Pages the index's segments hold, rounded to how InnoDB allocates them. */
  allocatedPages: number;
  avgRecordBytes: number;
}

export interface SizePrediction {
  rows: number;
  sampledRows: number;
  /** Predicted DATA_LENGTH (clustered index with its off-page values) and INDEX_LENGTH after a rebuild. */
  dataBytes: number;
  indexBytes: number;
  /** Part of dataBytes in off-page value pages. */
  offPageBytes: number;
  totalBytes: number;
  indexes: IndexPrediction[];
}

const PAGE_OVERHEAD = 120 + 8 + 4;
const TRX_ID_ROLL_PTR = 13;
const CHILD_PAGE_NO = 4;
/** A column shorter than this stays in the record whatever the record's size (twice the 20-byte pointer). */
const MIN_EXTERN_BYTES = 40;

function physicalPageSize(shape: TableShape, s: SizeSettings): number {
  if (shape.rowFormat !== 'compressed') return s.pageSize;
  return (shape.keyBlockSizeKiB ?? s.pageSize / 2048) * 1024;
}

/** Room for records on an empty page, and what a sorted load leaves free on it. */
function pageRoom(s: SizeSettings, clustered: boolean): { free: number; reserved: number } {
  const free = s.pageSize - PAGE_OVERHEAD;
  const reserved =
    s.fillFactor === 100 ? (clustered ? s.pageSize / 16 : 0) : Math.floor((s.pageSize * (100 - s.fillFactor)) / 100);
  return { free, reserved };
}

/** Directory bytes the n-th record (0-based) adds: one 2-byte slot per 4 records. */
function slotBytes(n: number): number {
  const reserved = (k: number) => Math.floor((2 * k + 3) / 4);
  return reserved(n + 1) - reserved(n);
}

/** Pages (fractional for the last) a sorted load fills with these records, as InnoDB's bulk loader packs them. */
export function packPages(sizes: readonly number[], room: { free: number; reserved: number }): number {
  if (sizes.length === 0) return 0;
  let pages = 1;
  let used = 0;
  let n = 0;
  for (const size of sizes) {
    const need = size + slotBytes(n);
    const full = used + need > room.free || (n >= 2 && room.free - (used + need) < room.reserved);
    if (full && n > 0) {
      pages += 1;
      used = 0;
      n = 0;
    }
    used += size + slotBytes(n);
    n += 1;
  }
  return pages - 1 + used / room.free;
}

interface Field {
  col: StoredColumn;
  len: number | null;
}

function fieldBytes(f: Field): number {
  if (f.len === null) return 0;
  return f.col.kind === 'fixed' ? f.col.bytes : Math.max(f.len, f.col.bytes);
}

/** Header bytes of a COMPACT record: 5, the null bitmap, a length byte or two per variable field. */
function headerBytes(fields: readonly Field[], external: ReadonlySet<Field>, redundant: boolean): number {
  if (redundant) return 6 + fields.length * 2;
  const nullable = fields.filter((f) => f.col.nullable).length;
  let bytes = 5 + Math.ceil(nullable / 8);
  for (const f of fields) {
    if (f.col.kind !== 'var' || f.len === null) continue;
    bytes += external.has(f) || (f.col.maxBytes > 255 && fieldBytes(f) > 127) ? 2 : 1;
  }
  return bytes;
}

const pkFields = (shape: TableShape, row: SampledRow): Field[] =>
  shape.primaryKey.map((name) => {
    const i = shape.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
    return { col: shape.columns[i]!, len: row[i] ?? null };
  });

const ROW_ID: StoredColumn = {
  name: 'DB_ROW_ID',
  kind: 'fixed',
  bytes: 6,
  maxBytes: 6,
  nullable: false,
  externable: false,
};

/** One clustered record: its bytes in the page, and the pages its off-page values take. */
export function clusteredRecord(
  shape: TableShape,
  row: SampledRow,
  s: SizeSettings,
): { bytes: number; offPagePages: number } {
  const key = shape.primaryKey.length > 0 ? pkFields(shape, row) : [{ col: ROW_ID, len: 6 }];
  const keyNames = new Set(shape.primaryKey.map((n) => n.toLowerCase()));
  const rest: Field[] = shape.columns.flatMap((col, i) =>
    keyNames.has(col.name.toLowerCase()) ? [] : [{ col, len: row[i] ?? null }],
  );
  const fields = [...key, ...rest];
  const redundant = shape.rowFormat === 'redundant';
  const prefix = shape.rowFormat === 'compact' || redundant ? 768 : 0;
  const external = new Set<Field>();
  const inline = (f: Field) => (external.has(f) ? prefix + 20 : fieldBytes(f));
  const size = () =>
    headerBytes(fields, external, redundant) + TRX_ID_ROLL_PTR + fields.reduce((sum, f) => sum + inline(f), 0);
  const limit = Math.floor((physicalPageSize(shape, s) - PAGE_OVERHEAD) / 2);
  // InnoDB moves the longest values off-page until the record fits half a page.
  while (size() > limit) {
    const candidates = rest.filter(
      (f) => f.col.externable && !external.has(f) && (f.len ?? 0) > Math.max(MIN_EXTERN_BYTES, prefix + 20),
    );
    if (candidates.length === 0) break;
    external.add(candidates.reduce((a, b) => ((b.len ?? 0) > (a.len ?? 0) ? b : a)));
  }
  const blobPageData = physicalPageSize(shape, s) - 38 - 8 - 8;
  let offPagePages = 0;
  for (const f of external) offPagePages += Math.ceil(((f.len ?? 0) - prefix) / blobPageData);
  return { bytes: size(), offPagePages };
}

/** One secondary record: header, key columns (or their prefix), then the primary key columns not in the key. */
export function secondaryRecord(shape: TableShape, index: TableShape['secondary'][number], row: SampledRow): number {
  const fieldOf = (name: string): Field => {
    const i = shape.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
    return { col: shape.columns[i]!, len: row[i] ?? null };
  };
  const keyFields = index.columns.map((c) => {
    const f = fieldOf(c.name);
    if (c.prefixBytes === null || f.len === null) return f;
    const k = (shape.prefixSamples ?? []).findIndex((p) => p.column === c.name && p.chars === c.prefixChars);
    const sampled = k >= 0 ? row[shape.columns.length + k] : null;
    const len = sampled ?? Math.min(fieldBytes(f), c.prefixBytes);
    return { col: { ...f.col, kind: 'var' as const, bytes: 0 }, len };
  });
  const inKey = new Set(index.columns.filter((c) => c.prefixBytes === null).map((c) => c.name.toLowerCase()));
  const pk =
    shape.primaryKey.length > 0
      ? shape.primaryKey.filter((n) => !inKey.has(n.toLowerCase())).map(fieldOf)
      : [{ col: ROW_ID, len: 6 }];
  const fields = [...keyFields, ...pk];
  return (
    headerBytes(fields, new Set(), shape.rowFormat === 'redundant') + fields.reduce((sum, f) => sum + fieldBytes(f), 0)
  );
}

/** Non-leaf pages above `leafPages`, each node pointer `pointerBytes` long. */
function nonLeafPages(leafPages: number, pointerBytes: number, room: { free: number; reserved: number }): number {
  const perPage = Math.max(2, Math.floor((room.free - room.reserved) / (pointerBytes + 0.5)));
  let total = 0;
  for (let level = Math.ceil(leafPages); level > 1;) {
    level = Math.ceil(level / perPage);
    total += level;
  }
  return total;
}

/**
 * Pages a segment holds for `pages` used: its first 32 one by one, then whole extents (1 MiB). InnoDB keeps room
 * ahead: one more extent when less than 1/8 of what it holds is unused, and from 40 extents on a free list of 4.
 */
export function segmentPages(pages: number, physicalPage: number): number {
  const n = Math.ceil(pages);
  const extent = Math.max(64, (1024 * 1024) / physicalPage);
  if (n <= 32) return Math.max(1, n);
  let held = 32 + Math.ceil((n - 32) / extent) * extent;
  if (held >= 40 * extent) held += 4 * extent;
  else if (held - n < held / 8) held += extent;
  return held;
}

/** Scale the sample's pages to `rows`; the root page always exists. */
function scaled(samplePages: number, sampled: number, rows: number): number {
  return sampled === 0 ? 0 : (samplePages * rows) / sampled;
}

export function predictRebuiltSize(
  shape: TableShape,
  sample: readonly SampledRow[],
  rows: number,
  s: SizeSettings,
): SizePrediction {
  const physical = physicalPageSize(shape, s);
  const n = sample.length;
  const clusteredRoom = pageRoom(s, true);
  const records = sample.map((r) => clusteredRecord(shape, r, s));
  const leaf = scaled(
    packPages(
      records.map((r) => r.bytes),
      clusteredRoom,
    ),
    n,
    rows,
  );
  const offPage = scaled(
    records.reduce((sum, r) => sum + r.offPagePages, 0),
    n,
    rows,
  );
  const avg = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const pkPointer =
    avg(
      sample.map(
        (r) =>
          headerBytes(
            pkFields(shape, r).map((f) => f),
            new Set(),
            false,
          ) + pkFields(shape, r).reduce((sum, f) => sum + fieldBytes(f), 0),
      ),
    ) +
    (shape.primaryKey.length ? 0 : 11) +
    CHILD_PAGE_NO;
  const clusteredNonLeaf = nonLeafPages(leaf, pkPointer, clusteredRoom);
  const clustered: IndexPrediction = {
    name: 'PRIMARY',
    leafPages: leaf,
    nonLeafPages: clusteredNonLeaf,
    offPagePages: offPage,
    allocatedPages:
      segmentPages(leaf + offPage, physical) + (clusteredNonLeaf > 0 ? segmentPages(clusteredNonLeaf, physical) : 0),
    avgRecordBytes: avg(records.map((r) => r.bytes)),
  };
  const secondaryRoom = pageRoom(s, false);
  const secondary = shape.secondary.map((ix): IndexPrediction => {
    const sizes = sample.map((r) => secondaryRecord(shape, ix, r));
    const leafPages = scaled(packPages(sizes, secondaryRoom), n, rows);
    const upper = nonLeafPages(leafPages, avg(sizes) + CHILD_PAGE_NO, secondaryRoom);
    return {
      name: ix.name,
      leafPages,
      nonLeafPages: upper,
      offPagePages: 0,
      allocatedPages: segmentPages(leafPages, physical) + (upper > 0 ? segmentPages(upper, physical) : 0),
      avgRecordBytes: avg(sizes),
    };
  });
  const dataBytes = clustered.allocatedPages * physical;
  const indexBytes = secondary.reduce((sum, ix) => sum + ix.allocatedPages, 0) * physical;
  return {
    rows,
    sampledRows: n,
    dataBytes,
    indexBytes,
    offPageBytes: Math.round(offPage * physical),
    totalBytes: dataBytes + indexBytes,
    indexes: [clustered, ...secondary],
  };
}
