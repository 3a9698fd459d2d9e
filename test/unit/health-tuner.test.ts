import { describe, expect, it } from 'vitest';
import { healthConfigSchema } from '../../jobs/health/config.js';
import type { HealthFacts, StoredSnapshot } from '../../jobs/health/facts.js';
import { planHealth } from '../../jobs/health/plan.js';
import { healthWindow } from '../../jobs/health/window.js';
import { serverEolVerdict } from '../../jobs/health/server-eol.js';
import type { TunerFacts } from '../../jobs/health/tuner-collect.js';
import { tunerFigures } from '../../jobs/health/tuner-figures.js';
import {
  accountFindings,
  redoLogBytes,
  tableCacheHitPercent,
  threadCacheHitPercent,
  tmpDiskPercent,
} from '../../jobs/health/tuner-ratios.js';
import type { Figure } from '../../src/job/report-sections.js';

const policy = healthConfigSchema.parse({});
const T0 = Date.parse('2026-11-29T03:15:00Z');
const DAY = 86_400_000;
const MIB = 1024 * 1024;

function tuner(over: Partial<TunerFacts> = {}, counters: Partial<TunerFacts['counters']> = {}): TunerFacts {
  return {
    counters: {
      selectFullJoin: 100,
      selectRangeCheck: 0,
      createdTmpTables: 1000,
      createdTmpDiskTables: 50,
      tableOpenCacheHits: 9000,
      tableOpenCacheMisses: 100,
      threadsCreated: 10,
      connections: 5000,
      ...counters,
    },
    bufferPoolBytes: 1024 * MIB,
    innodbDataBytes: 800 * MIB,
    redoLog: { bytes: 512 * MIB, source: 'innodb_log_file_size' },
    tablesWithoutPrimaryKey: { count: 0, names: [] },
    indexLargerThanData: { count: 0, names: [] },
    accounts: null,
    reasons: {},
    ...over,
  };
}

/** A recorded MariaDB 10.11 snapshot, global status part reduced to what the window needs. */
function facts(t: TunerFacts, over: Partial<HealthFacts> = {}): HealthFacts {
  return {
    flavor: 'mariadb',
    version: '10.11.19-MariaDB',
    serverKey: 'db1:3306/1',
    serverEpochMs: T0,
    uptimeSeconds: 10 * 86_400,
    performanceSchema: false,
    counters: {},
    unavailable: {},
    threadsConnected: 10,
    maxUsedConnections: 20,
    maxConnections: 151,
    historyListLength: 5,
    longQueryTimeSeconds: 1,
    slowQueryLog: false,
    replica: null,
    tables: [],
    tuner: t,
    ...over,
  };
}

function later(prev: HealthFacts, t: TunerFacts, days = 1): HealthFacts {
  return {
    ...prev,
    serverEpochMs: prev.serverEpochMs + days * DAY,
    uptimeSeconds: prev.uptimeSeconds + days * 86_400,
    tuner: t,
  };
}

const snap = (f: HealthFacts): StoredSnapshot => ({ id: 1, takenAt: new Date(f.serverEpochMs), facts: f });

function fig(figures: Figure[], label: string): Figure {
  const f = figures.find((x) => x.label.startsWith(label));
  if (!f) throw new Error(`no figure ${label}`);
  return f;
}

function figuresAfterADay(inc: Partial<TunerFacts['counters']>, over: Partial<TunerFacts> = {}): Figure[] {
  const prev = facts(tuner());
  const counters = { ...prev.tuner!.counters };
  for (const [k, v] of Object.entries(inc))
    counters[k as keyof typeof counters] = (counters[k as keyof typeof counters] ?? 0) + v!;
  const cur = later(prev, tuner({ ...over, counters }));
  return tunerFigures(cur, snap(prev), healthWindow(cur, snap(prev)), policy);
}

