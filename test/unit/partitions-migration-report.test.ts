import { describe, expect, it } from 'vitest';
import { expectedAfter, precondition, type ActionOutcome } from '../../jobs/partitions/apply.js';
import type { PartitionTableFacts } from '../../jobs/partitions/facts.js';
import { migrationResult, rotationResult } from '../../jobs/partitions/report.js';
import { planMigration } from '../../jobs/partitions/plan-migration.js';
import { planPartitions } from '../../jobs/partitions/plan.js';

const NOW = new Date('2026-11-01T04:30:00Z');
const POLICY = {
  column: 'created_at',
  premakeMonths: 3,
  retentionMonths: 6,
  maxDropsPerRun: 2,
  pastRetention: 'drop' as const,
  pmaxRowThreshold: 100,
};

function unpartitioned(over: Partial<PartitionTableFacts> = {}): PartitionTableFacts {
  return {
    table: 'api_call_logs',
    exists: true,
    partitionMethod: null,
    subpartitionMethod: null,
    expression: null,
    columns: [
      { name: 'id', dataType: 'bigint' },
      { name: 'created_at', dataType: 'timestamp' },
    ],
    uniqueKeys: [{ name: 'PRIMARY', columns: ['id', 'created_at'] }],
    foreignKeys: [],
    partitions: [],
    tailRows: null,
    firstPartitionUndated: null,
    ...over,
  };
}

describe('planMigration (--print-migration)', () => {
  it('prints monthly partitions from the oldest row to now + premake, then pmax', () => {
    const m = planMigration(unpartitioned(), Date.parse('2026-08-17T10:00:00Z') / 1000, 'app', POLICY, NOW);
    expect(m.sql).toBe(
      'ALTER TABLE `app`.`api_call_logs` PARTITION BY RANGE (UNIX_TIMESTAMP(`created_at`)) (' +
        'PARTITION `p202608` VALUES LESS THAN (1788220800), PARTITION `p202609` VALUES LESS THAN (1790812800), ' +
        'PARTITION `p202610` VALUES LESS THAN (1793491200), PARTITION `p202611` VALUES LESS THAN (1796083200), ' +
        'PARTITION `p202612` VALUES LESS THAN (1798761600), PARTITION `p202701` VALUES LESS THAN (1801440000), ' +
        'PARTITION `p202702` VALUES LESS THAN (1803859200), PARTITION `pmax` VALUES LESS THAN MAXVALUE)',
    );
    expect(m.notes.join(' ')).toMatch(/never runs this.*blocks writes/);
  });

  it.each<[string, Partial<PartitionTableFacts>, RegExp]>([
    [
      'a primary key without the column',
      { uniqueKeys: [{ name: 'PRIMARY', columns: ['id'] }] },
      /unique key PRIMARY \(id\) without created_at/,
    ],
    [
      'a foreign key',
      { foreignKeys: [{ name: 'fk_company', from: 'api_call_logs', to: 'companies' }] },
      /foreign keys fk_company/,
    ],
    ['a DATETIME column', { columns: [{ name: 'created_at', dataType: 'datetime' }] }, /created_at is datetime/],
    [
      'an already partitioned table',
      { partitionMethod: 'RANGE', expression: 'unix_timestamp(`created_at`)' },
      /already partitioned/,
    ],
  ])('prints no ALTER for %s, and says why', (_c, over, reason) => {
    const m = planMigration(unpartitioned(over), null, 'app', POLICY, NOW);
    expect(m.sql).toBeNull();
    expect(m.reason).toMatch(reason);
  });

  it('the CLI shows the ALTER: it is in the summary and in an sql section', () => {
    const r = migrationResult([planMigration(unpartitioned(), null, 'app', POLICY, NOW)]);
    expect(r.summary).toMatch(
      /^print-migration \(nothing was run\):\napi_call_logs: .*\nALTER TABLE `app`.`api_call_logs` PARTITION BY RANGE/,
    );
    expect(r.sections!.find((s) => s.kind === 'sql')).toMatchObject({
      statements: [expect.stringMatching(/^ALTER TABLE .*MAXVALUE\);$/)],
    });
  });
});

