import { describe, expect, it } from 'vitest';
import { expectedAfter } from '../../jobs/partitions/apply.js';
import type { PartitionFacts, PartitionRow, PartitionTableFacts } from '../../jobs/partitions/facts.js';
import {
  planPartitions,
  type PartitionPolicy,
  type RetireAction,
  type PartitionTablePlan,
} from '../../jobs/partitions/plan.js';

const sec = (iso: string) => Date.parse(iso) / 1000;
const POLICY: PartitionPolicy = {
  column: 'created_at',
  premakeMonths: 3,
  retentionMonths: 6,
  maxDropsPerRun: 2,
  pastRetention: 'drop',
  pmaxRowThreshold: 100,
};

/** Monthly partitions whose upper bounds are the 1st of each month from `firstEnd` to `lastEnd` (YYYY-MM), + pmax. */
function monthly(firstEnd: string, lastEnd: string): PartitionRow[] {
  const rows: PartitionRow[] = [];
  let [y, m] = firstEnd.split('-').map(Number) as [number, number];
  for (;;) {
    const end = Date.UTC(y, m - 1, 1) / 1000;
    const start = new Date(Date.UTC(y, m - 2, 1));
    rows.push({
      name: `p${start.getUTCFullYear()}${String(start.getUTCMonth() + 1).padStart(2, '0')}`,
      description: String(end),
    });
    if (`${y}-${String(m).padStart(2, '0')}` === lastEnd) break;
    m += 1;
    if (m === 13) [y, m] = [y + 1, 1];
  }
  return [...rows, { name: 'pmax', description: 'MAXVALUE' }];
}

function table(partitions: PartitionRow[], over: Partial<PartitionTableFacts> = {}): PartitionTableFacts {
  return {
    table: 'api_call_logs',
    exists: true,
    partitionMethod: 'RANGE',
    subpartitionMethod: null,
    expression: 'unix_timestamp(`created_at`)',
    columns: [
      { name: 'id', dataType: 'bigint' },
      { name: 'created_at', dataType: 'timestamp' },
    ],
    uniqueKeys: [{ name: 'PRIMARY', columns: ['id', 'created_at'] }],
    foreignKeys: [],
    partitions,
    tailRows: { counted: 0, capped: false },
    firstPartitionUndated:
      partitions.length > 1 ? { partition: partitions[0]!.name, nullRows: 0, zeroRows: 0, capped: false } : null,
    ...over,
  };
}

function facts(t: PartitionTableFacts, server: Partial<PartitionFacts['server']> = {}): PartitionFacts {
  return {
    database: 'app',
    server: { readOnly: false, archiveMethod: 'convert', tableNames: ['api_call_logs'], ...server },
    tables: [t],
  };
}

function planOne(
  t: PartitionTableFacts,
  now: string,
  policy: Partial<PartitionPolicy> = {},
  server: Partial<PartitionFacts['server']> = {},
): PartitionTablePlan {
  return planPartitions(facts(t, server), { ...POLICY, ...policy }, new Date(now))[0]!;
}

const created = (p: PartitionTablePlan) =>
  p.actions.flatMap((a) =>
    a.kind === 'create'
      ? a.months.map((m) => `${m.name}<${new Date(m.upperBound * 1000).toISOString().slice(0, 10)}`)
      : [],
  );
const retired = (p: PartitionTablePlan) =>
  p.actions.filter((a): a is RetireAction => a.kind !== 'create').map((a) => a.partition);

/** The partitions after every planned action succeeded, as the server would show them. */
function applied(t: PartitionTableFacts, p: PartitionTablePlan): PartitionTableFacts {
  let rows = t.partitions;
  for (const a of p.actions) rows = expectedAfter(rows, a);
  return { ...t, partitions: rows, tailRows: { counted: 0, capped: false } };
}

