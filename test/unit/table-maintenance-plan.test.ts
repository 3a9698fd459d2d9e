import { describe, expect, it } from 'vitest';
import { detectDialect, freshTableStatsStatement, withStatementTimeLimit } from '../../src/db/dialect.js';
import { isLockWaitError } from '../../src/db/sql-errors.js';
import { judgeAdminRows } from '../../jobs/table-maintenance/admin-result.js';
import type { Baseline } from '../../jobs/table-maintenance/baselines.js';
import { estimateBloat } from '../../jobs/table-maintenance/bloat-estimate.js';
import { planMaintenance, type MaintenancePolicy } from '../../jobs/table-maintenance/plan.js';
import type { MaintenanceFacts, PresentTable, MaintenanceTableFacts } from '../../jobs/table-maintenance/facts.js';
import { tableMaintenanceConfigSchema } from '../../jobs/table-maintenance/config.js';

const MARIADB = detectDialect('10.11.19-MariaDB-0+deb12u1');
const MYSQL = detectDialect('8.0.36');
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const RECORDED = new Date('2026-11-01T04:00:00Z');

const baseline = (bytesPerRow: number, source: Baseline['source'] = 'rebuild'): Baseline => ({
  bytesPerRow,
  rows: 1000,
  source,
  recordedAt: RECORDED,
});

function table(name: string, over: Partial<PresentTable> = {}): PresentTable {
  return {
    table: name,
    exists: true,
    tableType: 'BASE TABLE',
    engine: 'InnoDB',
    rows: 1_000_000,
    dataLength: 200 * MiB,
    indexLength: 50 * MiB,
    dataFree: 0,
    tablespace: null,
    blockingIndexes: [],
    statsUpdatedAt: null,
    ...over,
  };
}

const POLICY: MaintenancePolicy = {
  analyzeTables: ['appointments', 'customers', 'calls'],
  optimizeTables: ['appointments'],
  bloatThresholdPercent: 20,
  minReclaimBytes: 64 * MiB,
  maxRebuildBytes: 10 * GiB,
  writeToBinlog: true,
  persistentForAll: [],
  histogramColumns: {},
  histogramBuckets: 100,
  rebuildTimeoutSeconds: 0,
  ddlLockWaitSeconds: 2,
  maintenanceWindow: false,
};

function facts(tables: MaintenanceTableFacts[], over: Partial<MaintenanceFacts> = {}): MaintenanceFacts {
  return {
    dialect: MARIADB,
    schema: 'booking',
    readOnly: false,
    lockWaitTimeoutSeconds: 5,
    tables,
    baselines: new Map(),
    ...over,
  };
}