describe('rotationResult and the applier checks', () => {
  const partitions = [
    ...[
      1772323200, 1775001600, 1777593600, 1780272000, 1782864000, 1785542400, 1788220800, 1790812800, 1793491200,
      1796083200,
    ].map((b) => ({
      name: `p${new Date((b - 86400) * 1000).toISOString().slice(0, 7).replace('-', '')}`,
      description: String(b),
    })),
    { name: 'pmax', description: 'MAXVALUE' },
  ];
  const facts = {
    database: 'app',
    server: { readOnly: false, archiveMethod: 'convert' as const, tableNames: [] },
    tables: [
      {
        ...unpartitioned(),
        partitionMethod: 'RANGE',
        expression: 'unix_timestamp(`created_at`)',
        partitions,
        tailRows: { counted: 0, capped: false },
        firstPartitionUndated: { partition: partitions[0]!.name, nullRows: 0, zeroRows: 0, capped: false },
      },
    ],
  };
  const plans = planPartitions(facts, POLICY, NOW);

  it('reports created and retired months with rows, coverage and what was not done', () => {
    const [create, drop1, drop2] = plans[0]!.actions;
    const outcomes: ActionOutcome[] = [
      { action: create!, outcome: 'done', rows: 0, newMonthRows: { p202612: 0, p202701: 0, p202702: 0 } },
      { action: drop1!, outcome: 'done', rows: 1234 },
      { action: drop2!, outcome: 'contended', rows: 55, note: 'lock_wait_timeout (3 s)' },
    ];
    const r = rotationResult(plans, outcomes, false, POLICY);
    expect(r.status).toBe('warning');
    expect(r.summary).toBe(
      'api_call_logs: created p202612, p202701, p202702; retired p202602 (drop): 1,234 rows; 1 not done (contended); 3 months ahead',
    );
    expect(r.skipped).toEqual([
      { target: 'api_call_logs drop p202603', reason: 'contended: lock_wait_timeout (3 s)', kind: 'contended' },
      {
        target: 'api_call_logs.p202604 (2026-04-01 .. 2026-05-01)',
        reason: 'past retention, but the cap of 2 per run is reached; a later run retires it',
      },
    ]);
    expect(r.warnings).toEqual(['api_call_logs: drop p202603 not done (contended)']);
    const fig = r.sections!.find((s) => s.kind === 'figures');
    expect(fig).toMatchObject({
      figures: [
        { label: 'api_call_logs: months ahead', value: 3, status: 'ok' },
        { label: 'api_call_logs: rows in pmax', value: 0, status: 'ok' },
      ],
    });
    // The timeline: the retired month dropped, the contended one still kept, the created months, then the tail.
    const timeline = r.sections!.find((s) => s.kind === 'timeline');
    expect(timeline?.kind === 'timeline' && timeline.rows[0]!.cells.map((c) => `${c.label} ${c.kind}`)).toEqual([
      '2026-02 dropped',
      ...['03', '04', '05', '06', '07', '08', '09', '10', '11'].map((m) => `2026-${m} kept`),
      '2026-12 created',
      '2027-01 created',
      '2027-02 created',
      'pmax tail',
    ]);
  });

  it('a dry run says what it would do and shows the statements', () => {
    const outcomes: ActionOutcome[] = plans[0]!.actions.map((action) => ({ action, outcome: 'planned', rows: 7 }));
    const r = rotationResult(plans, outcomes, true, POLICY);
    expect(r.summary).toMatch(
      /^\[dry run\] api_call_logs: would create p202612, p202701, p202702; would retire p202602 \(drop\), p202603 \(drop\): 14 rows; 3 months ahead$/,
    );
    expect(r.sections!.find((s) => s.kind === 'sql')).toMatchObject({ title: 'Statements the run would execute' });
  });

  it('the applier verifies against the layout the action must produce, and refuses a changed table', () => {
    const [create, drop] = plans[0]!.actions;
    expect(precondition(partitions, create!)).toBeNull();
    const after = expectedAfter(partitions, create!);
    expect(after.slice(-4).map((p) => p.name)).toEqual(['p202612', 'p202701', 'p202702', 'pmax']);
    expect(precondition(after, create!)).toBe('the last month partition changed since planning');
    expect(
      precondition(
        partitions.filter((p) => p.name !== 'p202602'),
        drop!,
      ),
    ).toBe('p202602 no longer exists');
    expect(
      precondition(
        partitions.map((p) => (p.name === 'p202602' ? { ...p, description: '1' } : p)),
        drop!,
      ),
    ).toMatch(/now ends at 1/);
  });
});
