import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { detectDialect } from '../../src/db/dialect.js';
import { collectPerformanceReview } from '../../jobs/performance-review/collect.js';
import type { ReviewPeriod } from '../../jobs/performance-review/facts.js';

const october: ReviewPeriod = {
  from: new Date('2026-10-01T00:00:00Z'),
  to: new Date('2026-11-01T00:00:00Z'),
  label: '2026-10',
  partial: false,
};

interface Server {
  version: string;
  ps: 0 | 1;
  slowLog: 0 | 1;
  logOutput: string;
  digests?: Record<string, unknown>[];
  slowRows?: Record<string, unknown>[];
  baseline?: { takenAt: Date; rows: Record<string, unknown>[] };
}

/** A recorded server answering collectPerformanceReview's statements; remembers what it was asked. */
function fake(s: Server) {
  const asked: string[] = [];
  const db = {
    dialect: detectDialect(s.version),
    schema: 'dbkeeper',
    async query<T>(sql: string): Promise<T> {
      asked.push(sql);
      if (sql.includes('@@performance_schema'))
        return [
          {
            ps: s.ps,
            sql_on: s.slowLog,
            log_output: s.logOutput,
            lqt: 1,
            slow_file: 'db-slow.log',
            datadir: '/var/lib/mysql/',
            host: 'db1',
            port: 3306,
            server_id: 1,
            max_conn: 500,
            version: s.version,
            epoch_ms: 1796061331000,
          },
        ] as T;
      if (sql.startsWith('SHOW GLOBAL STATUS'))
        return [
          { Variable_name: 'Uptime', Value: '86400' },
          { Variable_name: 'Threads_connected', Value: '20' },
          { Variable_name: 'Max_used_connections', Value: '90' },
        ] as T;
      if (sql.includes('dbkeeper_snapshots')) return [] as T;
      if (sql.includes('MIN(taken_at)')) return [{ t: s.baseline?.takenAt ?? null }] as T;
      if (sql.includes('dbkeeper_digest_baselines')) return (s.baseline?.rows ?? []) as T;
      if (sql.includes('events_statements_summary_by_digest')) return (s.digests ?? []) as T;
      throw new Error(`unexpected SQL: ${sql}`);
    },
    conn: {
      connection: {
        query(sql: string) {
          asked.push(sql);
          return { stream: () => Readable.from(s.slowRows ?? []) };
        },
      },
    },
  };
  return { db: db as unknown as Parameters<typeof collectPerformanceReview>[0], asked };
}

const opts = { maxSlowLogEntries: 1000, signal: new AbortController().signal, workerHost: 'worker1' };