describe('tuner ratios', () => {
  it('temporary tables on disk, table and thread cache hits', () => {
    expect(tmpDiskPercent(25, 100)).toBe(25);
    expect(tmpDiskPercent(0, 0)).toBeNull();
    expect(tableCacheHitPercent(900, 100)).toBe(90);
    expect(threadCacheHitPercent(10, 1000)).toBe(99);
    expect(threadCacheHitPercent(0, 0)).toBeNull();
  });
  it.each([
    [{ redoLogCapacity: 100 * MIB, logFileSize: 48 * MIB }, 100 * MIB, 'innodb_redo_log_capacity'],
    [{ logFileSize: 48 * MIB, logFilesInGroup: 2 }, 96 * MIB, 'innodb_log_file_size × innodb_log_files_in_group (2)'],
    [{ logFileSize: 96 * MIB }, 96 * MIB, 'innodb_log_file_size'],
  ])('redo log size from %o', (vars, bytes, source) => expect(redoLogBytes(vars)).toEqual({ bytes, source }));
  it('no redo variables: null', () => expect(redoLogBytes({})).toBeNull());
});

describe('per-day counter figures from the snapshots', () => {
  it.each([
    [250, 'ok'],
    [251, 'warn'],
  ] as const)('%s joins without indexes in a day: %s', (n, status) => {
    expect(fig(figuresAfterADay({ selectFullJoin: n }), 'Joins without indexes')).toMatchObject({
      value: n,
      status,
      threshold: '≤ 250 per day',
    });
  });
  it('a two-day window is judged per day', () => {
    const prev = facts(tuner());
    const cur = later(prev, tuner({}, { selectFullJoin: 100 + 400 }), 2);
    expect(
      fig(tunerFigures(cur, snap(prev), healthWindow(cur, snap(prev)), policy), 'Joins without indexes'),
    ).toMatchObject({ value: 400, status: 'ok' });
  });
  it('range checks per row', () =>
    expect(fig(figuresAfterADay({ selectRangeCheck: 300 }), 'Joins with a range check')).toMatchObject({
      value: 300,
      status: 'warn',
    }));
  it.each([
    [{ createdTmpTables: 100, createdTmpDiskTables: 25 }, 25, 'ok'],
    [{ createdTmpTables: 100, createdTmpDiskTables: 26 }, 26, 'warn'],
  ])('temporary tables on disk %o', (inc, value, status) =>
    expect(fig(figuresAfterADay(inc), 'Temporary tables on disk')).toMatchObject({ value, status }),
  );
  it('the day’s deltas, not the totals since start: a cache that was cold at start but is warm today is ok', () => {
    // Totals: 9000 hits, 100 misses before; today 1000 hits and 300 misses → 76.92 %.
    expect(
      fig(figuresAfterADay({ tableOpenCacheHits: 1000, tableOpenCacheMisses: 300 }), 'Table open cache'),
    ).toMatchObject({ value: 76.92, status: 'warn' });
    expect(
      fig(figuresAfterADay({ tableOpenCacheHits: 1000, tableOpenCacheMisses: 100 }), 'Table open cache'),
    ).toMatchObject({ value: 90.91, status: 'ok' });
  });
  it.each([
    [{ threadsCreated: 50, connections: 100 }, 50, 'ok'],
    [{ threadsCreated: 51, connections: 100 }, 49, 'warn'],
  ])('thread cache %o', (inc, value, status) =>
    expect(fig(figuresAfterADay(inc), 'Thread cache')).toMatchObject({ value, status }),
  );
  it('first snapshot: counters n/a with the reason, point values shown', () => {
    const cur = facts(tuner());
    const figures = tunerFigures(cur, null, healthWindow(cur, null), policy);
    expect(fig(figures, 'Joins without indexes')).toMatchObject({ value: null, status: 'n/a' });
    expect(fig(figures, 'Joins without indexes').note).toContain('first snapshot');
    expect(fig(figures, 'Buffer pool vs InnoDB data')).toMatchObject({ value: 128, status: 'ok' });
  });
  it('a snapshot from before the tuner counters existed: n/a, next run has deltas', () => {
    const prev = facts(tuner(), { tuner: undefined });
    const cur = later(prev, tuner());
    expect(fig(tunerFigures(cur, snap(prev), healthWindow(cur, snap(prev)), policy), 'Thread cache').note).toContain(
      'not recorded in the previous snapshot',
    );
  });
  it('FLUSH STATUS between snapshots: no negative delta', () => {
    const prev = facts(tuner());
    const cur = later(prev, tuner({}, { selectFullJoin: 3 }));
    expect(
      fig(tunerFigures(cur, snap(prev), healthWindow(cur, snap(prev)), policy), 'Joins without indexes'),
    ).toMatchObject({ value: null, status: 'n/a' });
  });
  it('after a restart the counters since the restart', () => {
    const prev = facts(tuner());
    const cur = { ...later(prev, tuner({}, { selectFullJoin: 7 })), uptimeSeconds: 3_600 };
    expect(
      fig(tunerFigures(cur, snap(prev), healthWindow(cur, snap(prev)), policy), 'Joins without indexes'),
    ).toMatchObject({ value: 7, status: 'ok' });
  });
});

