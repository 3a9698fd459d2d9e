import type { JobResult, JobSkip } from '../../src/job/job-contract.js';
import type { ReportSection } from '../../src/job/report-sections.js';
import type { StatementOutcome } from './apply.js';
import { allocatedBytes, type BloatEstimate, type MaintenanceTableSize } from './bloat-estimate.js';
import { mib, type MaintenancePlan, type OptimizeDecision } from './plan.js';
import type { PresentTable } from './facts.js';

/** What happened to one table in this run. */
export interface TableOutcome {
  table: string;
  error: string | null;
  analyze: {
    reason: string;
    outcome: StatementOutcome['outcome'] | 'planned' | 'not run';
    message?: string;
    durationMs?: number;
    notes?: string[];
  } | null;
  /** mysql.innodb_table_stats.last_update before and after the run. */
  statsUpdatedAt: { before: Date | null; after: Date | null };
  optimize:
    | (OptimizeDecision & {
        outcome?: StatementOutcome['outcome'] | 'not run';
        message?: string;
        durationMs?: number;
        notes?: string[];
        contention?: StatementOutcome['contention'];
      })
    | null;
  before: MaintenanceTableSize | null;
  after: MaintenanceTableSize | null;
  estimate: BloatEstimate | null;
  /** The size model's account: predicted data + index after a rebuild, the off-page part, from how many rows. */
  prediction: { dataBytes: number; indexBytes: number; offPageBytes: number; rows: number; sampledRows: number } | null;
  predictionNote: string | null;
  spaceWonBytes: number | null;
}

export interface MaintenanceRun {
  schema: string;
  dryRun: boolean;
  readOnly: boolean;
  lockWaitTimeoutSeconds: number;
  tables: TableOutcome[];
  warnings: string[];
  /** Facts for the reader that need no action. */
  notes: string[];
  /** Statements a dry run would execute. */
  plannedStatements: string[];
  interrupted: boolean;
}

export function sizeOf(t: PresentTable | null): MaintenanceTableSize | null {
  return t
    ? {
        rows: t.rows,
        dataLength: t.dataLength,
        indexLength: t.indexLength,
        dataFree: t.dataFree,
        tablespace: t.tablespace,
      }
    : null;
}

const toMib = (bytes: number) => Math.round((bytes / 1024 ** 2) * 100) / 100;

export function plannedStatements(plan: MaintenancePlan): string[] {
  return plan.tables.flatMap((t) => [
    ...t.analyze.map((s) => s.sql),
    ...(t.optimize?.action === 'rebuild'
      ? [t.optimize.statement.sql.replace('?', String(t.optimize.statement.values[0] ?? '?'))]
      : []),
  ]);
}

