/** How InnoDB stores one column in a COMPACT/DYNAMIC/COMPRESSED record, from information_schema.COLUMNS. Pure. */
export interface StoredColumn {
  name: string;
  /** fixed: always `bytes`; var: a length header and the value (may go off-page when `externable`). */
  kind: 'fixed' | 'var';
  /** fixed: its size; var: the least it stores (CHAR(n) in a multi-byte charset keeps n bytes). */
  bytes: number;
  /** Largest value in bytes (decides 1- or 2-byte length headers). */
  maxBytes: number;
  nullable: boolean;
  /** TEXT/BLOB, or a VARCHAR/VARBINARY over 255 bytes: may be stored off-page. */
  externable: boolean;
}

export interface ColumnInfo {
  name: string;
  dataType: string;
  columnType: string;
  nullable: boolean;
  /** CHARACTER_MAXIMUM_LENGTH and CHARACTER_OCTET_LENGTH (null for non-string types). */
  maxChars: number | null;
  maxOctets: number | null;
  numericPrecision: number | null;
  numericScale: number | null;
  datetimePrecision: number | null;
  /** EXTRA says VIRTUAL GENERATED: not stored in the record. */
  virtual: boolean;
}

const FIXED: Record<string, number> = {
  tinyint: 1,
  smallint: 2,
  mediumint: 3,
  int: 4,
  integer: 4,
  bigint: 8,
  float: 4,
  double: 8,
  real: 8,
  date: 3,
  year: 1,
};
const BLOBS = new Set([
  'tinytext',
  'text',
  'mediumtext',
  'longtext',
  'tinyblob',
  'blob',
  'mediumblob',
  'longblob',
  'json',
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
]);
const BLOB_MAX: Record<string, number> = { tinytext: 255, tinyblob: 255 };

/** DECIMAL(p, s): 4 bytes per 9 digits on each side of the point, the rest by the leftover digits. */
export function decimalBytes(precision: number, scale: number): number {
  const left = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
  const part = (digits: number) => Math.floor(digits / 9) * 4 + left[digits % 9]!;
  return part(precision - scale) + part(scale);
}

/** Stored columns only (virtual generated columns are not in the record); null for a type it does not know. */
export function storedColumn(c: ColumnInfo): StoredColumn | null {
  if (c.virtual) return null;
  const type = c.dataType.toLowerCase();
  const base = { name: c.name, nullable: c.nullable };
  const fixed = (bytes: number): StoredColumn => ({
    ...base,
    kind: 'fixed',
    bytes,
    maxBytes: bytes,
    externable: false,
  });
  const fsp = Math.ceil((c.datetimePrecision ?? 0) / 2);
  if (type in FIXED) return fixed(FIXED[type]!);
  if (type === 'decimal' || type === 'numeric')
    return fixed(decimalBytes(c.numericPrecision ?? 10, c.numericScale ?? 0));
  if (type === 'datetime') return fixed(5 + fsp);
  if (type === 'timestamp') return fixed(4 + fsp);
  if (type === 'time') return fixed(3 + fsp);
  if (type === 'bit') return fixed(Math.ceil((c.numericPrecision ?? 1) / 8));
  if (type === 'enum') return fixed(enumMembers(c.columnType) > 255 ? 2 : 1);
  if (type === 'set') return fixed(Math.min(8, Math.ceil(enumMembers(c.columnType) / 8)));
  if (type === 'binary') return fixed(c.maxOctets ?? 1);
  if (type === 'char') {
    const octets = c.maxOctets ?? 1;
    const chars = c.maxChars ?? octets;
    // A single-byte charset keeps CHAR fixed; a multi-byte one stores it as variable, at least n bytes.
    if (octets === chars) return fixed(octets);
    return { ...base, kind: 'var', bytes: chars, maxBytes: octets, externable: false };
  }
  if (type === 'varchar' || type === 'varbinary') {
    const maxBytes = c.maxOctets ?? 65535;
    return { ...base, kind: 'var', bytes: 0, maxBytes, externable: maxBytes > 255 };
  }
  if (BLOBS.has(type) || type === 'uuid' || type === 'inet6' || type === 'inet4') {
    if (type === 'uuid' || type === 'inet6') return fixed(16);
    if (type === 'inet4') return fixed(4);
    return { ...base, kind: 'var', bytes: 0, maxBytes: BLOB_MAX[type] ?? 4294967295, externable: !(type in BLOB_MAX) };
  }
  return null;
}

function enumMembers(columnType: string): number {
  const inner = /\((.*)\)/s.exec(columnType)?.[1] ?? '';
  return (inner.match(/'(?:[^']|'')*'/g) ?? []).length;
}