describe('planPartitions: months made ahead', () => {
  it.each([
    // [case, layout (first end .. last end), now, expected new months]
    [
      'last second of January',
      ['2025-08', '2026-02'],
      '2026-01-31T23:59:59Z',
      ['p202602<2026-03-01', 'p202603<2026-04-01', 'p202604<2026-05-01'],
    ],
    [
      'first second of February',
      ['2025-08', '2026-02'],
      '2026-02-01T00:00:00Z',
      ['p202602<2026-03-01', 'p202603<2026-04-01', 'p202604<2026-05-01', 'p202605<2026-06-01'],
    ],
    [
      'Feb 29 of a leap year',
      ['2027-09', '2028-03'],
      '2028-02-29T12:00:00Z',
      ['p202803<2028-04-01', 'p202804<2028-05-01', 'p202805<2028-06-01'],
    ],
    [
      'December into January',
      ['2026-06', '2027-01'],
      '2026-12-15T04:30:00Z',
      ['p202701<2027-02-01', 'p202702<2027-03-01', 'p202703<2027-04-01'],
    ],
    ['already covered', ['2026-06', '2027-04'], '2026-12-31T23:00:00Z', []],
  ])('%s', (_case, [first, last], now, expected) => {
    expect(created(planOne(table(monthly(first!, last!)), now))).toEqual(expected);
  });

  it('uses the UTC month of `now`, not the server or worker zone: 23:30 UTC on March 31 is still March (April in Berlin)', () => {
    const p = planOne(table(monthly('2025-10', '2026-04')), '2026-03-31T23:30:00Z');
    expect(p.currentMonthStart).toBe(sec('2026-03-01T00:00:00Z'));
    expect(created(p)).toEqual(['p202604<2026-05-01', 'p202605<2026-06-01', 'p202606<2026-07-01']);
  });

  it('refuses boundaries written at local midnight (a server in Europe/Berlin): they are not UTC month starts', () => {
    const rows = monthly('2026-01', '2026-04').map((r) =>
      r.description === 'MAXVALUE' ? r : { ...r, description: String(Number(r.description) - 3600) },
    );
    const p = planOne(table(rows), '2026-03-10T00:00:00Z');
    expect(p.refused).toMatch(/p202512 ends at 2025-12-31T23:00:00.000Z, not an exact UTC month start/);
    expect(p.actions).toEqual([]);
  });

  it('catches up a worker that missed 5 months in one REORGANIZE, moving the few rows that landed in pmax', () => {
    const t = table(monthly('2026-01', '2026-07'), { tailRows: { counted: 42, capped: false } });
    const p = planOne(t, '2026-12-01T04:30:00Z');
    expect(created(p).map((s) => s.slice(0, 7))).toEqual([
      'p202607',
      'p202608',
      'p202609',
      'p202610',
      'p202611',
      'p202612',
      'p202701',
      'p202702',
      'p202703',
    ]);
    const create = p.actions.find((a) => a.kind === 'create')!;
    expect(create.statements).toHaveLength(1);
    expect(create.statements[0]).toMatch(
      /^ALTER TABLE `app`.`api_call_logs` REORGANIZE PARTITION `pmax` INTO \(PARTITION `p202607` VALUES LESS THAN \(1785542400\), .*PARTITION `pmax` VALUES LESS THAN MAXVALUE\)$/,
    );
    expect(create.reason).toMatch(/catching up from 2026-07-01.*moves 42 rows out of pmax/);
    expect(p.monthsAheadBefore).toBe(-1);
    expect(p.monthsAheadAfter).toBe(3);
  });

  it('raising premake adds the extra months; lowering it never removes any', () => {
    const t = table(monthly('2026-06', '2027-03'));
    expect(
      created(planOne(t, '2026-11-01T04:30:00Z', { premakeMonths: 6, retentionMonths: 6 })).map((s) => s.slice(0, 7)),
    ).toEqual(['p202703', 'p202704', 'p202705']);
    const lowered = planOne(t, '2026-11-01T04:30:00Z', { premakeMonths: 1 });
    expect(lowered.actions.filter((a) => a.kind === 'create')).toEqual([]);
  });

  it('refuses to REORGANIZE a pmax holding more rows than the threshold, and still retires old months', () => {
    const t = table(monthly('2026-01', '2026-11'), { tailRows: { counted: 101, capped: true } });
    const p = planOne(t, '2026-11-15T00:00:00Z');
    expect(created(p)).toEqual([]);
    expect(p.skipped[0]).toEqual({
      target: 'api_call_logs: create p202611, p202612, p202701, p202702',
      reason: expect.stringMatching(/pmax holds more than 100 rows \(threshold 100\)/),
    });
    expect(p.warnings).toContain(
      'api_call_logs: more than 100 rows in pmax (written while their month had no partition, or dated past the last month)',
    );
    expect(retired(p)).toEqual(['p202512', 'p202601']);
  });

  it('a partition named for another month: the boundary wins and the new name clash is refused, not overwritten', () => {
    const rows = monthly('2026-06', '2026-12');
    rows[rows.length - 2] = { name: 'p202612', description: rows[rows.length - 2]!.description }; // holds November
    const p = planOne(table(rows), '2026-11-10T00:00:00Z');
    expect(p.warnings.join('\n')).toMatch(/p202612 holds 2026-11-01 .. 2026-12-01: its name says otherwise/);
    expect(p.skipped.find((s) => s.target.includes('create'))!.reason).toMatch(
      /a partition named p202612 already exists/,
    );
    expect(created(p)).toEqual([]);
  });
});

