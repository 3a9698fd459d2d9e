import type { TimelineRow } from '../../src/job/report-sections.js';
import type { ActionOutcome } from './apply.js';
import { isoDay } from './month-math.js';
import type { PartitionTablePlan } from './plan.js';

/** The month a partition holds, from its upper bound (exclusive, Unix seconds): "2026-03". */
const monthOf = (upperBound: number) => isoDay(upperBound - 86_400).slice(0, 7);

/** One table's months, oldest first: dropped (or archived) by this run, kept, created by it, then the tail. */
export function partitionTimeline(
  plan: PartitionTablePlan,
  created: readonly ActionOutcome[],
  retired: readonly ActionOutcome[],
): TimelineRow {
  const gone = new Map(
    retired.flatMap((o) => (o.action.kind === 'create' ? [] : [[o.action.partition, o.action.kind] as const])),
  );
  const cells: TimelineRow['cells'] = plan.months.map((m) => {
    const how = gone.get(m.name);
    const older = m.lowerBound === null ? 'and everything older' : undefined;
    const note = how === 'archive' ? ['archived', older].filter(Boolean).join(', ') : older;
    return {
      label: monthOf(m.upperBound),
      short: monthOf(m.upperBound).slice(5),
      kind: how ? ('dropped' as const) : ('kept' as const),
      ...(note ? { note } : {}),
    };
  });
  for (const o of created)
    if (o.action.kind === 'create')
      for (const m of o.action.months)
        cells.push({ label: monthOf(m.upperBound), short: monthOf(m.upperBound).slice(5), kind: 'created' });
  if (plan.tail) {
    const rows = plan.tailRows
      ? `${plan.tailRows.capped ? '≥ ' : ''}${plan.tailRows.counted.toLocaleString('en-US')} rows`
      : 'rows not counted';
    cells.push({ label: plan.tail, kind: 'tail', note: rows });
  }
  const kept = cells.filter((c) => c.kind !== 'dropped' && c.kind !== 'tail');
  const note = kept.length ? `${kept[0]!.label} to ${kept[kept.length - 1]!.label} after the run` : undefined;
  return { label: plan.table, ...(note ? { note } : {}), cells };
}