/** Turn the run into the JobResult: status, summary, skipped, details and report sections. */
export function buildResult(run: MaintenanceRun): JobResult {
  const errors = run.tables.flatMap((t) => {
    const out: string[] = [];
    if (t.error) out.push(`${t.table}: ${t.error}`);
    if (t.analyze?.outcome === 'error') out.push(`${t.table}: ANALYZE failed: ${t.analyze.message ?? ''}`);
    if (t.optimize?.outcome === 'error') out.push(`${t.table}: OPTIMIZE failed: ${t.optimize.message ?? ''}`);
    return out;
  });
  const skipped = run.tables.flatMap((t) => {
    const out: JobSkip[] = [];
    if (t.analyze?.outcome === 'contended') {
      out.push({
        target: t.table,
        reason: `contended: ANALYZE could not get the metadata lock within lock_wait_timeout (${run.lockWaitTimeoutSeconds} s)`,
        kind: 'contended',
      });
    }
    if (t.optimize?.action === 'skip') out.push({ target: t.table, reason: t.optimize.reason });
    if (t.optimize?.outcome === 'contended') {
      const c = t.optimize.contention;
      const reason = c
        ? `contended${c.when === 'mid-rebuild' ? ' mid-rebuild' : ''}: ${t.optimize.message ?? ''}`
        : `contended: OPTIMIZE could not get the metadata lock within lock_wait_timeout (${run.lockWaitTimeoutSeconds} s)`;
      out.push({
        target: t.table,
        reason,
        kind: 'contended',
        ...(c?.check?.holders.length ? { culprits: c.check.holders } : {}),
      });
    }
    if (t.optimize?.outcome === 'not run' && t.optimize.action === 'rebuild')
      out.push({ target: t.table, reason: t.optimize.message ?? 'not run' });
    if (t.optimize?.outcome === 'replica-lagging')
      out.push({ target: t.table, reason: `replica-lagging: ${t.optimize.message ?? ''}` });
    return out;
  });
  const analyzed = run.tables.filter((t) => t.analyze?.outcome === 'ok');
  const rebuilt = run.tables.filter((t) => t.optimize?.outcome === 'ok');
  const toRebuild = run.tables.filter((t) => t.optimize?.action === 'rebuild');
  const spaceWon = rebuilt.reduce((sum, t) => sum + (t.spaceWonBytes ?? 0), 0);
  const replicaHeld = run.tables
    .filter((t) => t.optimize?.outcome === 'replica-lagging')
    .map((t) => `${t.table}: OPTIMIZE skipped, replica-lagging: ${t.optimize?.message ?? ''}`);
  const warnings = [
    ...run.warnings,
    ...errors,
    ...replicaHeld,
    ...run.tables.flatMap((t) => (t.analyze?.notes ?? []).filter((n) => /warn/i.test(n))),
  ];

  const summary = run.dryRun
    ? `dry run: would analyze ${run.tables.filter((t) => t.analyze).length} table(s), rebuild ${toRebuild.length ? toRebuild.map((t) => t.table).join(', ') : 'none'}` +
      `${skipped.length ? `, skip ${skipped.length}` : ''}${errors.length ? `; ${errors.length} error(s)` : ''}`
    : `analyzed ${analyzed.length} table(s), rebuilt ${rebuilt.length ? `${rebuilt.map((t) => t.table).join(', ')} (won ${mib(spaceWon)})` : 'none'}` +
      `${skipped.length ? `, ${skipped.length} skipped` : ''}${errors.length ? `; ${errors.length} error(s)` : ''}${run.interrupted ? '; interrupted' : ''}`;

  return {
    status: warnings.length > 0 ? 'warning' : 'ok',
    summary,
    ...(warnings.length ? { warnings } : {}),
    ...(skipped.length ? { skipped } : {}),
    details: { ...run },
    sections: sections(run, { analyzed: analyzed.length, rebuilt: rebuilt.length, spaceWon, errors, skipped }),
  };
}