describe('estimateBloat: density against the recorded bytes per row, DATA_FREE as a floor', () => {
  const cases: {
    name: string;
    size: Parameters<typeof estimateBloat>[0];
    base: Baseline | null;
    percent: number;
    reclaim: number;
    basis: string;
  }[] = [
    // 60 % of 1 M rows deleted, pages still allocated: 250 MiB now for 400 k rows that need 100 MiB at 262 B/row.
    {
      name: '60 % deleted, no free extents',
      size: { rows: 400_000, dataLength: 200 * MiB, indexLength: 50 * MiB, dataFree: 0 },
      base: baseline((250 * MiB) / 1_000_000),
      percent: 60,
      reclaim: 150 * MiB,
      basis: 'baseline',
    },
    {
      name: 'fresh table at baseline density',
      size: { rows: 1_000_000, dataLength: 200 * MiB, indexLength: 50 * MiB, dataFree: 0 },
      base: baseline((250 * MiB) / 1_000_000),
      percent: 0,
      reclaim: 0,
      basis: 'baseline',
    },
    // Row estimate says denser than the baseline: never negative, DATA_FREE still counts.
    {
      name: 'denser than baseline keeps DATA_FREE floor',
      size: { rows: 1_100_000, dataLength: 200 * MiB, indexLength: 50 * MiB, dataFree: 50 * MiB },
      base: baseline((250 * MiB) / 1_000_000),
      percent: (50 / 300) * 100,
      reclaim: 50 * MiB,
      basis: 'baseline',
    },
    {
      name: 'no baseline: DATA_FREE only',
      size: { rows: 400_000, dataLength: 200 * MiB, indexLength: 50 * MiB, dataFree: 50 * MiB },
      base: null,
      percent: (50 / 300) * 100,
      reclaim: 50 * MiB,
      basis: 'data-free-only',
    },
    {
      name: 'density waste and free extents add up',
      size: { rows: 500_000, dataLength: 200 * MiB, indexLength: 50 * MiB, dataFree: 50 * MiB },
      base: baseline((250 * MiB) / 1_000_000),
      percent: (175 / 300) * 100,
      reclaim: 175 * MiB,
      basis: 'baseline',
    },
    {
      name: 'empty table with a baseline: all of it',
      size: { rows: 0, dataLength: 16 * MiB, indexLength: 0, dataFree: 0 },
      base: baseline(200),
      percent: 100,
      reclaim: 16 * MiB,
      basis: 'baseline',
    },
    {
      name: 'nothing allocated',
      size: { rows: 0, dataLength: 0, indexLength: 0, dataFree: 0 },
      base: null,
      percent: 0,
      reclaim: 0,
      basis: 'data-free-only',
    },
  ];
  it.each(cases)('$name', ({ size, base, percent, reclaim, basis }) => {
    const e = estimateBloat(size, base);
    expect(e.percent).toBeCloseTo(percent, 6);
    expect(e.reclaimableBytes).toBe(Math.round(reclaim));
    expect(e.basis).toBe(basis);
  });

  it('DATA_FREE alone underestimates what the baseline sees', () => {
    const size = { rows: 400_000, dataLength: 200 * MiB, indexLength: 50 * MiB, dataFree: 4 * MiB };
    expect(estimateBloat(size, null).percent).toBeLessThan(2);
    expect(estimateBloat(size, baseline((250 * MiB) / 1_000_000)).percent).toBeGreaterThan(59);
  });
});