describe('collectPerformanceReview source order', () => {
  it('MySQL 8 with performance_schema: digests with QUANTILE_95 as p95, converted from picoseconds', async () => {
    const { db, asked } = fake({
      version: '8.0.36',
      ps: 1,
      slowLog: 1,
      logOutput: 'TABLE',
      digests: [
        {
          s: 'booking',
          digest: 'abc',
          text: 'SELECT * FROM `appointments` WHERE `id` = ?',
          n: 1000,
          sum_us: '2500000',
          max_us: '90000',
          p95_us: '4000',
          rows_examined: 1000,
          first_seen: new Date('2026-09-01T00:00:00Z'),
          last_seen: new Date('2026-10-31T00:00:00Z'),
        },
      ],
    });
    const f = await collectPerformanceReview(db, october, opts);
    expect(f.source).toBe('performance_schema');
    expect(f.statements).toEqual([
      {
        fingerprint: 'SELECT * FROM `appointments` WHERE `id` = ?',
        schema: 'booking',
        count: 1000,
        totalSeconds: 2.5,
        maxSeconds: 0.09,
        p95Seconds: 0.004,
        rowsExamined: 1000,
      },
    ]);
    expect(f.digestsSince).toEqual(new Date('2026-09-01T00:00:00Z'));
    expect(asked.find((q) => q.includes('events_statements_summary_by_digest'))).toContain('QUANTILE_95 DIV 1000000');
    expect(asked.some((q) => q.includes('mysql.slow_log'))).toBe(false);
  });

  it('MySQL 8 with the baseline the previous review stored at the month start: counts since then', async () => {
    const first = new Date('2026-09-01T00:00:00Z');
    const { db } = fake({
      version: '8.0.36',
      ps: 1,
      slowLog: 0,
      logOutput: 'FILE',
      digests: [
        {
          s: 'booking',
          digest: 'abc',
          text: 'SELECT a',
          n: 1000,
          sum_us: '2500000',
          max_us: '90000',
          p95_us: '4000',
          rows_examined: 1000,
          first_seen: first,
          last_seen: new Date('2026-10-31T00:00:00Z'),
        },
        {
          s: 'booking',
          digest: 'old',
          text: 'SELECT b',
          n: 50,
          sum_us: '100',
          max_us: '9',
          p95_us: '3',
          rows_examined: 5,
          first_seen: first,
          last_seen: new Date('2026-09-15T00:00:00Z'),
        },
      ],
      baseline: {
        takenAt: new Date('2026-10-01T04:30:00Z'),
        rows: [
          {
            schema_name: 'booking',
            digest: 'abc',
            count_star: 400,
            sum_us: 500000,
            rows_examined: 400,
            first_seen: first,
          },
          { schema_name: 'booking', digest: 'old', count_star: 50, sum_us: 100, rows_examined: 5, first_seen: first },
        ],
      },
    });
    const f = await collectPerformanceReview(db, october, opts);
    expect(f.digestBaselineAt).toEqual(new Date('2026-10-01T04:30:00Z'));
    expect(f.digestsSince).toBeNull();
    expect(f.statements.map((s) => [s.fingerprint, s.count, s.totalSeconds])).toEqual([['SELECT a', 600, 2]]);
    expect(f.digestRows).toHaveLength(2);
  });

  it('MariaDB with performance_schema ON: digests without p95 (the server has no quantiles)', async () => {
    const { db, asked } = fake({
      version: '10.11.19-MariaDB',
      ps: 1,
      slowLog: 0,
      logOutput: 'FILE',
      digests: [
        {
          s: null,
          digest: 'd1',
          text: 'SELECT ?',
          n: 3,
          sum_us: '30',
          max_us: '20',
          p95_us: null,
          rows_examined: 0,
          first_seen: new Date('2026-10-05T00:00:00Z'),
        },
      ],
    });
    const f = await collectPerformanceReview(db, october, opts);
    expect(f.statements[0]).toMatchObject({ count: 3, p95Seconds: null, schema: null });
    expect(f.digestsSince).toBeNull();
    expect(asked.find((q) => q.includes('events_statements_summary_by_digest'))).toContain('NULL AS p95_us');
  });

  it('performance_schema ON but no digests: falls through to the slow log table, grouped by fingerprint', async () => {
    const { db } = fake({
      version: '8.0.36',
      ps: 1,
      slowLog: 1,
      logOutput: 'FILE,TABLE',
      slowRows: [
        { secs: '1.500000', db: 'booking', rows_examined: 10, sql_text: 'SELECT * FROM t WHERE id = 1' },
        { secs: '2.500000', db: 'booking', rows_examined: 10, sql_text: 'select * from t where id = 2' },
      ],
    });
    const f = await collectPerformanceReview(db, october, opts);
    expect(f.attempts.map((a) => [a.source, a.used])).toEqual([
      ['performance_schema', false],
      ['slow_log_table', true],
    ]);
    expect(f.attempts[0]!.note).toContain('no statement digests');
    expect(f.statements).toHaveLength(1);
    expect(f.statements[0]).toMatchObject({
      fingerprint: 'select * from t where id = ?',
      count: 2,
      totalSeconds: 4,
      p95Seconds: 2.5,
    });
  });

  it('maxSlowLogEntries stops the read and says so', async () => {
    const slowRows = Array.from({ length: 5 }, (_, i) => ({
      secs: '1',
      db: 'b',
      rows_examined: 1,
      sql_text: `select ${i}`,
    }));
    const f = await collectPerformanceReview(
      fake({ version: '10.11.19-MariaDB', ps: 0, slowLog: 1, logOutput: 'TABLE', slowRows }).db,
      october,
      { ...opts, maxSlowLogEntries: 3 },
    );
    expect([f.entriesRead, f.truncated]).toEqual([3, true]);
  });

  it('slow log to FILE on another host than the worker: not available, and why', async () => {
    const f = await collectPerformanceReview(
      fake({ version: '10.11.19-MariaDB', ps: 0, slowLog: 1, logOutput: 'FILE' }).db,
      october,
      opts,
    );
    expect(f.source).toBeNull();
    expect(f.attempts.map((a) => a.note)).toEqual([
      'performance_schema is OFF (turning it on needs the server config and a restart)',
      'log_output is FILE, without TABLE',
      "the file /var/lib/mysql/db-slow.log is on the database host db1, not on the worker's host worker1",
    ]);
  });
});