describe('planPartitions: rows dated NULL or zero in the first partition', () => {
  const undated = (nullRows: number, zeroRows: number, capped = false) => ({
    partition: 'p202602',
    nullRows,
    zeroRows,
    capped,
  });

  it.each(['drop', 'archive'] as const)(
    '%s: any NULL or zero-dated row keeps every month of the table; the new months are still made',
    (pastRetention) => {
      const t = table(monthly('2026-03', '2027-01'), { firstPartitionUndated: undated(1, 2) });
      const p = planOne(t, '2026-11-01T04:30:00Z', { pastRetention });
      expect(retired(p)).toEqual([]);
      expect(created(p)).toEqual(['p202701<2027-02-01', 'p202702<2027-03-01']);
      expect(p.skipped).toEqual([
        {
          target: 'api_call_logs.p202602 (everything before 2026-03-01)',
          reason: expect.stringMatching(
            /^p202602 holds 3 rows with a NULL or zero created_at \(1 NULL, 2 zero-dated\): RANGE partitioning keeps them/,
          ),
        },
        {
          target: 'api_call_logs.p202603 (2026-03-01 .. 2026-04-01)',
          reason: 'past retention, but p202602 is kept (rows dated NULL or zero); months are retired oldest first',
        },
        {
          target: 'api_call_logs.p202604 (2026-04-01 .. 2026-05-01)',
          reason: 'past retention, but p202602 is kept (rows dated NULL or zero); months are retired oldest first',
        },
      ]);
      expect(p.warnings).toContainEqual(
        expect.stringMatching(/^api_call_logs: retirement skipped: p202602 holds 3 rows/),
      );
    },
  );

  it('says "at least" when the count stopped at its limit', () => {
    const p = planOne(
      table(monthly('2026-03', '2027-01'), { firstPartitionUndated: undated(1000, 0, true) }),
      '2026-11-01T04:30:00Z',
    );
    expect(p.skipped[0]!.reason).toMatch(/^p202602 holds at least 1000 rows with a NULL or zero created_at/);
  });

  it('keeps the first partition when its undated rows were not counted (or were counted on another partition)', () => {
    for (const firstPartitionUndated of [null, { ...undated(0, 0), partition: 'p202603' }]) {
      const p = planOne(table(monthly('2026-03', '2027-01'), { firstPartitionUndated }), '2026-11-01T04:30:00Z');
      expect(retired(p)).toEqual([]);
      expect(p.skipped[0]!.reason).toBe('rows of p202602 dated NULL or zero could not be counted; it is kept');
    }
  });

  it('no such rows: retires as usual; a table whose first partition is not due is not affected', () => {
    expect(retired(planOne(table(monthly('2026-03', '2027-01')), '2026-11-01T04:30:00Z'))).toEqual([
      'p202602',
      'p202603',
    ]);
    const young = planOne(
      table(monthly('2026-06', '2027-02'), { firstPartitionUndated: { ...undated(5, 0), partition: 'p202605' } }),
      '2026-11-01T04:30:00Z',
    );
    expect(retired(young)).toEqual([]);
    expect(young.skipped).toEqual([]);
  });
});