describe('planMaintenance: the rebuild decision on recorded facts', () => {
  const bloated = table('appointments', { rows: 400_000 });
  const withBaseline = (over: Partial<MaintenanceFacts> = {}, t: PresentTable = bloated) =>
    facts(
      [t, table('customers'), table('calls', { blockingIndexes: [{ name: 'ft_calls_transcript', type: 'FULLTEXT' }] })],
      {
        baselines: new Map([['appointments', baseline((250 * MiB) / 1_000_000)]]),
        ...over,
      },
    );
  const decision = (f: MaintenanceFacts, p: Partial<MaintenancePolicy> = {}, name = 'appointments') =>
    planMaintenance(f, { ...POLICY, ...p }).tables.find((t) => t.table === name)!.optimize;

  it('rebuilds a bloated InnoDB table under the size cap, with the reason', () => {
    const d = decision(withBaseline());
    expect(d).toMatchObject({
      action: 'rebuild',
      statement: {
        sql: 'ALTER TABLE `booking`.`appointments` WAIT 2 FORCE, ALGORITHM=INPLACE, LOCK=NONE',
        method: 'alter-online',
      },
    });
    expect(d!.reason).toMatch(
      /bloat 60\.0 %.*; online rebuild: ALTER TABLE … FORCE, ALGORITHM=INPLACE, LOCK=NONE \(fails rather than copy/,
    );
  });

  it('the rebuild statement per dialect: MariaDB bounds its lock wait with WAIT n, MySQL by lock_wait_timeout', () => {
    const maria = decision(withBaseline(), { rebuildTimeoutSeconds: 3600, ddlLockWaitSeconds: 3 });
    expect(maria).toMatchObject({
      statement: {
        sql: 'SET STATEMENT max_statement_time = ? FOR ALTER TABLE `booking`.`appointments` WAIT 3 FORCE, ALGORITHM=INPLACE, LOCK=NONE',
        values: [3600],
      },
    });
    const mysql = decision(withBaseline({ dialect: MYSQL }), { rebuildTimeoutSeconds: 3600, ddlLockWaitSeconds: 3 });
    expect(mysql).toMatchObject({
      statement: {
        sql: 'ALTER TABLE `booking`.`appointments` FORCE, ALGORITHM=INPLACE, LOCK=NONE',
        values: [],
        method: 'alter-online',
      },
    });
    expect(mysql!.reason).toMatch(/metadata lock waited at most 3 s \(lock_wait_timeout\)/);
  });

  it('OPTIMIZE where ALTER cannot do it: NO_WRITE_TO_BINLOG, or a blocking rebuild in a maintenance window', () => {
    const fulltext = withBaseline(
      {},
      table('appointments', { rows: 400_000, blockingIndexes: [{ name: 'ft', type: 'FULLTEXT' }] }),
    );
    expect(decision(fulltext, { maintenanceWindow: true })).toMatchObject({
      statement: { sql: 'OPTIMIZE TABLE `booking`.`appointments`', method: 'optimize' },
    });
    expect(decision(withBaseline(), { writeToBinlog: false })).toMatchObject({
      statement: { sql: 'OPTIMIZE NO_WRITE_TO_BINLOG TABLE `booking`.`appointments`' },
    });
    // A plain InnoDB table in a maintenance window is still rebuilt online.
    expect(decision(withBaseline(), { maintenanceWindow: true })).toMatchObject({
      statement: { method: 'alter-online' },
    });
  });

  const table_: {
    name: string;
    f: MaintenanceFacts;
    p?: Partial<MaintenancePolicy>;
    action: string;
    reason: RegExp;
  }[] = [
    {
      name: 'below the threshold',
      f: withBaseline({}, table('appointments', { rows: 900_000 })),
      action: 'keep',
      reason: /bloat 10\.0 % .* below 20 %/,
    },
    {
      name: 'too little to win',
      f: withBaseline({}, table('appointments', { rows: 40_000, dataLength: 20 * MiB, indexLength: 5 * MiB })),
      action: 'keep',
      reason: /below minReclaimBytes 64\.0 MiB/,
    },
    {
      name: 'no baseline and small DATA_FREE',
      f: facts([bloated]),
      action: 'keep',
      reason: /DATA_FREE only, no baseline yet/,
    },
    {
      name: 'no baseline but large DATA_FREE',
      f: facts([table('appointments', { dataFree: 100 * MiB })]),
      action: 'rebuild',
      reason: /bloat 28\.6 % \(DATA_FREE only/,
    },
    { name: 'server read_only', f: withBaseline({ readOnly: true }), action: 'skip', reason: /read_only/ },
    {
      name: 'above the size cap',
      f: withBaseline({}, table('appointments', { rows: 4_000_000, dataLength: 12 * GiB })),
      action: 'skip',
      reason: /above maxRebuildBytes 10\.00 GiB/,
    },
    {
      name: 'SPATIAL index',
      f: withBaseline(
        {},
        table('appointments', { rows: 400_000, blockingIndexes: [{ name: 'sp_where', type: 'SPATIAL' }] }),
      ),
      action: 'skip',
      reason: /SPATIAL sp_where: a rebuild blocks writes.*--maintenance-window/,
    },
    {
      name: 'SPATIAL index inside a maintenance window',
      f: withBaseline(
        {},
        table('appointments', { rows: 400_000, blockingIndexes: [{ name: 'sp_where', type: 'SPATIAL' }] }),
      ),
      p: { maintenanceWindow: true },
      action: 'rebuild',
      reason: /bloat/,
    },
    {
      name: 'MyISAM locks the table',
      f: withBaseline({}, table('appointments', { rows: 400_000, engine: 'MyISAM' })),
      action: 'skip',
      reason: /engine MyISAM/,
    },
    {
      name: 'read_only wins over the window flag',
      f: withBaseline({ readOnly: true }),
      p: { maintenanceWindow: true },
      action: 'skip',
      reason: /read_only/,
    },
  ];
  it.each(table_)('$name → $action', ({ f, p, action, reason }) => {
    const d = decision(f, p);
    expect(d?.action).toBe(action);
    expect(d?.reason).toMatch(reason);
  });

  it('FULLTEXT in the optimize list is skipped whatever its bloat; tables not listed get no decision', () => {
    const plan = planMaintenance(withBaseline(), { ...POLICY, optimizeTables: ['appointments', 'calls'] });
    expect(plan.tables.find((t) => t.table === 'calls')!.optimize).toMatchObject({
      action: 'skip',
      reason: expect.stringMatching(/FULLTEXT ft_calls_transcript/),
    });
    expect(plan.tables.find((t) => t.table === 'customers')!.optimize).toBeNull();
  });

  it('a missing table or a view is an error for that table only', () => {
    const plan = planMaintenance(
      facts([bloated, { table: 'customers', exists: false }, table('calls', { tableType: 'VIEW' })]),
      POLICY,
    );
    expect(plan.tables.map((t) => [t.table, t.error])).toEqual([
      ['appointments', null],
      ['customers', 'table booking.customers does not exist'],
      ['calls', 'booking.calls is a VIEW, not a table'],
    ]);
    expect(plan.tables[1]!.analyze).toEqual([]);
    expect(plan.tables[0]!.analyze.map((s) => s.sql)).toEqual(['ANALYZE TABLE `booking`.`appointments`']);
  });

  it('NO_WRITE_TO_BINLOG and the MariaDB time limit when configured', () => {
    const plan = planMaintenance(withBaseline(), { ...POLICY, writeToBinlog: false, rebuildTimeoutSeconds: 3600 });
    const a = plan.tables[0]!;
    expect(a.analyze.map((s) => s.sql)).toEqual(['ANALYZE NO_WRITE_TO_BINLOG TABLE `booking`.`appointments`']);
    expect(a.optimize).toMatchObject({
      statement: {
        sql: 'SET STATEMENT max_statement_time = ? FOR OPTIMIZE NO_WRITE_TO_BINLOG TABLE `booking`.`appointments`',
        values: [3600],
      },
    });
  });

  it('an optimize-only table is analyzed first, to measure it', () => {
    const plan = planMaintenance(withBaseline(), { ...POLICY, analyzeTables: ['customers'] });
    expect(plan.tables.find((t) => t.table === 'appointments')!.analyzeReason).toBe(
      'measure before the bloat decision',
    );
    expect(plan.tables.find((t) => t.table === 'customers')!.analyzeReason).toBe('listed');
  });

  it('column statistics: MariaDB PERSISTENT FOR, MySQL histograms; PERSISTENT FOR ALL on MySQL is a warning', () => {
    const policy = {
      ...POLICY,
      persistentForAll: ['customers'],
      histogramColumns: { calls: ['company_id', 'started_at'] },
      histogramBuckets: 64,
    };
    const maria = planMaintenance(withBaseline(), policy);
    expect(maria.tables.find((t) => t.table === 'customers')!.analyze.map((s) => s.sql)).toEqual([
      'ANALYZE TABLE `booking`.`customers` PERSISTENT FOR ALL',
    ]);
    expect(maria.tables.find((t) => t.table === 'calls')!.analyze.map((s) => s.sql)).toEqual([
      'ANALYZE TABLE `booking`.`calls` PERSISTENT FOR COLUMNS (`company_id`, `started_at`) INDEXES ()',
    ]);
    expect(maria.warnings).toEqual([]);
    const mysql = planMaintenance(withBaseline({ dialect: MYSQL }), policy);
    expect(mysql.tables.find((t) => t.table === 'customers')!.analyze.map((s) => s.sql)).toEqual([
      'ANALYZE TABLE `booking`.`customers`',
    ]);
    expect(mysql.tables.find((t) => t.table === 'calls')!.analyze.map((s) => s.sql)).toEqual([
      'ANALYZE TABLE `booking`.`calls`',
      'ANALYZE TABLE `booking`.`calls` UPDATE HISTOGRAM ON `company_id`, `started_at` WITH 64 BUCKETS',
    ]);
    expect(mysql.warnings).toEqual([expect.stringMatching(/persistentForAll \(customers\) is MariaDB-only/)]);
  });
});

describe('dialect facts the job relies on', () => {
  it('MySQL 8 caches information_schema sizes unless told not to; MariaDB reads them live', () => {
    expect(freshTableStatsStatement(MYSQL)).toBe('SET SESSION information_schema_stats_expiry = 0');
    expect(freshTableStatsStatement(MARIADB)).toBeNull();
  });
  it('a per-statement time limit exists on MariaDB only', () => {
    expect(withStatementTimeLimit(MARIADB, 60, 'OPTIMIZE TABLE `a`.`b`')).toEqual({
      sql: 'SET STATEMENT max_statement_time = ? FOR OPTIMIZE TABLE `a`.`b`',
      values: [60],
    });
    expect(withStatementTimeLimit(MYSQL, 60, 'OPTIMIZE TABLE `a`.`b`')).toEqual({
      sql: 'OPTIMIZE TABLE `a`.`b`',
      values: [],
    });
  });
});

describe('judgeAdminRows: ANALYZE/OPTIMIZE result rows', () => {
  const row = (Msg_type: string, Msg_text: string) => ({ Msg_type, Msg_text });
  const cases: { name: string; rows: ReturnType<typeof row>[]; outcome: string; notes?: string[]; message?: RegExp }[] =
    [
      { name: 'OK', rows: [row('status', 'OK')], outcome: 'ok', notes: [] },
      {
        name: 'InnoDB recreate note is success',
        rows: [row('note', 'Table does not support optimize, doing recreate + analyze instead'), row('status', 'OK')],
        outcome: 'ok',
        notes: [],
      },
      {
        name: 'MariaDB engine-independent statistics',
        rows: [row('status', 'Engine-independent statistics collected'), row('status', 'OK')],
        outcome: 'ok',
        notes: ['Engine-independent statistics collected'],
      },
      {
        name: 'missing table (MariaDB "Error")',
        rows: [row('Error', "Table 'x.nope' doesn't exist"), row('status', 'Operation failed')],
        outcome: 'error',
        message: /doesn't exist/,
      },
      {
        name: 'lock wait in a result row',
        rows: [
          row('error', 'Lock wait timeout exceeded; try restarting transaction'),
          row('status', 'Operation failed'),
        ],
        outcome: 'contended',
        message: /Lock wait/,
      },
      {
        name: 'lock wait after the recreate note',
        rows: [
          row('note', 'Table does not support optimize, doing recreate + analyze instead'),
          row('error', 'Lock wait timeout exceeded; try restarting transaction'),
          row('status', 'Operation failed'),
        ],
        outcome: 'contended',
      },
      {
        name: 'Operation failed without an error row',
        rows: [row('status', 'Operation failed')],
        outcome: 'error',
        message: /Operation failed/,
      },
      { name: 'no rows', rows: [], outcome: 'error', message: /no result row/ },
    ];
  it.each(cases)('$name → $outcome', ({ rows, outcome, notes, message }) => {
    const v = judgeAdminRows(rows);
    expect(v.outcome).toBe(outcome);
    if (v.outcome === 'ok') expect(v.notes).toEqual(notes);
    else if (message) expect(v.message).toMatch(message);
  });

  it('recognises a thrown lock wait error', () => {
    expect(isLockWaitError({ errno: 1205, message: 'x' })).toBe(true);
    expect(isLockWaitError({ errno: 1146, message: "Table 'a.b' doesn't exist" })).toBe(false);
  });
});

describe('config: bad input names the field', () => {
  const valid = {
    schema: null,
    analyzeTables: ['appointments'],
    optimizeTables: ['appointments'],
    bloatThresholdPercent: 20,
    minReclaimBytes: 0,
    maxRebuildBytes: GiB,
    writeToBinlog: true,
    persistentForAll: [],
    histogramColumns: {},
    histogramBuckets: 100,
    rebuildTimeoutSeconds: 0,
  };
  it('accepts the defaults', () => {
    expect(tableMaintenanceConfigSchema.safeParse(valid).success).toBe(true);
  });
  const bad: { name: string; patch: Record<string, unknown>; path: string; message: RegExp }[] = [
    {
      name: 'empty table name',
      patch: { optimizeTables: [''] },
      path: 'optimizeTables.0',
      message: /must not be empty/,
    },
    {
      name: 'table name of 65 characters',
      patch: { analyzeTables: ['t'.repeat(65)] },
      path: 'analyzeTables.0',
      message: /at most 64 characters/,
    },
    { name: 'duplicate table', patch: { analyzeTables: ['a', 'A'] }, path: 'analyzeTables.1', message: /listed twice/ },
    { name: 'threshold 100', patch: { bloatThresholdPercent: 100 }, path: 'bloatThresholdPercent', message: /100/ },
    {
      name: 'histogram on a table not analyzed',
      patch: { histogramColumns: { calls: ['company_id'] } },
      path: 'histogramColumns.calls',
      message: /not in analyzeTables/,
    },
    {
      name: 'column name with a trailing space',
      patch: { histogramColumns: { appointments: ['a b '] } },
      path: 'histogramColumns.appointments.0',
      message: /must not end with a space/,
    },
    {
      name: 'persistentForAll not analyzed',
      patch: { persistentForAll: ['calls'] },
      path: 'persistentForAll.0',
      message: /not in analyzeTables/,
    },
    {
      name: 'nothing to do',
      patch: { analyzeTables: [], optimizeTables: [] },
      path: 'analyzeTables',
      message: /nothing to maintain/,
    },
    { name: 'negative sample', patch: { sampleRows: -1 }, path: 'sampleRows', message: /0/ },
    { name: 'sample time 0', patch: { sampleSeconds: 0 }, path: 'sampleSeconds', message: /1/ },
    { name: 'no DDL lock wait', patch: { ddlLockWaitSeconds: 0 }, path: 'ddlLockWaitSeconds', message: /1/ },
    { name: 'pre-check wait over 600 s', patch: { mdlWaitSeconds: 601 }, path: 'mdlWaitSeconds', message: /600/ },
    {
      name: 'long transaction of 0 s',
      patch: { longTransactionSeconds: 0 },
      path: 'longTransactionSeconds',
      message: /1/,
    },
  ];
  it.each(bad)('$name', ({ patch, path, message }) => {
    const r = tableMaintenanceConfigSchema.safeParse({ ...valid, ...patch });
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path.join('.') === path);
    expect(issue?.message).toMatch(message);
  });
});

describe('planMaintenance: the size model decides, not the first sight', () => {
  // Issue 17: 120 k live rows in 112 MiB, most rows deleted before dbkeeper first saw the table; no baseline yet.
  const shape = {
    columns: [
      { name: 'id', kind: 'fixed' as const, bytes: 4, maxBytes: 4, nullable: false, externable: false },
      { name: 'note', kind: 'var' as const, bytes: 0, maxBytes: 1020, nullable: false, externable: true },
    ],
    primaryKey: ['id'],
    secondary: [],
    rowFormat: 'dynamic' as const,
    keyBlockSizeKiB: null,
  };
  const sample = {
    ok: true as const,
    shape,
    settings: { pageSize: 16384, fillFactor: 100 },
    rows: Array.from({ length: 2000 }, (_, i) => [i, 150]),
    estimatedRows: 120_000,
    ranges: 40,
    durationMs: 30,
    stoppedBy: 'rows' as const,
  };
  const bloated = table('appointments', {
    rows: 120_000,
    dataLength: 112 * MiB,
    indexLength: 0,
    dataFree: 4 * MiB,
    sample,
  });
  const decide = (f: MaintenanceFacts) => planMaintenance(f, POLICY).tables.find((t) => t.table === 'appointments')!;

  it('rebuilds a table bloated before dbkeeper first saw it, with the prediction in the reason', () => {
    const p = decide(facts([bloated]));
    expect(p.optimize).toMatchObject({ action: 'rebuild' });
    expect(p.optimize!.reason).toMatch(
      /^bloat 8\d\.\d % \(116\.0 MiB allocated, a rebuild would leave about 2\d\.\d MiB by the size model\)/,
    );
    expect(p.estimate).toMatchObject({ basis: 'model' });
    // The old rule (first sight = baseline) saw nothing but DATA_FREE.
    expect(estimateBloat(bloated, null).percent).toBeLessThan(5);
  });

  it('the last rebuild corrects the model for that table', () => {
    const corrected = decide(
      facts([bloated], { baselines: new Map([['appointments', { ...baseline(900), modelFactor: 2 }]]) }),
    );
    const plain = decide(facts([bloated]));
    expect(corrected.estimate!.predictedBytes).toBe(plain.estimate!.predictedBytes! * 2);
    expect(corrected.optimize!.reason).toMatch(/× 2\.00 from the last rebuild/);
  });

  it('a table without a sample (no integer primary key) keeps the baseline rule and says why', () => {
    const p = decide(
      facts([
        {
          ...bloated,
          sample: { ok: false, reason: 'the primary key starts with a varchar column: random ranges need an integer' },
        },
      ]),
    );
    expect(p.estimate!.basis).toBe('data-free-only');
    expect(p.predictionNote).toMatch(/^no size prediction: the primary key starts with a varchar column/);
  });
});
