import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthConfigSchema } from '../../jobs/health/config.js';
import { healthJob } from '../../jobs/health/job.js';
import { apiCountStatement, apiDurationsStatement } from '../../jobs/health/platform-sql.js';
import type { App } from '../../src/app/bootstrap.js';
import { apiCallLogsTableSql } from '../../src/demo/platform-tables.js';
import type { Figure, ReportSection } from '../../src/job/report-sections.js';
import { runJob } from '../../src/runner/run-job.js';
import { createTestSchema, silentLogger, testApp, type TestSchema } from '../helpers/test-db.js';

/** api_call_logs as the platform builds it, monthly-style RANGE partitions around the server's now: the 24 h window
 * lies wholly in p_cur; p_old and p_prev hold older calls, pmax future ones. Each outside row is far slower than any
 * row in the window, so reading one of them would move the percentiles. */
let ts: TestSchema;
let app: App;
let nowS: number;
const IN_WINDOW = 1000;

beforeAll(async () => {
  ts = await createTestSchema();
  app = await testApp(ts.name);
  await ts.admin.query("SET SESSION time_zone = '+00:00'");
  const [clock] = await ts.admin.query<RowDataPacket[]>('SELECT UNIX_TIMESTAMP() AS s');
  nowS = Number(clock[0]!.s);
  await ts.admin.query(
    apiCallLogsTableSql('api_call_logs', [
      `PARTITION p_old VALUES LESS THAN (${nowS - 10 * 86_400})`,
      `PARTITION p_prev VALUES LESS THAN (${nowS - 2 * 86_400})`,
      `PARTITION p_cur VALUES LESS THAN (${nowS + 10 * 86_400})`,
      'PARTITION pmax VALUES LESS THAN MAXVALUE',
    ]),
  );
  // In the window: durations 3, 6, …, 3000 ms rising with time; every 40th call a 503.
  const rows: unknown[][] = [];
  for (let i = 0; i < IN_WINDOW; i += 1) {
    rows.push([
      1 + (i % 5),
      i % 3 === 0 ? '/v1/bookings' : '/v1/availability',
      i % 40 === 0 ? 503 : 200,
      3 * (i + 1),
      new Date((nowS - 86_400 + 600 + i * 80) * 1000),
    ]);
  }
  for (let i = 0; i < 300; i += 1)
    rows.push([1, '/v1/bookings', 200, 100_000, new Date((nowS - 20 * 86_400 + i) * 1000)]);
  for (let i = 0; i < 300; i += 1)
    rows.push([1, '/v1/bookings', 200, 90_000, new Date((nowS - 3 * 86_400 + i) * 1000)]);
  for (let i = 0; i < 300; i += 1)
    rows.push([1, '/v1/bookings', 500, 80_000, new Date((nowS + 20 * 86_400 + i) * 1000)]);
  await ts.admin.query(
    'INSERT INTO api_call_logs (company_id, endpoint, status_code, duration_ms, created_at) VALUES ?',
    [rows],
  );
  await ts.admin.query(
    'CREATE TABLE booking_attempts (id INT AUTO_INCREMENT PRIMARY KEY, created_at DATETIME NOT NULL, ' +
      'outcome VARCHAR(20) NOT NULL)',
  );
  const attempts: unknown[][] = [];
  for (let i = 0; i < 2000; i += 1)
    attempts.push([new Date((nowS - 86_400 + 600 + i * 40) * 1000), i === 7 || i === 1500 ? 'conflict' : 'confirmed']);
  // Yesterday's failures are outside the window.
  for (let i = 0; i < 50; i += 1) attempts.push([new Date((nowS - 2 * 86_400) * 1000), 'conflict']);
  await ts.admin.query('INSERT INTO booking_attempts (created_at, outcome) VALUES ?', [attempts]);
});

afterAll(async () => {
  await app?.db.close();
  await ts?.drop();
});

async function runHealth(overrides: Record<string, unknown> = {}) {
  const config = {
    ...app.config,
    jobs: { ...app.config.jobs, health: healthConfigSchema.parse({ ...overrides, indexUsageSnapshot: false }) },
  };
  const outcome = await runJob({ db: app.db, config, log: silentLogger() }, healthJob, {
    trigger: 'manual',
    dryRun: true,
  });
  expect(outcome.error).toBeUndefined();
  return outcome.result!;
}

function figure(sections: ReportSection[] | undefined, label: string): Figure {
  for (const s of sections ?? []) if (s.kind === 'figures') for (const f of s.figures) if (f.label === label) return f;
  throw new Error(`no figure ${label}`);
}

