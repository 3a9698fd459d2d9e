/** Everything that differs between MySQL and MariaDB, decided from facts (the VERSION() string). */
export type Flavor = 'mysql' | 'mariadb';

export interface Dialect {
  flavor: Flavor;
  version: { major: number; minor: number; patch: number };
  /** The raw VERSION() string. */
  raw: string;
}

export function detectDialect(versionString: string): Dialect {
  const flavor: Flavor = /mariadb/i.test(versionString) ? 'mariadb' : 'mysql';
  // MariaDB 10.x used to be reported as "5.5.5-10.x.y-MariaDB" by some proxies.
  const cleaned = versionString.replace(/^5\.5\.5-/, '');
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(cleaned);
  const [major, minor, patch] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  return { flavor, version: { major, minor, patch }, raw: versionString };
}

export function versionAtLeast(d: Dialect, major: number, minor = 0, patch = 0): boolean {
  const v = d.version;
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

/** Statement time limit for the session. MariaDB: seconds, any statement. MySQL: ms, SELECT only. */
export function statementTimeoutStatement(d: Dialect, seconds: number): { sql: string; values: number[] } {
  return d.flavor === 'mariadb'
    ? { sql: 'SET SESSION max_statement_time = ?', values: [seconds] }
    : { sql: 'SET SESSION max_execution_time = ?', values: [seconds * 1000] };
}

/** `ALTER INDEX … INVISIBLE` (MySQL 8) or `IGNORED` (MariaDB 10.6+); null when the server has neither. */
export function hideIndexKeywords(d: Dialect): { hide: string; show: string } | null {
  if (d.flavor === 'mariadb') return versionAtLeast(d, 10, 6) ? { hide: 'IGNORED', show: 'NOT IGNORED' } : null;
  return versionAtLeast(d, 8, 0) ? { hide: 'INVISIBLE', show: 'VISIBLE' } : null;
}

/** MariaDB 10.7+ can turn a partition into a table in one statement. */
export function supportsConvertPartition(d: Dialect): boolean {
  return d.flavor === 'mariadb' && versionAtLeast(d, 10, 7);
}

/** How to read replica status on this server. */
export function replicaStatusStatement(d: Dialect): string {
  if (d.flavor === 'mariadb') return 'SHOW ALL SLAVES STATUS';
  return versionAtLeast(d, 8, 0, 22) ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS';
}

/** Lag field name in the replica status row. */
export function replicaLagField(d: Dialect): string {
  return d.flavor === 'mysql' && versionAtLeast(d, 8, 0, 22) ? 'Seconds_Behind_Source' : 'Seconds_Behind_Master';
}
