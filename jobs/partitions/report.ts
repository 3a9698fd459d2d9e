import { formatNumber } from '../../src/core/number-format.js';
import type { JobResult, JobSkip } from '../../src/job/job-contract.js';
import type { Figure, ReportSection, TimelineRow } from '../../src/job/report-sections.js';
import type { ActionOutcome } from './apply.js';
import { isoDay } from './month-math.js';
import type { MigrationPlan } from './plan-migration.js';
import { rangeText, type PartitionAction, type PartitionTablePlan } from './plan.js';
import { partitionTimeline } from './timeline.js';

interface ReportPolicy {
  premakeMonths: number;
  pmaxRowThreshold: number;
}

const fmt = formatNumber;

function actionRange(a: PartitionAction): string {
  if (a.kind !== 'create') return rangeText(a);
  return rangeText({ lowerBound: a.months[0]!.lowerBound, upperBound: a.months[a.months.length - 1]!.upperBound });
}

/** Per table: what was (or would be) created and retired, coverage, tail rows, skips; as details, sections and one
 * summary line. */
export function rotationResult(
  plans: readonly PartitionTablePlan[],
  outcomes: readonly ActionOutcome[],
  dryRun: boolean,
  policy: ReportPolicy,
): JobResult {
  const warnings: string[] = [];
  const skipped: JobSkip[] = [];
  const figures: Figure[] = [];
  const bars: { label: string; value: number; max?: number; note?: string }[] = [];
  const changeRows: (string | number | null)[][] = [];
  const statements: string[] = [];
  const summaries: string[] = [];
  const tables: Record<string, unknown>[] = [];
  const timeline: TimelineRow[] = [];

  for (const plan of plans) {
    if (plan.refused) {
      skipped.push({ target: plan.table, reason: `refused: ${plan.refused}` });
      warnings.push(`${plan.table}: refused: ${plan.refused}`);
      figures.push({
        label: `${plan.table}: months ahead`,
        value: null,
        note: `refused: ${plan.refused}`,
        status: 'n/a',
      });
      figures.push({ label: `${plan.table}: rows in pmax`, value: null, note: 'refused', status: 'n/a' });
      summaries.push(`${plan.table}: refused (${plan.refused})`);
      tables.push({ table: plan.table, refused: plan.refused });
      continue;
    }
    const mine = outcomes.filter((o) => o.action.table === plan.table);
    const created = mine.filter((o) => o.action.kind === 'create' && (dryRun || o.outcome === 'done'));
    const retired = mine.filter((o) => o.action.kind !== 'create' && (dryRun || o.outcome === 'done'));
    const notDone = dryRun ? [] : mine.filter((o) => o.outcome !== 'done');
    const ahead = created.length > 0 ? plan.monthsAheadAfter : plan.monthsAheadBefore;
    timeline.push(partitionTimeline(plan, created, retired));
    for (const o of mine) {
      const a = o.action;
      const name = a.kind === 'create' ? a.months.map((m) => m.name).join(', ') : a.partition;
      changeRows.push([
        plan.table,
        a.kind,
        name,
        actionRange(a),
        o.rows,
        dryRun ? 'planned' : o.outcome,
        o.note ?? a.reason,
      ]);
      if (dryRun || o.outcome === 'done') statements.push(...a.statements);
    }
    for (const o of notDone) {
      warnings.push(
        `${plan.table}: ${o.action.kind} ${o.action.kind === 'create' ? o.action.months.map((m) => m.name).join(', ') : o.action.partition} not done (${o.outcome})`,
      );
      const target = `${plan.table} ${o.action.kind} ${o.action.kind === 'create' ? o.action.months.map((m) => m.name).join(',') : o.action.partition}`;
      const typed =
        o.outcome === 'contended'
          ? { kind: 'contended' as const, ...(o.culprits?.length ? { culprits: o.culprits } : {}) }
          : {};
      skipped.push({ target, reason: `${o.outcome}: ${o.note ?? ''}`, ...typed });
    }
    skipped.push(...plan.skipped);
    warnings.push(...plan.warnings);
    const premake = plan.premakeMonths ?? policy.premakeMonths;
    const short = ahead === null || ahead < premake;
    if (short)
      warnings.push(
        `${plan.table}: ${ahead === null || ahead < 0 ? 'the current month has no partition: inserts land in the tail' : `only ${ahead} months ahead (premake ${premake})`}`,
      );
    figures.push({
      label: `${plan.table}: months ahead`,
      value: ahead,
      unit: 'months',
      threshold: `≥ ${premake}`,
      status: ahead === null || ahead < 0 ? 'fail' : short ? 'warn' : 'ok',
      note:
        plan.months.length > 0 || created.length > 0
          ? `partitions end ${isoDay(coveredUntil(plan, created.length > 0))}`
          : 'no month partitions',
    });
    const tail = plan.tailRows;
    figures.push({
      label: `${plan.table}: rows in pmax`,
      value: tail ? tail.counted : null,
      threshold: `≤ ${policy.pmaxRowThreshold}`,
      status: !tail ? 'n/a' : tail.capped ? 'fail' : tail.counted > 0 ? 'warn' : 'ok',
      ...(tail?.capped ? { note: `more than ${policy.pmaxRowThreshold} (count stopped there)` } : {}),
    });
    bars.push({
      label: plan.table,
      value: Math.max(0, ahead ?? 0),
      max: Math.max(premake, ahead ?? 0),
      note: `${ahead ?? 'n/a'} of ${premake} months ahead`,
    });
    const verb = (past: string, future: string) => (dryRun ? future : past);
    const parts: string[] = [];
    const createdNames = created.flatMap((o) => (o.action.kind === 'create' ? o.action.months.map((m) => m.name) : []));
    if (createdNames.length > 0) parts.push(`${verb('created', 'would create')} ${createdNames.join(', ')}`);
    if (retired.length > 0) {
      const rows = retired.reduce((s, o) => s + (o.rows ?? 0), 0);
      parts.push(
        `${verb('retired', 'would retire')} ${retired.map((o) => (o.action.kind === 'create' ? '' : `${o.action.partition} (${o.action.kind})`)).join(', ')}: ${fmt(rows)} rows`,
      );
    }
    if (plan.retirementHeldBy) parts.push(`retired nothing: ${plan.retirementHeldBy} holds rows dated NULL or zero`);
    if (notDone.length > 0)
      parts.push(`${notDone.length} not done (${[...new Set(notDone.map((o) => o.outcome))].join(', ')})`);
    if (parts.length === 0) parts.push('nothing to do');
    summaries.push(`${plan.table}: ${parts.join('; ')}; ${ahead ?? 'n/a'} months ahead`);
    tables.push({
      table: plan.table,
      refused: null,
      monthsAheadBefore: plan.monthsAheadBefore,
      monthsAhead: ahead,
      // Unix seconds: the newest month partition's upper bound, after which inserts land in the tail (metrics).
      coveredUntil: plan.months.length > 0 || created.length > 0 ? coveredUntil(plan, created.length > 0) : null,
      rowsInPmax: tail,
      created: created.flatMap((o) =>
        o.action.kind === 'create'
          ? o.action.months.map((m) => ({
              partition: m.name,
              from: m.lowerBound === null ? null : isoDay(m.lowerBound),
              to: isoDay(m.upperBound),
              rows: o.newMonthRows?.[m.name] ?? null,
              statementMs: o.durationMs ?? null,
            }))
          : [],
      ),
      retired: retired.map((o) =>
        o.action.kind === 'create'
          ? {}
          : {
              partition: o.action.partition,
              how: o.action.kind,
              from: o.action.lowerBound === null ? null : isoDay(o.action.lowerBound),
              to: isoDay(o.action.upperBound),
              rows: o.rows,
              statementMs: o.durationMs ?? null,
              ...(o.action.archiveTable
                ? { archiveTable: o.action.archiveTable, archivedRows: o.archivedRows ?? null }
                : {}),
            },
      ),
      notDone: notDone.map((o) => ({ kind: o.action.kind, outcome: o.outcome, note: o.note ?? null })),
      retirementHeldBy: plan.retirementHeldBy,
      skipped: plan.skipped,
      warnings: plan.warnings,
    });
  }

  const sections: ReportSection[] = [
    { kind: 'figures', title: 'Partition coverage', figures },
    { kind: 'bars', title: 'Future months with a partition', unit: 'months', bars },
    ...(timeline.length
      ? [
          {
            kind: 'timeline' as const,
            title: dryRun ? 'Partition timeline (planned)' : 'Partition timeline',
            rows: timeline,
          },
        ]
      : []),
    {
      kind: 'table',
      title: dryRun ? 'Planned partition changes' : 'Partition changes',
      columns: ['table', 'action', 'partitions', 'range', 'rows', 'outcome', 'why'],
      rows: changeRows,
    },
  ];
  if (skipped.length > 0)
    sections.push({ kind: 'text', title: 'Skipped or refused', lines: skipped.map((s) => `${s.target}: ${s.reason}`) });
  if (statements.length > 0)
    sections.push({
      kind: 'sql',
      title: dryRun ? 'Statements the run would execute' : 'Statements executed',
      statements,
    });
  const status = warnings.length > 0 ? 'warning' : 'ok';
  return {
    status,
    summary: `${dryRun ? '[dry run] ' : ''}${summaries.join(' | ')}`,
    ...(warnings.length ? { warnings } : {}),
    ...(skipped.length ? { skipped } : {}),
    details: { dryRun, tables },
    sections,
  };
}

