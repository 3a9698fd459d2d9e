import { describe, expect, it } from 'vitest';
import { healthConfigSchema } from '../../jobs/health/config.js';
import { boundSelect } from '../../jobs/health/bounded-select.js';
import type { ApiResponseFacts, BookingSuccessFacts } from '../../jobs/health/platform-collect.js';
import { apiResponseFigures, bookingSuccessFigure } from '../../jobs/health/platform-figures.js';
import { apiCountStatement, apiDurationsStatement, bookingCountStatement } from '../../jobs/health/platform-sql.js';
import { detectDialect } from '../../src/db/dialect.js';

const config = healthConfigSchema.parse({});
const api = config.apiResponse;
const FROM = new Date('2026-11-28T03:15:00Z');
const TO = new Date('2026-11-29T03:15:00Z');

function apiFacts(over: Partial<ApiResponseFacts> = {}): ApiResponseFacts {
  return {
    from: FROM.toISOString(),
    to: TO.toISOString(),
    table: 'booking.api_call_logs',
    calls: 1000,
    errors: 5,
    ranked: 1000,
    sampled: false,
    p50: 40,
    p95: 150,
    p99: 420,
    ...over,
  };
}

describe('API response time figures', () => {
  it.each([
    [200, 'ok'],
    [201, 'warn'],
    [1000, 'warn'],
    [1001, 'fail'],
  ] as const)('p95 %s ms against ≤ 200 (fail above 1000) is %s', (p95, status) => {
    expect(apiResponseFigures(apiFacts({ p95 }), api)[0]).toMatchObject({
      label: 'API response time p95',
      value: p95,
      status,
    });
  });

  it('shows p50 and p99 beside p95, and says the ranks cover every call', () => {
    const [p95] = apiResponseFigures(apiFacts(), api);
    expect(p95!.note).toContain('p50 40 ms, p99 420 ms (nearest rank, all 1000 calls)');
    expect(p95!.threshold).toBe('≤ 200 ms (fail above 1000 ms)');
  });

  it('says when the percentiles come from a sample', () => {
    const [p95] = apiResponseFigures(apiFacts({ calls: 5_000_000, ranked: 199_000, sampled: true }), api);
    expect(p95!.note).toContain('sampled: 199000 of 5000000 calls spread over the window');
  });

  it.each([
    [10, 'ok'],
    [11, 'warn'],
    [51, 'fail'],
  ] as const)('%s errors in 1000 calls: error share judged %s', (errors, status) => {
    expect(apiResponseFigures(apiFacts({ errors }), api)[1]).toMatchObject({
      label: 'API error share',
      value: errors / 10,
      status,
    });
  });

  it('names what counts as an error', () => {
    const c = healthConfigSchema.parse({ apiResponse: { errorStatusValues: [429] } }).apiResponse;
    expect(apiResponseFigures(apiFacts(), c)[1]!.note).toContain('with status ≥ 500 or status in 429');
  });

  it('no table or no calls: n/a with the reason, never 0', () => {
    const missing = apiResponseFigures(
      apiFacts({
        calls: null,
        errors: null,
        p50: null,
        p95: null,
        p99: null,
        reason: 'table booking.api_call_logs does not exist',
      }),
      api,
    );
    expect(missing.map((f) => [f.value, f.status, f.note])).toEqual([
      [null, 'n/a', 'table booking.api_call_logs does not exist'],
      [null, 'n/a', 'table booking.api_call_logs does not exist'],
    ]);
    const quiet = apiResponseFigures(
      apiFacts({ calls: 0, errors: 0, ranked: 0, p50: null, p95: null, p99: null }),
      api,
    );
    expect(quiet.map((f) => f.status)).toEqual(['n/a', 'n/a']);
    expect(quiet[0]!.note).toMatch(/^no calls in booking\.api_call_logs/);
  });
});

describe('booking success rate figure', () => {
  const booking = healthConfigSchema.parse({
    bookingSuccess: {
      enabled: true,
      table: 'bookings',
      timeColumn: 'created_at',
      statusColumn: 'status',
      successValues: ['confirmed'],
    },
  }).bookingSuccess;
  const facts = (rows: number, successes: number): BookingSuccessFacts => ({
    from: FROM.toISOString(),
    to: TO.toISOString(),
    table: 'booking.bookings',
    rows,
    successes,
  });

  it.each([
    [1000, 1000, 100, 'ok'],
    [1000, 999, 99.9, 'ok'],
    [10000, 9989, 99.89, 'warn'],
    [1000, 990, 99, 'warn'],
    [1000, 989, 98.9, 'fail'],
  ] as const)('%s bookings, %s successes: %s %% is %s', (rows, ok, pct, status) => {
    const f = bookingSuccessFigure(facts(rows, ok), booking);
    expect(f).toMatchObject({ value: pct, status });
  });

  it('never rounds a rate up past the limit: 99.899 % is shown as 99.89 % and warns', () => {
    expect(bookingSuccessFigure(facts(100_000, 99_899), booking)).toMatchObject({ value: 99.89, status: 'warn' });
  });

  it('no bookings in the window: n/a', () =>
    expect(bookingSuccessFigure(facts(0, 0), booking)).toMatchObject({ value: null, status: 'n/a' }));
});

