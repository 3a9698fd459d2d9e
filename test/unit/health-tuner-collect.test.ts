import { describe, expect, it } from 'vitest';
import { collectTuner } from '../../jobs/health/tuner-collect.js';
import { detectDialect } from '../../src/db/dialect.js';

type Rows = Record<string, unknown>[];

/** A recorded server answering collectTuner's statements; `accounts` is what the account table holds. */
function fakeServer(version: string, vars: Record<string, string>, accounts: Rows | Error = []) {
  const asked: { sql: string; values: unknown[] }[] = [];
  const status = {
    Select_full_join: '12',
    Select_range_check: '0',
    Created_tmp_tables: '40',
    Created_tmp_disk_tables: '4',
    Threads_created: '3',
    Connections: '90',
  };
  const filter = (all: Record<string, string>, names: string[]) =>
    Object.entries(all)
      .filter(([k]) => names.includes(k.toUpperCase()))
      .map(([Variable_name, Value]) => ({ Variable_name, Value }));
  const db = {
    dialect: detectDialect(version),
    database: 'booking',
    async query<T>(sql: string, values: unknown[] = []): Promise<T> {
      asked.push({ sql, values });
      const v = (values[0] ?? []) as string[];
      let rows: Rows;
      if (sql.startsWith('SHOW GLOBAL STATUS')) rows = filter(status, v);
      else if (sql.startsWith('SHOW GLOBAL VARIABLES')) rows = filter(vars, v);
      else if (sql.startsWith('SET SESSION information_schema_stats_expiry')) rows = [];
      else if (sql.includes('SUM(DATA_LENGTH + INDEX_LENGTH)')) rows = [{ b: '2147483648' }];
      else if (sql.includes('PRIMARY KEY')) rows = [{ s: 'booking', n: 'audit_log' }];
      else if (sql.includes('INDEX_LENGTH > t.DATA_LENGTH')) rows = [];
      else if (sql.includes('mysql.')) {
        if (accounts instanceof Error) throw accounts;
        rows = accounts;
      } else throw new Error(`unexpected SQL: ${sql}`);
      return rows as T;
    },
  };
  return { db, asked };
}

const options = {
  tableCheckSchemas: [],
  indexLargerThanDataMinBytes: 0,
  accountChecks: true,
  tunerTimeLimitSeconds: 30,
};

