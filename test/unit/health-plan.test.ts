import { describe, expect, it } from 'vitest';
import {
  detectDialect,
  deadlockCounterSource,
  digestQuantile95Column,
  historyListSource,
} from '../../src/db/dialect.js';
import type { HealthFacts, StoredSnapshot } from '../../jobs/health/facts.js';
import { healthConfigSchema, type HealthConfig } from '../../jobs/health/config.js';
import { judgeAbove, judgeBelow } from '../../jobs/health/judge.js';
import { planHealth } from '../../jobs/health/plan.js';
import { healthWindow, hours, perDayBasis } from '../../jobs/health/window.js';
import type { Figure } from '../../src/job/report-sections.js';

// The job's own keys as its schema's defaults make them.
const { enabled: _e, schedule: _s, catchUp: _c, timezone: _t, ...ownKeys } = healthConfigSchema.parse({});
const policy: HealthConfig = healthConfigSchema.parse(ownKeys);

const T0 = Date.parse('2026-11-29T03:15:00Z');
const DAY = 86_400_000;

/** A recorded MariaDB 10.11 snapshot (performance_schema off), shaped like collectHealth's output. */
function mariadb(over: Partial<HealthFacts> = {}, counters: Partial<HealthFacts['counters']> = {}): HealthFacts {
  return {
    flavor: 'mariadb',
    version: '10.11.19-MariaDB',
    serverKey: 'db1:3306/1',
    serverEpochMs: T0,
    uptimeSeconds: 10 * 86_400,
    performanceSchema: false,
    counters: {
      questions: 1_000_000,
      slowQueries: 40,
      deadlocks: 3,
      rowLockWaits: 100,
      rowLockTimeMs: 5_000,
      abortedConnects: 10,
      abortedClients: 5,
      refusedConnections: 0,
      bufferPoolReadRequests: 10_000_000,
      bufferPoolReads: 1_000,
      ...counters,
    },
    unavailable: { statementCount: 'performance_schema is OFF', statementTimeUs: 'performance_schema is OFF' },
    threadsConnected: 20,
    maxUsedConnections: 60,
    maxConnections: 151,
    historyListLength: 12,
    longQueryTimeSeconds: 1,
    slowQueryLog: true,
    replica: null,
    tables: [
      { schema: 'booking', table: 'appointments', bytes: 200 * 1048576, rows: 1_000_000 },
      { schema: 'booking', table: 'customers', bytes: 50 * 1048576, rows: 90_000 },
    ],
    ...over,
  };
}

/** The same server one day later, counters advanced by `inc`. */
function dayLater(
  prev: HealthFacts,
  inc: Partial<HealthFacts['counters']>,
  over: Partial<HealthFacts> = {},
  days = 1,
): HealthFacts {
  const counters = { ...prev.counters };
  for (const [k, v] of Object.entries(inc))
    counters[k as keyof typeof counters] = (counters[k as keyof typeof counters] ?? 0) + v!;
  return {
    ...prev,
    serverEpochMs: prev.serverEpochMs + days * DAY,
    uptimeSeconds: prev.uptimeSeconds + days * 86_400,
    counters,
    ...over,
  };
}

function snap(facts: HealthFacts, id = 1): StoredSnapshot {
  return { id, takenAt: new Date(facts.serverEpochMs), facts };
}

function fig(figures: Figure[], label: string): Figure {
  const f = figures.find((x) => x.label === label);
  if (!f) throw new Error(`no figure ${label}`);
  return f;
}

describe('judge', () => {
  it.each([
    [0, null, 0, 'ok'],
    [1, null, 0, 'fail'],
    [80, 80, 95, 'ok'],
    [80.1, 80, 95, 'warn'],
    [95.1, 80, 95, 'fail'],
  ] as const)('judgeAbove(%s, warn %s, fail %s) = %s', (v, w, f, want) => expect(judgeAbove(v, w, f)).toBe(want));
  it.each([
    [99.5, 'ok'],
    [98, 'warn'],
    [90, 'fail'],
  ] as const)('judgeBelow(%s, 99, 95) = %s', (v, want) => expect(judgeBelow(v, 99, 95)).toBe(want));
  it.each([
    [5.4, '5 s'],
    [600, '10 min'],
    [86_400, '24.0 h'],
  ])('window of %s s reads %s', (sec, text) => expect(hours(sec)).toBe(text));
  it('scales counts down for windows longer than a day, never up for shorter ones', () => {
    expect(perDayBasis(200, 2 * 86_400)).toBe(100);
    expect(perDayBasis(200, 3_600)).toBe(200);
  });
});

