/** Pure computations behind the mysqltuner-style figures: ratios in percent, null where the base is 0. */

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** `part` as a share of `whole`, in percent; null for an empty whole. */
export function percentOf(part: number, whole: number): number | null {
  return whole > 0 ? round((100 * part) / whole) : null;
}

/** Share of implicit temporary tables that went to disk. */
export function tmpDiskPercent(diskTables: number, tmpTables: number): number | null {
  return percentOf(diskTables, tmpTables);
}

/** Table open cache: hits / (hits + misses). */
export function tableCacheHitPercent(hits: number, misses: number): number | null {
  return percentOf(hits, hits + misses);
}

/** Thread cache: connections served by a cached thread, 1 − Threads_created / Connections. */
export function threadCacheHitPercent(threadsCreated: number, connections: number): number | null {
  if (connections <= 0) return null;
  return round(100 - (100 * Math.min(threadsCreated, connections)) / connections);
}

/** The redo log's total size from the server's variables: MySQL 8.0.30+ `innodb_redo_log_capacity`; otherwise
 * `innodb_log_file_size` × `innodb_log_files_in_group` (absent since MariaDB 10.6: one file). */
export function redoLogBytes(vars: {
  redoLogCapacity?: number;
  logFileSize?: number;
  logFilesInGroup?: number;
}): { bytes: number; source: string } | null {
  if (vars.redoLogCapacity !== undefined && vars.redoLogCapacity > 0)
    return { bytes: vars.redoLogCapacity, source: 'innodb_redo_log_capacity' };
  if (vars.logFileSize === undefined) return null;
  const files = vars.logFilesInGroup ?? 1;
  return {
    bytes: vars.logFileSize * files,
    source: files === 1 ? 'innodb_log_file_size' : `innodb_log_file_size × innodb_log_files_in_group (${files})`,
  };
}

/** Bytes as a person reads them: MiB or GiB. */
export function sizeText(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${round(bytes / 1024 ** 3)} GiB` : `${round(bytes / 1024 ** 2, 1)} MiB`;
}

export interface AccountRow {
  user: string;
  host: string;
  plugin: string;
  /** The stored authentication string is empty (the hash itself is never read out). */
  emptyAuth: boolean;
  locked: boolean;
  isRole: boolean;
}

export interface AccountFindings {
  noPassword: string[];
  anonymous: string[];
  rootFromAnyHost: string[];
}

/** Plugins whose empty authentication string means "no password"; socket or GSSAPI accounts have none by design. */
const PASSWORD_PLUGINS = new Set([
  '',
  'mysql_native_password',
  'mysql_old_password',
  'caching_sha2_password',
  'sha256_password',
  'ed25519',
  'parsec',
]);

/** 'user'@'host' findings; locked accounts and roles cannot log in and are left out. */
export function accountFindings(rows: readonly AccountRow[]): AccountFindings {
  const live = rows.filter((r) => !r.locked && !r.isRole);
  const name = (r: AccountRow) => `'${r.user}'@'${r.host}'`;
  return {
    noPassword: live.filter((r) => r.emptyAuth && PASSWORD_PLUGINS.has(r.plugin)).map(name),
    anonymous: live.filter((r) => r.user === '').map(name),
    rootFromAnyHost: live.filter((r) => r.user === 'root' && r.host === '%').map(name),
  };
}
