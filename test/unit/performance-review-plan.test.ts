import { describe, expect, it } from 'vitest';
import { enableStatements, planPerformanceReview } from '../../jobs/performance-review/plan.js';
import { monthPeak, poolAdvice } from '../../jobs/performance-review/pool-advice.js';
import type { ConnectionSample, PerformanceReviewFacts, ReviewPeriod } from '../../jobs/performance-review/facts.js';
import { reviewPeriod, ReviewMonthError } from '../../jobs/performance-review/review-period.js';
import {
  performanceReviewConfigSchema,
  performanceReviewPolicy,
  type PerformanceReviewPolicy,
} from '../../jobs/performance-review/config.js';
import type { StatementStat } from '../../jobs/performance-review/statement-stats.js';

// The job's own keys as its schema's defaults make them.
const { enabled: _e, schedule: _s, catchUp: _c, timezone: _t, ...ownKeys } = performanceReviewConfigSchema.parse({});
// DB_POOL_MAX=100 and DB_SLOW_QUERY_TIME=1 from the platform's .env fill in what the job section leaves to them.
const policy: PerformanceReviewPolicy = performanceReviewPolicy(performanceReviewConfigSchema.parse(ownKeys), {
  dbPoolMax: 100,
  slowQueryTimeSeconds: 1,
});

const october: ReviewPeriod = {
  from: new Date('2026-10-01T00:00:00Z'),
  to: new Date('2026-11-01T00:00:00Z'),
  label: '2026-10',
  partial: false,
};
const bootedInSeptember = Date.parse('2026-09-10T00:00:00Z');

function sample(
  day: number,
  maxUsed: number,
  threads = 10,
  start = bootedInSeptember,
  maxConnections = 151,
): ConnectionSample {
  return {
    takenAt: new Date(Date.UTC(2026, 9, day, 3, 15)),
    maxUsedConnections: maxUsed,
    threadsConnected: threads,
    maxConnections,
    serverStartMs: start,
  };
}