describe('healthWindow', () => {
  const prev = mariadb();
  it('first snapshot: no deltas', () =>
    expect(healthWindow(prev, null)).toMatchObject({ kind: 'first', seconds: null }));
  it('another server: no deltas', () =>
    expect(healthWindow({ ...dayLater(prev, {}), serverKey: 'db2:3306/2' }, snap(prev)).kind).toBe('other-server'));
  it('same server a day later: a delta window measured by the server clock', () =>
    expect(healthWindow(dayLater(prev, {}), snap(prev))).toMatchObject({ kind: 'delta', seconds: 86_400 }));
  it('uptime went down: restart', () => {
    const w = healthWindow({ ...dayLater(prev, {}), uptimeSeconds: 3_600 }, snap(prev));
    expect(w).toMatchObject({ kind: 'restart', seconds: 3_600 });
    expect(w.note).toContain('restarted at 2026-11-30T02:15:00.000Z');
  });
  it('restart hidden by a longer uptime is still found from the server start time', () => {
    const young = mariadb({ uptimeSeconds: 3_600 });
    // Restarted 2 h after `young`, then up for 26 h: uptime grew, but the start time moved.
    const later = { ...young, serverEpochMs: young.serverEpochMs + 28 * 3_600_000, uptimeSeconds: 26 * 3_600 };
    expect(healthWindow(later, snap(young)).kind).toBe('restart');
  });
  it('a few seconds of clock jitter is not a restart', () => {
    const cur = { ...dayLater(prev, {}), uptimeSeconds: prev.uptimeSeconds + 86_400 - 3 };
    expect(healthWindow(cur, snap(prev)).kind).toBe('delta');
  });
});