describe('collectTuner on recorded MySQL 8 facts', () => {
  const mysqlVars = {
    innodb_buffer_pool_size: '1073741824',
    innodb_log_file_size: '50331648',
    innodb_redo_log_capacity: '104857600',
  };

  it('asks for fresh information_schema sizes first, each read under the MAX_EXECUTION_TIME hint', async () => {
    const { db, asked } = fakeServer('8.0.36', mysqlVars);
    await collectTuner(db, options);
    const fresh = asked.findIndex((a) => a.sql === 'SET SESSION information_schema_stats_expiry = 0');
    const sizes = asked.findIndex((a) => a.sql.includes('SUM(DATA_LENGTH + INDEX_LENGTH)'));
    expect(fresh).toBeGreaterThanOrEqual(0);
    expect(fresh).toBeLessThan(sizes);
    for (const a of asked.filter((x) => x.sql.includes('information_schema.TABLES'))) {
      expect(a.sql).toMatch(/^SELECT \/\*\+ MAX_EXECUTION_TIME\(30000\) \*\/ /);
    }
  });

  it('the redo log from innodb_redo_log_capacity (8.0.30+), counters and sizes as read', async () => {
    const { db } = fakeServer('8.0.36', mysqlVars);
    const t = await collectTuner(db, options);
    expect(t.redoLog).toEqual({ bytes: 104857600, source: 'innodb_redo_log_capacity' });
    expect(t.counters).toMatchObject({ selectFullJoin: 12, createdTmpDiskTables: 4, connections: 90 });
    expect(t.counters.tableOpenCacheHits).toBeUndefined();
    expect(t.innodbDataBytes).toBe(2147483648);
    expect(t.tablesWithoutPrimaryKey).toEqual({ count: 1, names: ['booking.audit_log'] });
  });

  it('system schemas are left out of the table checks unless schemas are named', async () => {
    const { db, asked } = fakeServer('8.0.36', mysqlVars);
    await collectTuner(db, options);
    const pk = asked.find((a) => a.sql.includes('PRIMARY KEY'))!;
    expect(pk.sql).toContain('t.TABLE_SCHEMA NOT IN (?)');
    expect(pk.values).toEqual([['mysql', 'sys', 'information_schema', 'performance_schema']]);
  });

  it('accounts from mysql.user: flags only, the authentication string compared on the server', async () => {
    const rows = [
      { u: 'app', h: '%', p: 'caching_sha2_password', empty_auth: 0, locked: 0, is_role: 0 },
      { u: 'root', h: '%', p: 'caching_sha2_password', empty_auth: 1, locked: 0, is_role: 0 },
      { u: 'mysql.sys', h: 'localhost', p: 'caching_sha2_password', empty_auth: 1, locked: 1, is_role: 0 },
    ];
    const { db, asked } = fakeServer('8.0.36', mysqlVars, rows);
    const t = await collectTuner(db, options);
    const sql = asked.find((a) => a.sql.includes('mysql.user'))!.sql;
    expect(sql).toContain("authentication_string = '' AS empty_auth");
    expect(sql).not.toMatch(/authentication_string\s*(,|AS \w+\s*,|FROM)/);
    expect(t.accounts).toEqual({ noPassword: ["'root'@'%'"], anonymous: [], rootFromAnyHost: ["'root'@'%'"] });
  });

  it('no privilege on the account table: the reason names the grant, the rest is still collected', async () => {
    const denied = Object.assign(new Error("SELECT command denied to user 'dbkeeper'@'%' for table 'user'"), {
      errno: 1142,
    });
    const { db } = fakeServer('8.0.36', mysqlVars, denied);
    const t = await collectTuner(db, options);
    expect(t.accounts).toBeNull();
    expect(t.reasons.accounts).toBe(
      'no privilege to read mysql.user (GRANT SELECT ON mysql.user TO the dbkeeper user, or turn accountChecks off)',
    );
    expect(t.innodbDataBytes).toBe(2147483648);
  });

  it('another error (a lost connection) is not swallowed', async () => {
    const lost = Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' });
    const { db } = fakeServer('8.0.36', mysqlVars, lost);
    await expect(collectTuner(db, options)).rejects.toThrow('Connection lost');
  });
});

describe('collectTuner on recorded MariaDB facts', () => {
  it('reads global_priv JSON for accounts and the single redo file; no stats-expiry statement', async () => {
    const { db, asked } = fakeServer('10.11.19-MariaDB', {
      innodb_buffer_pool_size: '134217728',
      innodb_log_file_size: '100663296',
    });
    const t = await collectTuner(db, options);
    expect(asked.some((a) => a.sql.startsWith('SET SESSION information_schema_stats_expiry'))).toBe(false);
    expect(asked.find((a) => a.sql.includes('mysql.'))!.sql).toContain('FROM mysql.global_priv');
    expect(t.redoLog).toEqual({ bytes: 100663296, source: 'innodb_log_file_size' });
    expect(asked.find((a) => a.sql.includes('SUM(DATA_LENGTH'))!.sql).toMatch(
      /^SET STATEMENT max_statement_time = \? FOR SELECT/,
    );
  });
  it('accounts off: the account table is not read', async () => {
    const { db, asked } = fakeServer('10.11.19-MariaDB', { innodb_buffer_pool_size: '134217728' });
    const t = await collectTuner(db, { ...options, accountChecks: false });
    expect(asked.some((a) => a.sql.includes('mysql.'))).toBe(false);
    expect(t.accounts).toBeNull();
  });
});
