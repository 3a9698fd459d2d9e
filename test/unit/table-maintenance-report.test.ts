import { describe, expect, it } from 'vitest';
import { buildResult, type MaintenanceRun, type TableOutcome } from '../../jobs/table-maintenance/report.js';

const MiB = 1024 ** 2;
const size = (rows: number, data: number, index: number, free: number) => ({
  rows,
  dataLength: data * MiB,
  indexLength: index * MiB,
  dataFree: free * MiB,
});
const estimate = (percent: number, reclaim: number) => ({
  allocatedBytes: 0,
  reclaimableBytes: reclaim * MiB,
  percent,
  bytesPerRow: 600,
  baselineBytesPerRow: 240,
  basis: 'baseline' as const,
});
const stats = { before: null, after: null };

const rebuilt: TableOutcome = {
  table: 'appointments',
  error: null,
  analyze: { reason: 'listed', outcome: 'ok', durationMs: 12 },
  statsUpdatedAt: stats,
  optimize: {
    action: 'rebuild',
    reason: 'bloat 60.0 %',
    statement: { sql: 'OPTIMIZE TABLE `b`.`appointments`', values: [], method: 'optimize', why: 'OPTIMIZE' },
    outcome: 'ok',
    durationMs: 900,
  },
  before: size(400_000, 200, 50, 4),
  after: size(400_000, 80, 20, 0),
  estimate: estimate(60, 150),
  prediction: null,
  predictionNote: null,
  spaceWonBytes: 154 * MiB,
};
const fulltext: TableOutcome = {
  table: 'calls',
  error: null,
  analyze: { reason: 'listed', outcome: 'ok', durationMs: 3 },
  statsUpdatedAt: stats,
  optimize: { action: 'skip', reason: 'has FULLTEXT ft_calls_transcript: a rebuild blocks writes' },
  before: size(3000, 1, 1, 0),
  after: null,
  estimate: estimate(0, 0),
  prediction: null,
  predictionNote: null,
  spaceWonBytes: null,
};
const missing: TableOutcome = {
  table: 'ghost',
  error: 'table b.ghost does not exist',
  analyze: null,
  statsUpdatedAt: stats,
  optimize: null,
  before: null,
  after: null,
  estimate: null,
  prediction: null,
  predictionNote: null,
  spaceWonBytes: null,
};
const contended: TableOutcome = {
  ...rebuilt,
  table: 'locks',
  optimize: {
    ...rebuilt.optimize!,
    outcome: 'contended',
    message: 'Lock wait timeout exceeded',
  } as TableOutcome['optimize'],
  after: null,
  spaceWonBytes: null,
};

const RUN: MaintenanceRun = {
  schema: 'b',
  dryRun: false,
  readOnly: false,
  lockWaitTimeoutSeconds: 5,
  tables: [rebuilt, fulltext],
  warnings: [],
  notes: [],
  plannedStatements: [],
  interrupted: false,
};