describe('API response time from api_call_logs', () => {
  it('a day of calls with a known p95 gives exactly that p95 (nearest rank), p50 and p99 beside it', async () => {
    const result = await runHealth();
    // 1000 calls: ranks ceil(0.50 × 1000) = 500, 950, 990 → 3 × rank ms.
    expect(figure(result.sections, 'API response time p95')).toMatchObject({ value: 2850, unit: 'ms', status: 'fail' });
    expect(figure(result.sections, 'API response time p95').note).toContain(
      'p50 1500 ms, p99 2970 ms (nearest rank, all 1000 calls)',
    );
    // 25 of 1000 calls are 503: 2.5 %, above the 1 % warn limit.
    expect(figure(result.sections, 'API error share')).toMatchObject({ value: 2.5, status: 'warn' });
  });

  it('reads only the partitions that cover the window', async () => {
    const c = healthConfigSchema.parse({}).apiResponse;
    const to = new Date(nowS * 1000);
    const from = new Date((nowS - 86_400) * 1000);
    const explain = app.db.dialect.flavor === 'mariadb' ? 'EXPLAIN PARTITIONS' : 'EXPLAIN';
    for (const st of [
      apiCountStatement(c, ts.name, from, to),
      apiDurationsStatement(c, ts.name, from, to, 1, 1000),
      apiDurationsStatement(c, ts.name, from, to, 0.1, 1000),
    ]) {
      const [plan] = await ts.admin.query<RowDataPacket[]>(`${explain} ${st.sql}`, st.values);
      expect(plan.map((r) => r.partitions)).toEqual(['p_cur']);
    }
  });

  it('above the row cap: a sample spread over the whole window, and the report says so', async () => {
    const result = await runHealth({ apiResponse: { maxRows: 100 } });
    const f = figure(result.sections, 'API response time p95');
    const ranked = /sampled: (\d+) of 1000 calls spread over the window/.exec(String(f.note));
    expect(ranked).not.toBeNull();
    expect(Number(ranked![1])).toBeGreaterThan(50);
    expect(Number(ranked![1])).toBeLessThanOrEqual(100);
    // Durations rise with time: the first 100 rows would give a p95 of at most 300 ms.
    expect(Number(f.value)).toBeGreaterThan(2400);
    const p50 = Number(/p50 (\d+) ms/.exec(String(f.note))![1]);
    expect(p50).toBeGreaterThan(900);
    expect(p50).toBeLessThan(2100);
    // The error share is still counted over every call.
    expect(figure(result.sections, 'API error share')).toMatchObject({ value: 2.5 });
  });

  it('a table that does not exist: n/a naming it, the run still succeeds', async () => {
    const result = await runHealth({ apiResponse: { table: 'no_such_table' } });
    expect(figure(result.sections, 'API response time p95')).toMatchObject({
      value: null,
      status: 'n/a',
      note: `table ${ts.name}.no_such_table does not exist`,
    });
  });

  it('a column that does not exist: n/a with the server message', async () => {
    const result = await runHealth({ apiResponse: { durationColumn: 'took_ms' } });
    expect(figure(result.sections, 'API response time p95').note).toMatch(
      /Unknown column 'took_ms'.*check the column names in config/,
    );
  });

  it('the statement time limit stops a slow read: n/a saying so', async () => {
    // A view over a three-way self-join (10^10 rows) is far too slow for a 1 s limit; config still names a table.
    await ts.admin.query(
      'CREATE VIEW slow_calls AS SELECT a.id, a.created_at, a.status_code, a.duration_ms ' +
        'FROM api_call_logs a, api_call_logs b, api_call_logs c',
    );
    const result = await runHealth({ apiResponse: { table: 'slow_calls', timeLimitSeconds: 1 } });
    expect(figure(result.sections, 'API response time p95').note).toBe(
      `stopped by the statement time limit (1 s) while reading ${ts.name}.slow_calls`,
    );
  }, 30_000);
});

describe('booking success rate', () => {
  const booking = {
    enabled: true,
    table: 'booking_attempts',
    timeColumn: 'created_at',
    statusColumn: 'outcome',
    successValues: ['confirmed'],
  };

  it('is off until configured', async () => {
    const result = await runHealth();
    expect(() => figure(result.sections, 'Booking success rate')).toThrow('no figure');
  });

  it('2 conflicts in 2000 attempts of the last 24 h: 99.9 %, within the 99.9 % target', async () => {
    const result = await runHealth({ bookingSuccess: booking });
    expect(figure(result.sections, 'Booking success rate')).toMatchObject({ value: 99.9, status: 'ok' });
    expect(figure(result.sections, 'Booking success rate').note).toContain('1998 of 2000 with outcome in confirmed');
  });

  it('a stricter target warns', async () => {
    const result = await runHealth({ bookingSuccess: { ...booking, successPercentWarn: 99.95 } });
    expect(figure(result.sections, 'Booking success rate')).toMatchObject({ value: 99.9, status: 'warn' });
  });

  it('counted from api_call_logs with a filter: booking calls only', async () => {
    const result = await runHealth({
      bookingSuccess: {
        enabled: true,
        table: 'api_call_logs',
        timeColumn: 'created_at',
        statusColumn: 'status_code',
        successValues: [200, 201],
        filterColumn: 'endpoint',
        filterValues: ['/v1/bookings'],
      },
    });
    // Booking calls in the window: i % 3 = 0 (334); errors among them: i % 120 = 0 (9).
    expect(figure(result.sections, 'Booking success rate')).toMatchObject({ value: 97.3, status: 'fail' });
    expect(figure(result.sections, 'Booking success rate').note).toContain('325 of 334');
  });
});
