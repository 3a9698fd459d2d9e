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

/** Replica status read on a replica node: `SHOW REPLICA STATUS` from MySQL 8.0.22 and MariaDB 10.5.1, else the
 * older `SHOW SLAVE STATUS` (same row; MySQL 8.0.22+ renames the columns to Replica_… and …_Source). */
export function replicaNodeStatusStatement(d: Dialect): string {
  const replicaWords = d.flavor === 'mariadb' ? versionAtLeast(d, 10, 5, 1) : versionAtLeast(d, 8, 0, 22);
  return replicaWords ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS';
}

/** Lag field name in the replica status row. */
export function replicaLagField(d: Dialect): string {
  return d.flavor === 'mysql' && versionAtLeast(d, 8, 0, 22) ? 'Seconds_Behind_Source' : 'Seconds_Behind_Master';
}

/** Where the deadlock counter lives: a GLOBAL_STATUS variable (MariaDB) or an INNODB_METRICS row (MySQL). */
export function deadlockCounterSource(
  d: Dialect,
): { kind: 'status'; name: string } | { kind: 'innodb_metrics'; name: string } {
  return d.flavor === 'mariadb'
    ? { kind: 'status', name: 'INNODB_DEADLOCKS' }
    : { kind: 'innodb_metrics', name: 'lock_deadlocks' };
}

/** Where the InnoDB history list length lives: GLOBAL_STATUS (MariaDB) or INNODB_METRICS (MySQL). */
export function historyListSource(
  d: Dialect,
): { kind: 'status'; name: string } | { kind: 'innodb_metrics'; name: string } {
  return d.flavor === 'mariadb'
    ? { kind: 'status', name: 'INNODB_HISTORY_LIST_LENGTH' }
    : { kind: 'innodb_metrics', name: 'trx_rseg_history_len' };
}

/** The p95 column of performance_schema statement digests (MySQL 8.0+); null where the server has none. */
export function digestQuantile95Column(d: Dialect): string | null {
  return d.flavor === 'mysql' && versionAtLeast(d, 8, 0) ? 'QUANTILE_95' : null;
}

/** MySQL 8 caches information_schema.TABLES sizes (information_schema_stats_expiry); null when the server reads them
 * live. */
export function freshTableStatsStatement(d: Dialect): string | null {
  return d.flavor === 'mysql' && versionAtLeast(d, 8, 0) ? 'SET SESSION information_schema_stats_expiry = 0' : null;
}

/** Run one statement under its own time limit (MariaDB `SET STATEMENT … FOR`); MySQL's limit covers SELECT only, so the
 * statement is returned unchanged there. `seconds` 0 = no limit. */
export function withStatementTimeLimit(d: Dialect, seconds: number, sql: string): { sql: string; values: number[] } {
  return d.flavor === 'mariadb'
    ? { sql: `SET STATEMENT max_statement_time = ? FOR ${sql}`, values: [seconds] }
    : { sql, values: [] };
}

/** The ANALYZE statements for one table, in order. MariaDB: one statement (`PERSISTENT FOR …` adds engine-independent
 * column statistics and histograms to InnoDB's index statistics); MySQL 8: ANALYZE, then `UPDATE HISTOGRAM` for the
 * columns (it only builds histograms). `PERSISTENT FOR ALL` is MariaDB-only and ignored on MySQL.
 * `quotedTable` and `quotedColumns` must come from quoteTable/quoteId. */
export function analyzeStatements(
  d: Dialect,
  quotedTable: string,
  opts: { binlog: boolean; persistentForAll: boolean; quotedColumns: string[]; buckets: number },
): string[] {
  const verb = opts.binlog ? 'ANALYZE TABLE' : 'ANALYZE NO_WRITE_TO_BINLOG TABLE';
  if (d.flavor === 'mariadb') {
    if (opts.persistentForAll) return [`${verb} ${quotedTable} PERSISTENT FOR ALL`];
    if (opts.quotedColumns.length > 0)
      return [`${verb} ${quotedTable} PERSISTENT FOR COLUMNS (${opts.quotedColumns.join(', ')}) INDEXES ()`];
    return [`${verb} ${quotedTable}`];
  }
  const statements = [`${verb} ${quotedTable}`];
  if (opts.quotedColumns.length > 0 && versionAtLeast(d, 8, 0)) {
    statements.push(
      `${verb} ${quotedTable} UPDATE HISTOGRAM ON ${opts.quotedColumns.join(', ')} WITH ${Math.trunc(opts.buckets)} BUCKETS`,
    );
  }
  return statements;
}

/** Where a server keeps per-index read counters, how to read them, and how an operator turns them on. */
export interface IndexUsageCounters {
  source: 'performance_schema' | 'userstat';
  /** One row `enabled` (1 when the counters are collecting now). */
  enabledSql: string;
  /** Rows (schema_name, table_name, index_name, read_count) for `IN (?)` schemas. */
  readsSql: string;
  /** MariaDB lists only indexes that were read: a missing index had 0 reads. MySQL lists every instrumented index. */
  missingMeansZero: boolean;
  enableHint: string;
}

export function indexUsageCounters(d: Dialect): IndexUsageCounters {
  if (d.flavor === 'mariadb') {
    return {
      source: 'userstat',
      enabledSql: 'SELECT @@global.userstat AS enabled',
      readsSql:
        'SELECT TABLE_SCHEMA AS schema_name, TABLE_NAME AS table_name, INDEX_NAME AS index_name, ROWS_READ AS read_count FROM information_schema.INDEX_STATISTICS WHERE TABLE_SCHEMA IN (?)',
      missingMeansZero: true,
      enableHint:
        'SET GLOBAL userstat = 1 (and userstat = 1 under [mariadb] in the server config so it survives a restart)',
    };
  }
  return {
    source: 'performance_schema',
    enabledSql:
      "SELECT (@@global.performance_schema = 1 AND EXISTS (SELECT 1 FROM performance_schema.setup_instruments WHERE NAME = 'wait/io/table/sql/handler' AND ENABLED = 'YES')) AS enabled",
    readsSql:
      'SELECT OBJECT_SCHEMA AS schema_name, OBJECT_NAME AS table_name, INDEX_NAME AS index_name, COUNT_READ AS read_count FROM performance_schema.table_io_waits_summary_by_index_usage WHERE OBJECT_SCHEMA IN (?) AND INDEX_NAME IS NOT NULL',
    missingMeansZero: false,
    enableHint:
      "performance_schema = ON in the server config (restart) with the instrument 'wait/io/table/sql/handler' enabled",
  };
}

/** SQL expression over information_schema.STATISTICS: 1 when the index is hidden from the optimizer. */
export function statisticsHiddenExpression(d: Dialect): string {
  if (d.flavor === 'mariadb') return versionAtLeast(d, 10, 6) ? "(IGNORED = 'YES')" : '0';
  return versionAtLeast(d, 8, 0) ? "(IS_VISIBLE = 'NO')" : '0';
}

/** Tablespace files of file-per-table InnoDB tables (`NAME` is `schema/table`): FILE_SIZE and ALLOCATED_SIZE in bytes.
 * MariaDB: INNODB_SYS_TABLESPACES; MySQL 8: INNODB_TABLESPACES. */
export function tablespaceSizeSql(d: Dialect): string {
  const view = d.flavor === 'mariadb' ? 'INNODB_SYS_TABLESPACES' : 'INNODB_TABLESPACES';
  return `SELECT NAME AS name, FILE_SIZE AS file_size, ALLOCATED_SIZE AS allocated_size FROM information_schema.${view} WHERE NAME IN (?)`;
}