describe('planPartitions: months retired', () => {
  it('drops the months whose real upper bound is at or before the retention start, oldest first, up to the cap', () => {
    // now 2026-11: retention 6 -> start 2026-05-01; p202602..p202604 are due, cap 2.
    const p = planOne(table(monthly('2026-03', '2027-03')), '2026-11-01T04:30:00Z');
    expect(p.retentionStart).toBe(sec('2026-05-01T00:00:00Z'));
    expect(retired(p)).toEqual(['p202602', 'p202603']);
    expect(p.skipped).toEqual([
      { target: 'api_call_logs.p202604 (2026-04-01 .. 2026-05-01)', reason: expect.stringMatching(/cap of 2 per run/) },
    ]);
    // The run's months go in one statement: one metadata lock, one wait at most.
    const drops = p.actions.filter((a): a is RetireAction => a.kind === 'drop');
    expect(drops.map((a) => a.statements)).toEqual([
      ['ALTER TABLE `app`.`api_call_logs` DROP PARTITION `p202602`, `p202603`'],
      [],
    ]);
    expect(drops.map((a) => [a.dropsAlso ?? null, a.droppedWith ?? null])).toEqual([
      [['p202603'], null],
      [null, 'p202602'],
    ]);
  });

  it('a single month due: a plain DROP PARTITION of it', () => {
    // now 2026-09: retention start 2026-03-01; only p202602 ends by then.
    const p = planOne(table(monthly('2026-03', '2027-03')), '2026-09-01T04:30:00Z');
    const drops = p.actions.filter((a): a is RetireAction => a.kind === 'drop');
    expect(drops.map((a) => a.statements)).toEqual([['ALTER TABLE `app`.`api_call_logs` DROP PARTITION `p202602`']]);
    expect(drops[0]!.dropsAlso).toBeUndefined();
  });

  it('lowering retention retires more months, still within the cap', () => {
    const p = planOne(table(monthly('2026-03', '2027-03')), '2026-11-01T04:30:00Z', {
      retentionMonths: 3,
      premakeMonths: 3,
      maxDropsPerRun: 10,
    });
    expect(retired(p)).toEqual(['p202602', 'p202603', 'p202604', 'p202605', 'p202606', 'p202607']);
  });

  it('a two-month partition (a gap in the months) goes only when its real upper bound is past retention', () => {
    const rows = monthly('2026-03', '2027-03').filter((r) => r.name !== 'p202604'); // p202605 now holds April and May
    const p = planOne(table(rows), '2026-11-01T04:30:00Z', { maxDropsPerRun: 10 });
    expect(p.warnings.join('\n')).toMatch(/p202605 spans 2 months \(2026-04-01 .. 2026-06-01\)/);
    expect(retired(p)).toEqual(['p202602', 'p202603']);
  });

  it('never retires the current month, a future month or pmax, even with retention 1 and no cap', () => {
    const p = planOne(table(monthly('2026-01', '2027-03')), '2026-11-30T23:59:59Z', {
      retentionMonths: 1,
      premakeMonths: 1,
      maxDropsPerRun: 24,
    });
    const r = retired(p);
    expect(r).not.toContain('p202611');
    expect(r).not.toContain('p202610');
    expect(r).not.toContain('pmax');
    expect(r.at(-1)).toBe('p202609');
  });

  it('a wrongly named partition is retired by its boundary, not its name', () => {
    const rows = monthly('2026-03', '2027-03');
    rows[0] = { name: 'p209912', description: rows[0]!.description }; // holds February 2026
    rows[5] = { name: 'p200001', description: rows[5]!.description }; // holds July 2026
    const p = planOne(table(rows), '2026-11-01T04:30:00Z', { maxDropsPerRun: 10 });
    expect(retired(p)).toEqual(['p209912', 'p202603', 'p202604']);
  });

  it('archive: CONVERT PARTITION on MariaDB 10.7+, EXCHANGE on MySQL; an existing archive table is not overwritten', () => {
    const t = table(monthly('2026-03', '2027-03'));
    const maria = planOne(
      t,
      '2026-11-01T04:30:00Z',
      { pastRetention: 'archive' },
      { tableNames: ['api_call_logs', 'api_call_logs_p202603'] },
    );
    expect(maria.actions.filter((a) => a.kind === 'archive').map((a) => a.statements)).toEqual([
      ['ALTER TABLE `app`.`api_call_logs` CONVERT PARTITION `p202602` TO TABLE `app`.`api_call_logs_p202602`'],
    ]);
    expect(maria.skipped.find((s) => s.target.includes('p202603'))!.reason).toMatch(
      /archive table api_call_logs_p202603 already exists/,
    );
    const mysql = planOne(
      t,
      '2026-11-01T04:30:00Z',
      { pastRetention: 'archive', maxDropsPerRun: 1 },
      { archiveMethod: 'exchange' },
    );
    expect(mysql.actions.find((a) => a.kind === 'archive')!.statements).toEqual([
      'CREATE TABLE `app`.`api_call_logs_p202602` LIKE `app`.`api_call_logs`',
      'ALTER TABLE `app`.`api_call_logs_p202602` REMOVE PARTITIONING',
      'ALTER TABLE `app`.`api_call_logs` EXCHANGE PARTITION `p202602` WITH TABLE `app`.`api_call_logs_p202602`',
      'ALTER TABLE `app`.`api_call_logs` DROP PARTITION `p202602`',
    ]);
  });

  it('a second plan after the first one succeeded is a no-op (once the capped backlog is gone)', () => {
    const t = table(monthly('2026-03', '2026-08'), { tailRows: { counted: 3, capped: false } });
    const now = '2026-11-01T04:30:00Z';
    const first = planOne(t, now, { maxDropsPerRun: 10 });
    expect(first.actions.length).toBeGreaterThan(0);
    const second = planOne(applied(t, first), now, { maxDropsPerRun: 10 });
    expect(second.actions).toEqual([]);
    expect(second.skipped).toEqual([]);
    expect(second.monthsAheadBefore).toBe(3);
  });
});