describe('platform config: names and literal values only', () => {
  it('a bad column name fails validation naming the field', () => {
    const r = healthConfigSchema.safeParse({ apiResponse: { durationColumn: 'duration_ms ' } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['apiResponse', 'durationColumn']);
  });
  it('booking success is off until configured; turned on, every name is required', () => {
    expect(config.bookingSuccess.enabled).toBe(false);
    const r = healthConfigSchema.safeParse({ bookingSuccess: { enabled: true, table: 'bookings' } });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual([
      'bookingSuccess.timeColumn',
      'bookingSuccess.statusColumn',
      'bookingSuccess.successValues',
    ]);
  });
  it('an unknown key (e.g. a where clause) is refused', () => {
    expect(healthConfigSchema.safeParse({ bookingSuccess: { where: '1=1' } }).success).toBe(false);
  });
  it('warn limits must not pass fail limits', () => {
    const r = healthConfigSchema.safeParse({ apiResponse: { p95MsWarn: 500, p95MsFail: 300 } });
    expect(r.error!.issues[0]!.path).toEqual(['apiResponse', 'p95MsWarn']);
  });
});

describe('platform statements', () => {
  const odd = healthConfigSchema.parse({
    apiResponse: { table: 'api`logs', durationColumn: 'took ms', errorStatusValues: [429, 'x'] },
  }).apiResponse;

  it('names are quoted, values are placeholders', () => {
    const st = apiCountStatement(odd, 'shop', FROM, TO);
    expect(st.sql).toContain('FROM `shop`.`api``logs` WHERE `created_at` >= ? AND `created_at` < ?');
    expect(st.sql).toContain('CASE WHEN `status_code` >= ? OR `status_code` IN (?) THEN 1');
    expect(st.values).toEqual([500, [429, 'x'], FROM, TO]);
  });

  it('all durations while under the cap; a seeded Bernoulli sample over the whole window above it', () => {
    expect(apiDurationsStatement(odd, 'shop', FROM, TO, 1, 100).sql).not.toContain('RAND');
    const st = apiDurationsStatement(odd, 'shop', FROM, TO, 0.01, 100);
    expect(st.sql).toContain('`took ms` IS NOT NULL AND RAND(?) < ? LIMIT ?');
    expect(st.values).toEqual([FROM, TO, 19, 0.01, 100]);
  });

  it('booking success: the filter and success values are bound values', () => {
    const c = healthConfigSchema.parse({
      bookingSuccess: {
        enabled: true,
        table: 'api_call_logs',
        timeColumn: 'created_at',
        statusColumn: 'status_code',
        successValues: [200, 201],
        filterColumn: 'endpoint',
        filterValues: ["/v1/bookings' OR 1=1 --"],
      },
    }).bookingSuccess;
    const st = bookingCountStatement(c, 'shop', FROM, TO);
    expect(st.sql).toContain('AND `endpoint` IN (?)');
    expect(st.sql).not.toContain('OR 1=1');
    expect(st.values).toEqual([[200, 201], FROM, TO, ["/v1/bookings' OR 1=1 --"]]);
  });

  it('each statement runs under its own time limit: SET STATEMENT on MariaDB, the hint on MySQL', () => {
    const maria = boundSelect(detectDialect('10.11.19-MariaDB'), 30, 'SELECT 1 FROM t WHERE a = ?', [5]);
    expect(maria).toEqual({
      sql: 'SET STATEMENT max_statement_time = ? FOR SELECT 1 FROM t WHERE a = ?',
      values: [30, 5],
    });
    const mysql = boundSelect(detectDialect('8.0.36'), 30, 'SELECT 1 FROM t WHERE a = ?', [5]);
    expect(mysql).toEqual({ sql: 'SELECT /*+ MAX_EXECUTION_TIME(30000) */ 1 FROM t WHERE a = ?', values: [5] });
    expect(() => boundSelect(detectDialect('8.0.36'), 1.5, 'SELECT 1', [])).toThrow(RangeError);
  });
});
