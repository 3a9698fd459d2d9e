import { describe, expect, it } from 'vitest';
import { detectDialect } from '../../src/db/dialect.js';
import { collectHealth } from '../../jobs/health/collect.js';

type Rows = Record<string, unknown>[];

/** A recorded server: answers collectHealth's statements from fixed facts, and records what was asked. */
function fakeServer(
  version: string,
  status: Record<string, string>,
  vars: Record<string, string>,
  extra: { metrics?: Rows; ps?: Rows; replica?: Rows | Error } = {},
) {
  const asked: string[] = [];
  const filter = (all: Record<string, string>, names: string[]) =>
    Object.entries(all)
      .filter(([k]) => names.includes(k.toUpperCase()))
      .map(([Variable_name, Value]) => ({ Variable_name, Value }));
  const db = {
    dialect: detectDialect(version),
    database: 'booking',
    async query<T>(sql: string, values?: unknown[]): Promise<T> {
      asked.push(sql);
      const v = (values?.[0] ?? []) as string[];
      let rows: Rows;
      if (sql.startsWith('SHOW GLOBAL STATUS')) rows = filter(status, v);
      else if (sql.startsWith('SHOW GLOBAL VARIABLES')) rows = filter(vars, v);
      else if (sql.includes('@@hostname'))
        rows = [{ host: 'db1', port: 3306, server_id: 7, version, epoch_ms: '1764472500123.000' }];
      else if (sql.includes('INNODB_METRICS')) rows = (extra.metrics ?? []).filter((r) => v.includes(String(r.NAME)));
      else if (sql.includes('performance_schema')) rows = extra.ps ?? [];
      else if (/SHOW (ALL SLAVES|REPLICA|SLAVE) STATUS/.test(sql)) {
        if (extra.replica instanceof Error) throw extra.replica;
        rows = extra.replica ?? [];
      } else if (sql.includes('information_schema.TABLES'))
        rows = [{ s: 'booking', t: 'appointments', bytes: '2097152', rows: 1000 }];
      else throw new Error(`unexpected SQL: ${sql}`);
      return rows as T;
    },
  };
  return { db, asked };
}

const commonStatus = {
  Questions: '1000',
  Slow_queries: '4',
  Innodb_row_lock_waits: '2',
  Innodb_row_lock_time: '30',
  Aborted_connects: '1',
  Aborted_clients: '0',
  Connection_errors_max_connections: '0',
  Innodb_buffer_pool_read_requests: '5000',
  Innodb_buffer_pool_reads: '50',
  Uptime: '3600',
  Threads_connected: '12',
  Max_used_connections: '40',
};

describe('collectHealth', () => {
  it('MariaDB with performance_schema OFF: deadlocks and history from status, no statement timers (with the reason)', async () => {
    const { db, asked } = fakeServer(
      '10.11.19-MariaDB',
      { ...commonStatus, Innodb_deadlocks: '2', Innodb_history_list_length: '17' },
      { max_connections: '151', performance_schema: 'OFF', long_query_time: '10.000000', slow_query_log: 'OFF' },
    );
    const f = await collectHealth(db, { largestTables: 5 });
    expect(f.counters).toMatchObject({ deadlocks: 2, questions: 1000, slowQueries: 4, refusedConnections: 0 });
    expect(f.counters.statementCount).toBeUndefined();
    expect(f.unavailable.statementCount).toMatch(/performance_schema is OFF/);
    expect(f).toMatchObject({
      historyListLength: 17,
      maxConnections: 151,
      threadsConnected: 12,
      maxUsedConnections: 40,
      longQueryTimeSeconds: 10,
      slowQueryLog: false,
    });
    expect(f).toMatchObject({ serverKey: 'db1:3306/7', serverEpochMs: 1764472500123, replica: null });
    expect(f.tables).toEqual([{ schema: 'booking', table: 'appointments', bytes: 2097152, rows: 1000 }]);
    expect(asked.some((s) => s.includes('INNODB_METRICS'))).toBe(false);
    expect(asked.some((s) => s.includes('performance_schema.'))).toBe(false);
    expect(asked).toContain('SHOW ALL SLAVES STATUS');
  });

  it('MySQL 8: deadlocks and history from INNODB_METRICS, statement time from performance_schema', async () => {
    const { db, asked } = fakeServer(
      '8.0.36',
      commonStatus,
      { max_connections: '500', performance_schema: 'ON', long_query_time: '1.000000', slow_query_log: 'ON' },
      {
        metrics: [
          { NAME: 'lock_deadlocks', cnt: 5, STATUS: 'enabled' },
          { NAME: 'trx_rseg_history_len', cnt: 2048, STATUS: 'enabled' },
        ],
        ps: [{ n: '9000', us: '4500000' }],
        replica: [
          {
            Channel_Name: '',
            Replica_IO_Running: 'Yes',
            Replica_SQL_Running: 'Yes',
            Seconds_Behind_Source: 3,
            Last_Error: '',
          },
        ],
      },
    );
    const f = await collectHealth(db, { largestTables: 5 });
    expect(f.counters).toMatchObject({ deadlocks: 5, statementCount: 9000, statementTimeUs: 4_500_000 });
    expect(f.unavailable).toEqual({});
    expect(f.historyListLength).toBe(2048);
    expect(f.replica).toEqual([{ name: '', ioRunning: true, sqlRunning: true, lagSeconds: 3, lastError: null }]);
    expect(asked).toContain('SHOW REPLICA STATUS');
  });

  it('MySQL with lock_deadlocks disabled: not available with how to enable it, never 0', async () => {
    const { db } = fakeServer(
      '8.0.36',
      commonStatus,
      { max_connections: '500', performance_schema: 'OFF', long_query_time: '1', slow_query_log: 'ON' },
      {
        metrics: [{ NAME: 'lock_deadlocks', cnt: 0, STATUS: 'disabled' }],
      },
    );
    const f = await collectHealth(db, { largestTables: 5 });
    expect(f.counters.deadlocks).toBeUndefined();
    expect(f.unavailable.deadlocks).toContain("innodb_monitor_enable = 'lock_deadlocks'");
    expect(f.historyListLength).toBeNull();
    expect(f.historyListReason).toContain('trx_rseg_history_len');
  });

  it('replica status not readable (privilege): said, not treated as "not a replica" silently', async () => {
    const { db } = fakeServer(
      '10.11.19-MariaDB',
      { ...commonStatus, Innodb_deadlocks: '0', Innodb_history_list_length: '0' },
      { max_connections: '151', performance_schema: 'OFF', long_query_time: '1', slow_query_log: 'ON' },
      {
        replica: new Error('Access denied; you need (at least one of) the REPLICA MONITOR privilege(s)'),
      },
    );
    const f = await collectHealth(db, { largestTables: 5 });
    expect(f.replica).toBeNull();
    expect(f.replicaReason).toContain('REPLICA MONITOR');
  });
});