function coveredUntil(plan: PartitionTablePlan, withCreate: boolean): number {
  const create = plan.actions.find((a) => a.kind === 'create');
  if (withCreate && create && create.kind === 'create') return create.months[create.months.length - 1]!.upperBound;
  return plan.months[plan.months.length - 1]?.upperBound ?? plan.currentMonthStart;
}

/** --print-migration: the ALTER per unpartitioned table, printed, never run. */
export function migrationResult(plans: readonly MigrationPlan[]): JobResult {
  const lines: string[] = [];
  for (const p of plans) {
    lines.push(p.sql ? `${p.table}: ${p.reason}\n${p.sql};` : `${p.table}: no migration: ${p.reason}`);
    for (const n of p.notes) lines.push(`  -- ${n}`);
  }
  const statements = plans.flatMap((p) => (p.sql ? [`${p.sql};`] : []));
  return {
    status: 'ok',
    summary: `print-migration (nothing was run):\n${lines.join('\n')}`,
    details: { printMigration: plans },
    sections: [
      { kind: 'text', title: 'Partitioning migration (not run)', lines },
      ...(statements.length
        ? [{ kind: 'sql' as const, title: 'ALTER to partition by month (run by a DBA, not by dbkeeper)', statements }]
        : []),
    ],
  };
}