describe('planHealth on recorded MariaDB snapshots', () => {
  const prev = mariadb();

  it('a quiet day: every counter figure is the delta, all within limits', () => {
    const cur = dayLater(prev, {
      questions: 500_000,
      slowQueries: 10,
      rowLockWaits: 4,
      rowLockTimeMs: 400,
      bufferPoolReadRequests: 1_000_000,
      bufferPoolReads: 100,
    });
    const plan = planHealth(cur, snap(prev), policy);
    expect(plan.status).toBe('ok');
    expect(fig(plan.figures, 'Queries').value).toBe(500_000);
    expect(fig(plan.figures, 'Slow queries')).toMatchObject({ value: 10, status: 'ok' });
    expect(fig(plan.figures, 'Deadlocks')).toMatchObject({ value: 0, status: 'ok', threshold: '≤ 0 per day' });
    expect(fig(plan.figures, 'Row-lock wait, average')).toMatchObject({ value: 100, status: 'ok' });
    expect(fig(plan.figures, 'Buffer pool hit ratio')).toMatchObject({ value: 99.99, status: 'ok' });
    expect(plan.summary).toMatch(/^all \d+ figures within limits/);
    // Every judged figure names its limit.
    for (const f of plan.figures.filter((x) => x.label !== 'Queries' && x.label !== 'Uptime'))
      expect(f.threshold, f.label).toMatch(/^[≤≥] \d/);
  });

  it('one deadlock in the day fails, and failing figures come first', () => {
    const cur = dayLater(prev, { deadlocks: 1, slowQueries: 150 });
    const plan = planHealth(cur, snap(prev), policy);
    expect(plan.status).toBe('warning');
    expect(plan.figures[0]).toMatchObject({ label: 'Deadlocks', value: 1, status: 'fail' });
    expect(plan.figures[1]).toMatchObject({ label: 'Slow queries', value: 150, status: 'warn' });
    expect(plan.sections[0]).toMatchObject({ kind: 'figures', title: 'Health: needs attention' });
    expect(plan.summary).toMatch(/^1 failing, 1 warning: Deadlocks 1/);
  });

  it('two days between snapshots: per-day limits compare the daily rate, the value stays the raw count', () => {
    const cur = dayLater(prev, { slowQueries: 180 }, {}, 2);
    const f = fig(planHealth(cur, snap(prev), policy).figures, 'Slow queries');
    expect(f).toMatchObject({ value: 180, status: 'ok' });
    expect(f.note).toContain('(90 per day)');
  });

  it('restart between snapshots: counters since the restart, never negative, uptime says so', () => {
    const cur = mariadb(
      { serverEpochMs: T0 + DAY, uptimeSeconds: 7_200 },
      { questions: 900, slowQueries: 2, deadlocks: 0, bufferPoolReadRequests: 5_000, bufferPoolReads: 500 },
    );
    const plan = planHealth(cur, snap(prev), policy);
    expect(plan.window.kind).toBe('restart');
    for (const v of Object.values(plan.deltas)) expect(v).toBeGreaterThanOrEqual(0);
    expect(fig(plan.figures, 'Queries').value).toBe(900);
    expect(fig(plan.figures, 'Uptime')).toMatchObject({ status: 'warn' });
    expect(fig(plan.figures, 'Uptime').note).toContain('restarted');
    expect(fig(plan.figures, 'Buffer pool hit ratio')).toMatchObject({ value: 90, status: 'fail' });
  });

  it('a counter reset without a restart (FLUSH STATUS) is said, not shown as a negative delta', () => {
    const cur = dayLater(prev, { questions: 10 });
    cur.counters.abortedConnects = 0;
    const plan = planHealth(cur, snap(prev), policy);
    expect(plan.resetCounters).toEqual(['abortedConnects']);
    expect(fig(plan.figures, 'Aborted connection attempts')).toMatchObject({ value: null, status: 'n/a' });
    expect(fig(plan.figures, 'Aborted connection attempts').note).toContain('reset');
  });

  it('first run: counter figures are not available with the reason, never 0', () => {
    const plan = planHealth(prev, null, policy);
    const d = fig(plan.figures, 'Deadlocks');
    expect(d.value).toBeNull();
    expect(d.note).toContain('first snapshot');
    expect(fig(plan.figures, 'Average query time')).toMatchObject({
      value: null,
      status: 'n/a',
      note: 'performance_schema is OFF',
    });
    // Gauges need no previous snapshot.
    expect(fig(plan.figures, 'Connection use, now').value).toBe(13.2);
  });

  it('connections: now and peak against max_connections; a new peak in the window is said', () => {
    const cur = dayLater(prev, {}, { threadsConnected: 125, maxUsedConnections: 150 });
    const plan = planHealth(cur, snap(prev), policy);
    expect(fig(plan.figures, 'Connection use, now')).toMatchObject({ value: 82.8, status: 'warn' });
    const peak = fig(plan.figures, 'Connection use, peak');
    expect(peak).toMatchObject({ value: 99.3, status: 'fail' });
    expect(peak.note).toContain('new peak reached in 24.0 h');
    const quiet = planHealth(dayLater(prev, {}), snap(prev), policy);
    expect(fig(quiet.figures, 'Connection use, peak').note).toContain('not exceeded');
  });

  it('refused connections fail at the first one', () => {
    expect(
      fig(
        planHealth(dayLater(prev, { refusedConnections: 1 }), snap(prev), policy).figures,
        'Refused connections (max_connections reached)',
      ).status,
    ).toBe('fail');
  });

  it('replica: lag against limits, stopped threads fail with the error', () => {
    const replica = [
      { name: '', ioRunning: true, sqlRunning: true, lagSeconds: 120, lastError: null },
      { name: 'eu', ioRunning: true, sqlRunning: false, lagSeconds: null, lastError: 'Duplicate entry' },
    ];
    const plan = planHealth(dayLater(prev, {}, { replica }), snap(prev), policy);
    expect(fig(plan.figures, 'Replica lag')).toMatchObject({ value: 120, status: 'warn' });
    expect(fig(plan.figures, 'Replica eu threads')).toMatchObject({ status: 'fail', note: 'Duplicate entry' });
    expect(fig(plan.figures, 'Replica eu lag')).toMatchObject({ value: null, status: 'n/a' });
    expect(planHealth(dayLater(prev, {}), snap(prev), policy).figures.some((f) => f.label.startsWith('Replica'))).toBe(
      false,
    );
  });

  it('table growth since the previous snapshot; a table new to the list has no growth figure', () => {
    const cur = dayLater(
      prev,
      {},
      {
        tables: [
          { schema: 'booking', table: 'appointments', bytes: 210 * 1048576, rows: 1_050_000 },
          { schema: 'booking', table: 'calls', bytes: 60 * 1048576, rows: 10 },
        ],
      },
    );
    const plan = planHealth(cur, snap(prev), policy);
    expect(plan.tableGrowth.map((t) => [t.table, t.growthBytes])).toEqual([
      ['appointments', 10 * 1048576],
      ['calls', null],
    ]);
    const table = plan.sections.find((s) => s.kind === 'table');
    expect(table).toMatchObject({
      rows: [
        ['appointments', 210, 1_050_000, 10],
        ['calls', 60, 10, null],
      ],
    });
  });
});