describe('point values', () => {
  it.each([
    [1024, 1024, 100, 'ok'],
    [1024, 2048, 50, 'warn'],
  ])('buffer pool %s MiB for %s MiB of data: %s %%', (pool, data, value, status) => {
    const f = fig(
      figuresAfterADay({}, { bufferPoolBytes: pool * MIB, innodbDataBytes: data * MIB }),
      'Buffer pool vs InnoDB data',
    );
    expect(f).toMatchObject({ value, status });
  });
  it.each([
    [256, 'ok', 25],
    [96, 'warn', 9.38],
  ] as const)('redo log %s MiB for a 1 GiB pool: %s', (mib, status, value) => {
    expect(
      fig(
        figuresAfterADay({}, { redoLog: { bytes: mib * MIB, source: 'innodb_log_file_size' } }),
        'Redo log vs buffer pool',
      ),
    ).toMatchObject({ value, status });
  });
  it('tables without a primary key and with indexes larger than their data name the tables', () => {
    const figures = figuresAfterADay(
      {},
      {
        tablesWithoutPrimaryKey: { count: 2, names: ['shop.a', 'shop.b'] },
        indexLargerThanData: { count: 0, names: [] },
      },
    );
    expect(fig(figures, 'Tables without a primary key')).toMatchObject({
      value: 2,
      status: 'warn',
      note: 'shop.a, shop.b',
    });
    expect(fig(figures, 'Tables with indexes larger')).toMatchObject({ value: 0, status: 'ok' });
  });
  it('a list longer than the names shown says how many more', () => {
    const names = Array.from({ length: 20 }, (_, i) => `s.t${i}`);
    expect(
      fig(figuresAfterADay({}, { tablesWithoutPrimaryKey: { count: 25, names } }), 'Tables without a primary key').note,
    ).toMatch(/s\.t19 and 5 more$/);
  });
  it('information_schema not readable: n/a with the reason', () => {
    const f = fig(
      figuresAfterADay(
        {},
        {
          tablesWithoutPrimaryKey: null,
          indexLargerThanData: null,
          reasons: { tables: 'stopped by the statement time limit (30 s) reading information_schema.TABLES' },
        },
      ),
      'Tables without',
    );
    expect(f).toMatchObject({
      value: null,
      status: 'n/a',
      note: 'stopped by the statement time limit (30 s) reading information_schema.TABLES',
    });
  });
});