describe('reviewPeriod', () => {
  it.each([
    ['2026-11-01T04:30:00Z', 'UTC', '2026-10', '2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'],
    ['2027-01-01T04:30:00Z', 'UTC', '2026-12', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2028-03-01T04:30:00Z', 'UTC', '2028-02', '2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
    // Berlin: October ends on CET (+01:00), begins on CEST (+02:00).
    ['2026-11-01T04:30:00Z', 'Europe/Berlin', '2026-10', '2026-09-30T22:00:00.000Z', '2026-10-31T23:00:00.000Z'],
  ])('at %s in %s: the last complete month %s', (now, tz, label, from, to) => {
    const p = reviewPeriod(new Date(now), tz);
    expect([p.label, p.from.toISOString(), p.to.toISOString(), p.partial]).toEqual([label, from, to, false]);
  });

  it('--month of the current month: partial, up to now', () => {
    const now = new Date('2026-11-30T17:00:00Z');
    expect(reviewPeriod(now, 'UTC', '2026-11')).toEqual({
      from: new Date('2026-11-01T00:00:00Z'),
      to: now,
      label: '2026-11',
      partial: true,
    });
  });

  it.each(['2026-13', '26-10', 'october', '2026-00'])('--month %s is refused, naming the flag', (m) => {
    expect(() => reviewPeriod(new Date('2026-11-30T00:00:00Z'), 'UTC', m)).toThrow(/--month must be YYYY-MM/);
  });

  it('a month that has not started is refused', () => {
    expect(() => reviewPeriod(new Date('2026-11-30T00:00:00Z'), 'UTC', '2026-12')).toThrow(ReviewMonthError);
  });
});

describe('monthPeak', () => {
  it('a rise of Max_used_connections between two snapshots happened inside the month', () => {
    expect(monthPeak([sample(1, 40), sample(2, 40), sample(3, 90), sample(4, 90)], october)).toEqual({
      peak: 90,
      inPeriod: true,
    });
  });
  it('no rise since a boot before the month: an upper bound only', () => {
    expect(monthPeak([sample(1, 120), sample(15, 120), sample(31, 120)], october)).toEqual({
      peak: 120,
      inPeriod: false,
    });
  });
  it('a restart inside the month makes the later high-water marks the month\u2019s', () => {
    const restart = Date.parse('2026-10-10T00:00:00Z');
    expect(monthPeak([sample(1, 120), sample(11, 30, 10, restart), sample(20, 70, 10, restart)], october)).toEqual({
      peak: 120,
      inPeriod: false,
    });
    expect(monthPeak([sample(11, 30, 10, restart), sample(20, 70, 10, restart)], october)).toEqual({
      peak: 70,
      inPeriod: true,
    });
  });
});

describe('poolAdvice', () => {
  const rising = (peak: number, maxConnections = 151) => [
    sample(1, 10, 5, bootedInSeptember, maxConnections),
    sample(2, peak, 5, bootedInSeptember, maxConnections),
  ];

  it('pool 100, max_connections 151, peak 60: one instance fits the 80 % target, two instances exceed it and are told to lower', () => {
    const a = poolAdvice(rising(60), october, policy);
    expect(a).toMatchObject({
      peak: 60,
      peakInPeriod: true,
      configuredTotal: 100,
      targetTotal: 120,
      needed: 75,
      action: 'keep',
      recommendedPoolMax: 100,
    });
    const b = poolAdvice(rising(60), october, { ...policy, appInstances: 2 });
    expect(b).toMatchObject({ configuredTotal: 200, targetTotal: 120, action: 'lower-pool', recommendedPoolMax: 60 });
    expect(b.reasons.join(' ')).toContain('Lower DB_POOL_MAX to 60 per instance');
  });

  it('peak with headroom above the target share: raise max_connections', () => {
    const a = poolAdvice(rising(140), october, policy);
    expect(a).toMatchObject({
      needed: 175,
      action: 'raise-max-connections',
      recommendedPoolMax: 175,
      recommendedMaxConnections: 219,
    });
  });

  it('peak above what a small pool can open: raise the pool within the target', () => {
    const a = poolAdvice(rising(60, 1000), october, { ...policy, appPoolMax: 50 });
    expect(a).toMatchObject({ needed: 75, action: 'raise-pool', recommendedPoolMax: 75 });
  });
});

function facts(over: Partial<PerformanceReviewFacts> = {}): PerformanceReviewFacts {
  return {
    flavor: 'mariadb',
    version: '10.11.19-MariaDB',
    attempts: [
      { source: 'performance_schema', used: false, note: 'performance_schema is OFF' },
      { source: 'slow_log_table', used: true, note: '' },
    ],
    source: 'slow_log_table',
    statements: [],
    entriesRead: 0,
    truncated: false,
    digestsSince: null,
    digestBaselineAt: null,
    serverKey: 'db1:3306/1',
    slowQueryLog: true,
    logOutput: 'FILE,TABLE',
    longQueryTimeSeconds: 1,
    performanceSchema: false,
    now: sample(31, 60),
    samples: [sample(1, 40), sample(2, 60)],
    ...over,
  };
}

const stat = (fp: string, count: number, total: number, p95: number | null): StatementStat => ({
  fingerprint: fp,
  schema: 'booking',
  count,
  totalSeconds: total,
  maxSeconds: null,
  p95Seconds: p95,
  rowsExamined: null,
});

describe('planPerformanceReview', () => {
  it('ranks by total and by average time with share of the total; p95 where the source has it', () => {
    const statements = [stat('select a', 1000, 60, 0.2), stat('select b', 2, 30, 20), stat('select c', 10, 10, null)];
    const plan = planPerformanceReview(facts({ statements, entriesRead: 1012 }), policy, october);
    expect(plan.byTotal.map((s) => [s.fingerprint, Math.round(s.sharePercent)])).toEqual([
      ['select a', 60],
      ['select b', 30],
      ['select c', 10],
    ]);
    expect(plan.byAverage.map((s) => s.fingerprint)).toEqual(['select b', 'select c', 'select a']);
    const table = plan.sections.find((s) => s.kind === 'table' && s.title.includes('total'));
    expect(table).toMatchObject({
      rows: [
        ['select a', 'booking', 1000, 60, 60, 200, 60],
        ['select b', 'booking', 2, 30, 15000, 20000, 30],
        ['select c', 'booking', 10, 10, 1000, null, 10],
      ],
    });
    expect(plan.status).toBe('ok');
    expect(plan.summary).toContain('top by total time: 60 % select a');
  });

  it('topStatements limits each list', () => {
    const statements = Array.from({ length: 30 }, (_, i) => stat(`select ${i}`, 1, i + 1, null));
    const plan = planPerformanceReview(facts({ statements }), { ...policy, topStatements: 5 }, october);
    expect(plan.byTotal).toHaveLength(5);
    expect(plan.byTotal[0]!.fingerprint).toBe('select 29');
  });

  it('MySQL digests cumulative since before the month: the report says so', () => {
    const plan = planPerformanceReview(
      facts({
        source: 'performance_schema',
        attempts: [{ source: 'performance_schema', used: true, note: '' }],
        statements: [stat('select ?', 5, 1, 0.3)],
        digestsSince: new Date('2026-09-10T00:00:00Z'),
      }),
      policy,
      october,
    );
    const text = plan.sections[0]!;
    expect(text.kind === 'text' && text.lines.join(' ')).toContain('cumulative since 2026-09-10T00:00:00.000Z');
  });

  it('no source: not available, the reasons, and the statements to turn the slow log on (keeping FILE)', () => {
    const plan = planPerformanceReview(
      facts({
        source: null,
        slowQueryLog: false,
        logOutput: 'FILE',
        attempts: [
          { source: 'performance_schema', used: false, note: 'performance_schema is OFF' },
          { source: 'slow_log_table', used: false, note: 'slow_query_log is OFF' },
          { source: 'slow_log_file', used: false, note: 'slow_query_log is OFF' },
        ],
      }),
      { ...policy, slowQueryTimeSeconds: 2 },
      october,
    );
    expect(plan.status).toBe('warning');
    expect(plan.enableAdvice).toEqual([
      'SET GLOBAL long_query_time = 2',
      "SET GLOBAL log_output = 'FILE,TABLE'",
      'SET GLOBAL slow_query_log = ON',
    ]);
    const text = plan.sections.find((s) => s.title === 'Statement review: not available');
    expect(text?.kind === 'text' && text.lines.join('\n')).toMatch(
      /performance_schema is OFF[\s\S]*long_query_time = 2 s \(DB_SLOW_QUERY_TIME\)/,
    );
    expect(plan.summary).toContain('statement review not available');
  });

  it('enableStatements drops NONE and keeps what is there', () => {
    expect(enableStatements({ logOutput: 'NONE' }, policy)[1]).toBe("SET GLOBAL log_output = 'TABLE'");
  });

  it('a pool change goes above the statement tables and makes the run a warning; raising max_connections comes as SQL not run', () => {
    const plan = planPerformanceReview(facts({ samples: [sample(1, 10), sample(2, 140)] }), policy, october);
    expect(plan.pool.action).toBe('raise-max-connections');
    expect(plan.status).toBe('warning');
    expect(plan.sections[0]).toMatchObject({ kind: 'figures', title: 'Connection pool' });
    expect(plan.sections.find((s) => s.kind === 'sql')).toMatchObject({
      statements: ['SET GLOBAL max_connections = 219'],
    });
  });

  it('no snapshots in the month: today\u2019s high-water mark as an upper bound, said', () => {
    const plan = planPerformanceReview(facts({ samples: [] }), policy, october);
    expect(plan.pool.peakInPeriod).toBe(false);
    expect(plan.pool.reasons[0]).toContain('No health snapshots in 2026-10');
  });
});

describe('performance-review config', () => {
  it('defaults: the platform pool size and slow query time', () =>
    expect(policy).toMatchObject({ appPoolMax: 100, slowQueryTimeSeconds: 1, connectionUsePercentTarget: 80 }));
  it('bad values are refused naming the field', () => {
    const r = performanceReviewConfigSchema.safeParse({ ...ownKeys, appPoolMax: 0 });
    expect(r.error!.issues[0]!.path).toEqual(['appPoolMax']);
  });
});