describe('planHealth on recorded MySQL 8 snapshots', () => {
  const mysql = (counters: Partial<HealthFacts['counters']>, over: Partial<HealthFacts> = {}) =>
    mariadb(
      { flavor: 'mysql', version: '8.0.36', performanceSchema: true, unavailable: {}, ...over },
      { statementCount: 1_000_000, statementTimeUs: 20_000_000, ...counters },
    );

  it.each([
    [50_000_000_000, 50, 'ok'],
    [150_000_000_000, 150, 'warn'],
    [600_000_000_000, 600, 'fail'],
  ])('average query time from performance_schema deltas: %s µs over 1e6 statements = %s ms, %s', (us, ms, status) => {
    const prev = mysql({});
    const cur = dayLater(prev, { statementCount: 1_000_000, statementTimeUs: us });
    expect(fig(planHealth(cur, snap(prev), policy).figures, 'Average query time')).toMatchObject({
      value: ms,
      unit: 'ms',
      status,
    });
  });

  it('lock_deadlocks disabled in INNODB_METRICS: deadlocks not available with the way to enable it', () => {
    const reason = "INNODB_METRICS lock_deadlocks is disabled (SET GLOBAL innodb_monitor_enable = 'lock_deadlocks')";
    const prev = mysql({}, { unavailable: { deadlocks: reason } });
    delete prev.counters.deadlocks;
    const cur = dayLater(prev, {});
    expect(fig(planHealth(cur, snap(prev), policy).figures, 'Deadlocks')).toMatchObject({
      value: null,
      status: 'n/a',
      note: reason,
    });
  });
});

describe('dialect counters', () => {
  const maria = detectDialect('10.11.19-MariaDB-0+deb12u1');
  const my = detectDialect('8.0.36');
  it('deadlocks: status variable on MariaDB, INNODB_METRICS on MySQL', () => {
    expect(deadlockCounterSource(maria)).toEqual({ kind: 'status', name: 'INNODB_DEADLOCKS' });
    expect(deadlockCounterSource(my)).toEqual({ kind: 'innodb_metrics', name: 'lock_deadlocks' });
  });
  it('history list length: status on MariaDB, trx_rseg_history_len on MySQL', () => {
    expect(historyListSource(maria).kind).toBe('status');
    expect(historyListSource(my)).toEqual({ kind: 'innodb_metrics', name: 'trx_rseg_history_len' });
  });
  it('digest p95 only on MySQL 8', () => {
    expect(digestQuantile95Column(my)).toBe('QUANTILE_95');
    expect(digestQuantile95Column(detectDialect('5.7.44'))).toBeNull();
    expect(digestQuantile95Column(maria)).toBeNull();
  });
});

describe('health config', () => {
  it('the schema defaults carry the platform targets', () => {
    expect(policy).toMatchObject({ avgQueryTimeMsWarn: 100, connectionUsePercentWarn: 80, deadlocksPerDayFail: 0 });
  });
  it('a warn limit above its fail limit is refused, naming the field', () => {
    const r = healthConfigSchema.safeParse({ ...ownKeys, connectionUsePercentWarn: 96 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['connectionUsePercentWarn'] });
    expect(r.error!.issues[0]!.message).toContain('connectionUsePercentFail');
  });
  it('hit ratio warn below fail is refused', () => {
    const r = healthConfigSchema.safeParse({ ...ownKeys, bufferPoolHitPercentWarn: 90 });
    expect(r.error!.issues[0]).toMatchObject({ path: ['bufferPoolHitPercentWarn'] });
  });
});