function sections(
  run: MaintenanceRun,
  s: { analyzed: number; rebuilt: number; spaceWon: number; errors: string[]; skipped: JobSkip[] },
): ReportSection[] {
  const out: ReportSection[] = [
    {
      kind: 'figures',
      title: run.dryRun ? 'Table maintenance (dry run: nothing executed)' : 'Table maintenance',
      figures: [
        { label: 'tables analyzed', value: run.dryRun ? null : s.analyzed, ...(run.dryRun ? { note: 'dry run' } : {}) },
        { label: 'tables rebuilt', value: run.dryRun ? null : s.rebuilt, ...(run.dryRun ? { note: 'dry run' } : {}) },
        {
          label: 'space won',
          value: run.dryRun ? null : toMib(s.spaceWon),
          unit: 'MiB',
          ...(run.dryRun ? { note: 'dry run' } : {}),
        },
        { label: 'table errors', value: s.errors.length, threshold: '0', status: s.errors.length > 0 ? 'warn' : 'ok' },
        { label: 'skipped', value: s.skipped.length },
      ],
    },
    {
      kind: 'table',
      title: `Tables in ${run.schema}`,
      columns: [
        'table',
        'rows',
        'data MiB',
        'index MiB',
        'free MiB',
        'predicted MiB',
        'bloat %',
        'B/row (baseline)',
        'ANALYZE',
        'stats updated',
        'OPTIMIZE',
        'after MiB',
      ],
      rows: run.tables.map((t) => [
        t.table,
        t.before?.rows ?? null,
        t.before ? toMib(t.before.dataLength) : null,
        t.before ? toMib(t.before.indexLength) : null,
        t.before ? toMib(t.before.dataFree) : null,
        t.estimate?.predictedBytes == null ? null : toMib(t.estimate.predictedBytes),
        t.estimate ? Math.round(t.estimate.percent * 10) / 10 : null,
        t.estimate?.bytesPerRow == null
          ? null
          : `${t.estimate.bytesPerRow.toFixed(0)} (${t.estimate.baselineBytesPerRow?.toFixed(0) ?? 'none'})`,
        t.error ? `error: ${t.error}` : (t.analyze?.outcome ?? '-'),
        t.statsUpdatedAt.after ? `${t.statsUpdatedAt.after.toISOString().slice(0, 16).replace('T', ' ')} UTC` : null,
        t.optimize ? `${t.optimize.action}${t.optimize.outcome ? `: ${t.optimize.outcome}` : ''}` : '-',
        t.after ? toMib(allocatedBytes(t.after)) : null,
      ]),
    },
  ];
  const bars = run.tables.flatMap((t) => {
    if (!t.before) return [];
    const b = {
      label: `${t.table} before`,
      value: toMib(allocatedBytes(t.before)),
      note: `data ${mib(t.before.dataLength)}, index ${mib(t.before.indexLength)}, free ${mib(t.before.dataFree)}`,
    };
    if (!t.after || t.optimize?.outcome !== 'ok') return [{ ...b, label: t.table }];
    return [
      b,
      { label: `${t.table} after`, value: toMib(allocatedBytes(t.after)), note: `won ${mib(t.spaceWonBytes ?? 0)}` },
    ];
  });
  if (bars.length)
    out.push({
      kind: 'bars',
      title: 'Allocated size (data + index + free), before and after rebuild',
      unit: 'MiB',
      bars,
    });
  // The file on disk, as the filesystem counts it: what the rebuild gave back to the disk.
  const files = run.tables.flatMap((t) => {
    const before = t.before?.tablespace;
    const after = t.after?.tablespace;
    if (!before || !after || t.optimize?.outcome !== 'ok') return [];
    return [
      { label: `${t.table} before`, value: toMib(before.allocatedBytes), note: `file ${mib(before.fileBytes)}` },
      {
        label: `${t.table} after`,
        value: toMib(after.allocatedBytes),
        note: `file ${mib(after.fileBytes)}, won ${mib(before.allocatedBytes - after.allocatedBytes)} on disk`,
      },
    ];
  });
  if (files.length)
    out.push({
      kind: 'bars',
      title: 'Tablespace file on disk (ALLOCATED_SIZE), before and after rebuild',
      unit: 'MiB',
      bars: files,
    });
  // Skips (safety rules, contention) are in JobResult.skipped, which every report lists; these are the tables that are
  // fine.
  const kept = run.tables.filter((t) => t.optimize?.action === 'keep').map((t) => `${t.table}: ${t.optimize!.reason}`);
  if (kept.length) out.push({ kind: 'text', title: 'Rebuild candidates not worth a rebuild yet', lines: kept });
  if (s.errors.length) out.push({ kind: 'text', title: 'Errors (the other tables went on)', lines: s.errors });
  const notes = [
    ...run.notes,
    ...run.tables.flatMap((t) => (t.predictionNote ? [`${t.table}: ${t.predictionNote}`] : [])),
  ];
  if (notes.length) out.push({ kind: 'text', title: 'Notes', lines: notes });
  if (run.dryRun && run.plannedStatements.length)
    out.push({ kind: 'sql', title: 'Statements a run would execute now', statements: run.plannedStatements });
  return out;
}