describe('server version end of life: a dated table, warn only', () => {
  const at = (iso: string) => new Date(iso);
  it.each([
    ['mariadb', 10, 11, '2026-12-01T00:00:00Z', 'ok', '2028-02-16'],
    ['mariadb', 10, 11, '2027-09-01T00:00:00Z', 'warn', '2028-02-16'],
    ['mariadb', 10, 6, '2026-12-01T00:00:00Z', 'warn', '2026-07-06'],
    ['mysql', 8, 0, '2026-12-01T00:00:00Z', 'warn', '2026-04-30'],
    ['mysql', 8, 4, '2026-12-01T00:00:00Z', 'ok', '2032-04-30'],
    ['mysql', 9, 1, '2026-12-01T00:00:00Z', 'n/a', null],
  ] as const)('%s %s.%s at %s: %s', (flavor, major, minor, now, status, eol) => {
    const v = serverEolVerdict(flavor, major, minor, at(now), 180);
    expect(v).toMatchObject({ status, eol });
  });
  it('past its end of life says so, still a warning', () => {
    expect(serverEolVerdict('mariadb', 10, 6, at('2026-12-01T00:00:00Z'), 180).note).toBe(
      'MariaDB 10.6 reached its end of life on 2026-07-06 (148 days ago): no more security fixes',
    );
  });
  it('the figure is judged at the server clock of the snapshot and never fails', () => {
    const cur = facts(tuner(), { version: '10.6.18-MariaDB', serverEpochMs: Date.parse('2030-01-01T00:00:00Z') });
    const plan = planHealth(cur, null, policy);
    expect(fig(plan.figures, 'Server version end of life')).toMatchObject({ value: '2026-07-06', status: 'warn' });
  });
  it('MySQL facts: the version string without "MariaDB"', () => {
    const cur = facts(tuner(), {
      flavor: 'mysql',
      version: '8.0.36',
      serverEpochMs: Date.parse('2026-01-01T00:00:00Z'),
    });
    expect(fig(tunerFigures(cur, null, healthWindow(cur, null), policy), 'Server version end of life')).toMatchObject({
      value: '2026-04-30',
      status: 'warn',
    });
  });
});

describe('account checks: names only, opt-in', () => {
  const row = (
    user: string,
    host: string,
    plugin = 'mysql_native_password',
    emptyAuth = false,
    locked = false,
    isRole = false,
  ) => ({ user, host, plugin, emptyAuth, locked, isRole });
  it('finds accounts without a password, anonymous ones and root from anywhere', () => {
    const found = accountFindings([
      row('root', 'localhost', 'mysql_native_password', true),
      row('app', '%'),
      row('', 'localhost', 'mysql_native_password', true),
      row('root', '%'),
      row('mariadb.sys', 'localhost', 'mysql_native_password', true, true),
      row('sock', 'localhost', 'unix_socket', true),
      row('reporting', '', '', true, false, true),
    ]);
    expect(found).toEqual({
      noPassword: ["'root'@'localhost'", "''@'localhost'"],
      anonymous: ["''@'localhost'"],
      rootFromAnyHost: ["'root'@'%'"],
    });
  });
  it('off by default: no account figures at all', () => {
    expect(policy.accountChecks).toBe(false);
    expect(figuresAfterADay({}).some((f) => f.label.startsWith('Accounts'))).toBe(false);
  });
  it('on: one figure each, warn when any account is found; unreadable: n/a naming the grant', () => {
    const figures = figuresAfterADay(
      {},
      { accounts: { noPassword: ["'root'@'127.0.0.1'"], anonymous: [], rootFromAnyHost: [] } },
    );
    expect(fig(figures, 'Accounts without a password')).toMatchObject({
      value: 1,
      status: 'warn',
      note: "'root'@'127.0.0.1'",
    });
    expect(fig(figures, 'Anonymous accounts')).toMatchObject({ value: 0, status: 'ok' });
    const denied = figuresAfterADay(
      {},
      {
        accounts: null,
        reasons: {
          accounts:
            'no privilege to read mysql.global_priv (GRANT SELECT ON mysql.global_priv TO the dbkeeper user, ' +
            'or turn accountChecks off)',
        },
      },
    );
    expect(fig(denied, "Accounts 'root' from any host")).toMatchObject({ value: null, status: 'n/a' });
  });
});