describe('planPartitions: shapes refused, with the reason', () => {
  const ok = monthly('2026-06', '2027-01');
  it.each<[string, PartitionTableFacts, Partial<PartitionFacts['server']>, RegExp]>([
    ['missing table', table([], { exists: false }), {}, /table not found/],
    [
      'not partitioned',
      table([], { partitionMethod: null, expression: null }),
      {},
      /not partitioned; `npm run job -- partitions --print-migration`/,
    ],
    [
      'RANGE COLUMNS',
      table(ok, { partitionMethod: 'RANGE COLUMNS', expression: '`created_at`' }),
      {},
      /partitioned by RANGE COLUMNS/,
    ],
    [
      'other expression',
      table(ok, { expression: 'to_days(`created_at`)' }),
      {},
      /expression is "to_days\(`created_at`\)", not UNIX_TIMESTAMP\(created_at\)/,
    ],
    [
      'other column',
      table(ok, { expression: 'unix_timestamp(`updated_at`)' }),
      {},
      /partitioned on updated_at, but the configured column is created_at/,
    ],
    [
      'DATETIME column',
      table(ok, { columns: [{ name: 'created_at', dataType: 'datetime' }] }),
      {},
      /created_at is datetime, not TIMESTAMP/,
    ],
    [
      'unique key without the column',
      table(ok, { uniqueKeys: [{ name: 'uq_request', columns: ['request_id'] }] }),
      {},
      /unique key uq_request \(request_id\) does not include created_at/,
    ],
    [
      'foreign key',
      table(ok, { foreignKeys: [{ name: 'fk_company', from: 'api_call_logs', to: 'companies' }] }),
      {},
      /foreign key fk_company/,
    ],
    ['no MAXVALUE tail', table(ok.slice(0, -1)), {}, /last partition p202612 is not VALUES LESS THAN MAXVALUE/],
    [
      'mid-month boundary',
      table([
        { name: 'p202611', description: String(sec('2026-11-15T00:00:00Z')) },
        { name: 'pmax', description: 'MAXVALUE' },
      ]),
      {},
      /not an exact UTC month start/,
    ],
    ['subpartitions', table(ok, { subpartitionMethod: 'HASH' }), {}, /subpartitions/],
    ['read_only server', table(ok), { readOnly: true }, /read_only/],
  ])('%s', (_case, t, server, reason) => {
    const p = planOne(t, '2026-11-01T04:30:00Z', {}, server);
    expect(p.refused).toMatch(reason);
    expect(p.actions).toEqual([]);
  });

  it('one refused table does not stop the others', () => {
    const f: PartitionFacts = {
      ...facts(table(monthly('2026-03', '2026-12'))),
      tables: [table([], { table: 'audit', partitionMethod: null }), table(monthly('2026-03', '2026-12'))],
    };
    const [audit, logs] = planPartitions(f, POLICY, new Date('2026-11-01T04:30:00Z'));
    expect(audit!.refused).toMatch(/not partitioned/);
    expect(logs!.actions.length).toBeGreaterThan(0);
  });
});