describe('table-maintenance result and report sections', () => {
  it('a clean run: ok, space won, before/after bars, skip reasons', () => {
    const r = buildResult(RUN);
    expect(r.status).toBe('ok');
    expect(r.summary).toBe('analyzed 2 table(s), rebuilt appointments (won 154.0 MiB), 1 skipped');
    expect(r.skipped).toEqual([
      { target: 'calls', reason: 'has FULLTEXT ft_calls_transcript: a rebuild blocks writes' },
    ]);
    const figures = r.sections!.find((s) => s.kind === 'figures');
    expect(figures).toMatchObject({
      figures: expect.arrayContaining([{ label: 'space won', value: 154, unit: 'MiB' }]),
    });
    expect(r.sections!.find((s) => s.kind === 'bars')).toMatchObject({
      bars: [
        { label: 'appointments before', value: 254 },
        { label: 'appointments after', value: 100 },
        { label: 'calls', value: 2 },
      ],
    });
    expect(r.sections!.some((s) => s.kind === 'text' && s.title.startsWith('Rebuild candidates'))).toBe(false);
    const kept = buildResult({
      ...RUN,
      tables: [{ ...fulltext, table: 'customers', optimize: { action: 'keep', reason: 'bloat 3.0 % is below 20 %' } }],
    });
    expect(kept.sections!.find((s) => s.kind === 'text')).toMatchObject({
      title: 'Rebuild candidates not worth a rebuild yet',
      lines: ['customers: bloat 3.0 % is below 20 %'],
    });
  });

  it('a missing table makes a warning that names it; contention is a skip, not an error', () => {
    const r = buildResult({ ...RUN, tables: [rebuilt, missing, contended] });
    expect(r.status).toBe('warning');
    expect(r.warnings).toEqual(['ghost: table b.ghost does not exist']);
    expect(r.skipped).toEqual([
      {
        target: 'locks',
        reason: 'contended: OPTIMIZE could not get the metadata lock within lock_wait_timeout (5 s)',
        kind: 'contended',
      },
    ]);
    expect(r.sections!.find((s) => s.kind === 'text' && s.title.startsWith('Errors'))).toMatchObject({
      lines: ['ghost: table b.ghost does not exist'],
    });
  });

  it('a contended rebuild is a typed skip naming the culprit; the mid-rebuild case says the work lost', () => {
    const culprit = { connectionId: 42, user: 'app', host: '10.0.0.5:51234', ageSeconds: 73 };
    const contention = {
      when: 'mid-rebuild' as const,
      check: { method: 'coarse' as const, holders: [culprit] },
      waitedMs: 9000,
      workLostMs: 9000,
    };
    const mid: TableOutcome = {
      ...rebuilt,
      table: 'locks',
      optimize: {
        ...rebuilt.optimize!,
        outcome: 'contended',
        message: 'rolled back after 9.0 s of work (lost); connection 42 (app@10.0.0.5:51234, transaction open 73 s)',
        contention,
      } as TableOutcome['optimize'],
      after: null,
      spaceWonBytes: null,
    };
    const r = buildResult({ ...RUN, tables: [mid] });
    expect(r.skipped).toEqual([
      {
        target: 'locks',
        kind: 'contended',
        culprits: [culprit],
        reason:
          'contended mid-rebuild: rolled back after 9.0 s of work (lost); connection 42 (app@10.0.0.5:51234, transaction open 73 s)',
      },
    ]);
    expect(r.status).toBe('ok');
  });

  it('a dry run shows no counts it did not measure and lists the statements', () => {
    const planned = {
      ...rebuilt,
      analyze: { reason: 'listed', outcome: 'planned' as const },
      optimize: {
        action: 'rebuild' as const,
        reason: 'bloat 60.0 %',
        statement:
          rebuilt.optimize!.action === 'rebuild'
            ? rebuilt.optimize!.statement
            : { sql: '', values: [], method: 'optimize' as const, why: '' },
      },
      after: null,
      spaceWonBytes: null,
    };
    const r = buildResult({
      ...RUN,
      dryRun: true,
      tables: [planned],
      plannedStatements: ['ANALYZE TABLE `b`.`appointments`', 'OPTIMIZE TABLE `b`.`appointments`'],
      notes: ['dry run: no ANALYZE ran'],
    });
    expect(r.status).toBe('ok');
    expect(r.summary).toBe('dry run: would analyze 1 table(s), rebuild appointments');
    const figures = r.sections!.find((s) => s.kind === 'figures');
    expect(figures).toMatchObject({
      figures: expect.arrayContaining([{ label: 'space won', value: null, unit: 'MiB', note: 'dry run' }]),
    });
    expect(r.sections!.find((s) => s.kind === 'sql')).toMatchObject({
      statements: ['ANALYZE TABLE `b`.`appointments`', 'OPTIMIZE TABLE `b`.`appointments`'],
    });
  });
});
