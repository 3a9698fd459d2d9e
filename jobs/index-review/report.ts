/** What the e-mailed report shows for the index review. PURE. */
import { formatBytes } from '../../src/core/number-format.js';
import { commentedOut } from '../../src/db/sql-literal.js';
import type { ReportSection } from '../../src/job/report-sections.js';
import type { IndexReviewConfig } from './config.js';
import type { IndexReviewPlan } from './plan.js';
import type { LiveUsage } from './usage-snapshot.js';

export interface UsageSummary {
  source: string;
  enabled: boolean;
  enableHint: string;
  /** Widest observed span across indexes; null = no usage evidence. */
  daysObserved: number | null;
}

const MAX_ROWS = 100;
const MAX_SQL_TABLES = 50;

export function reviewSections(plan: IndexReviewPlan, usage: UsageSummary, minEvidenceDays: number): ReportSection[] {
  const drops = plan.findings.filter((f) => f.action === 'drop');
  const reclaimable = drops.every((f) => f.bytes !== null && f.bytes !== undefined)
    ? drops.reduce((s, f) => s + (f.bytes ?? 0), 0)
    : null;
  const overBudget = plan.tables.filter((t) => t.indexCount > t.budget);
  const sections: ReportSection[] = [
    {
      kind: 'figures',
      title: 'Index review',
      figures: [
        { label: 'tables reviewed', value: plan.tables.length },
        { label: 'indexes', value: plan.tables.reduce((s, t) => s + t.indexCount, 0) },
        {
          label: 'indexes recommended for dropping',
          value: drops.length,
          threshold: '0',
          status: drops.length ? 'warn' : 'ok',
        },
        {
          label: 'index space reclaimable',
          value: reclaimable,
          unit: 'bytes',
          ...(reclaimable === null ? { note: 'some sizes are unknown (mysql.innodb_index_stats)' } : {}),
        },
        {
          label: 'tables over index budget',
          value: overBudget.length,
          threshold: '0',
          status: overBudget.length ? 'warn' : 'ok',
        },
        {
          label: 'usage evidence',
          value: usage.daysObserved === null ? null : Math.round(usage.daysObserved * 10) / 10,
          unit: 'days',
          threshold: `≥ ${minEvidenceDays} days`,
          status: usage.daysObserved === null ? 'n/a' : usage.daysObserved >= minEvidenceDays ? 'ok' : 'warn',
          ...(usage.daysObserved === null
            ? {
                note: `no usage evidence (${usage.source} ${usage.enabled ? 'on, but no two snapshots yet' : 'off'}): enable with ${usage.enableHint}`,
              }
            : {}),
        },
      ],
    },
  ];
  if (plan.findings.length) {
    // Largest first; an e-mail shows the top of the list, the JSON details hold all of it.
    const shown = [...plan.findings].sort((a, b) => (b.bytes ?? -1) - (a.bytes ?? -1)).slice(0, MAX_ROWS);
    sections.push({
      kind: 'table',
      title:
        shown.length < plan.findings.length
          ? `Findings (largest ${shown.length} of ${plan.findings.length}; all in the JSON details)`
          : 'Findings',
      columns: ['table', 'index', 'kind', 'covered by', 'size', 'confidence', 'reason'],
      rows: shown.map((f) => [
        `${f.schema}.${f.table}`,
        f.index,
        f.kind,
        f.coveredBy ?? null,
        formatBytes(f.bytes),
        f.confidence,
        f.reason,
      ]),
    });
  }
  const busiest = [...plan.tables].sort((a, b) => b.indexCount - a.indexCount).slice(0, 15);
  if (busiest.length) {
    sections.push({
      kind: 'bars',
      title: 'Indexes per table (budget in the note)',
      unit: 'indexes',
      bars: busiest.map((t) => ({
        label: `${t.schema}.${t.table}`,
        value: t.indexCount,
        note: `budget ${t.budget}, ${t.indexCountAfter} after the drops`,
      })),
    });
  }
  const bySize = plan.tables
    .filter((t) => t.indexBytes !== null && t.indexBytes > 0)
    .sort((a, b) => b.indexBytes! - a.indexBytes!)
    .slice(0, 15);
  if (bySize.length) {
    sections.push({
      kind: 'bars',
      title: 'Index size per table (reclaimable by the drops in the note)',
      unit: 'MiB',
      bars: bySize.map((t) => ({
        label: `${t.schema}.${t.table}`,
        value: Math.round((t.indexBytes! / 1048576) * 100) / 100,
        note: `${formatBytes(t.reclaimableBytes)} reclaimable`,
      })),
    });
  }
  const allWithDrops = plan.tables
    .filter((t) => t.dropSql)
    .sort((a, b) => (b.reclaimableBytes ?? -1) - (a.reclaimableBytes ?? -1));
  const withDrops = allWithDrops.slice(0, MAX_SQL_TABLES);
  const more = allWithDrops.length - withDrops.length;
  if (more > 0)
    sections.push({
      kind: 'text',
      title: 'Statements',
      lines: [
        `The statements below cover the ${withDrops.length} tables with the most to reclaim; ${more} more tables have theirs in the JSON details (tables[].dropSql).`,
      ],
    });
  if (withDrops.length) {
    const hide = withDrops.map((t) => t.hideSql).filter((s): s is string => s !== null);
    if (hide.length) {
      sections.push({
        kind: 'sql',
        title: 'Step 1 (safe, instant to undo): hide the indexes from the optimizer, watch a full business cycle',
        statements: hide,
      });
      sections.push({
        kind: 'sql',
        title: 'Undo step 1',
        statements: withDrops.map((t) => t.unhideSql).filter((s): s is string => s !== null),
      });
    }
    sections.push({
      kind: 'sql',
      title: 'Step 2: drop them (one statement per table)',
      statements: withDrops.map((t) => t.dropSql!),
    });
    sections.push({
      kind: 'sql',
      title: 'Undo step 2: re-create with the exact original definitions',
      statements: withDrops.map((t) => t.dropRollbackSql!),
    });
  }
  const weaker = plan.findings.filter((f) => f.action !== 'drop' && f.index !== null && f.sql).slice(0, MAX_SQL_TABLES);
  if (weaker.length) {
    sections.push({
      kind: 'sql',
      title: 'Weaker findings: review each before running (with its undo below it)',
      statements: weaker.flatMap((f) => [f.sql!, commentedOut(`undo: ${f.rollbackSql}`)]),
    });
  }
  sections.push({
    kind: 'text',
    title: 'How to read this',
    lines: [
      'dbkeeper only recommends: it never drops or hides an index itself.',
      'PRIMARY, UNIQUE and the last index a foreign key can use are never recommended; FULLTEXT/SPATIAL are never redundant with BTREE.',
      'Usage counters do not see unique or foreign-key checks and reset on restart: "unused" needs enough observed days.',
      'Run the statements with a short lock_wait_timeout so they fail instead of queueing in front of the application.',
    ],
  });
  return sections;
}

/** What needs a person beside the findings: usage counters off or too young, sizes missing, no way to hide. */
export function indexReviewWarnings(
  live: Pick<LiveUsage, 'source' | 'enabled' | 'enableHint'>,
  daysObserved: number | null,
  sizeNote: string | null,
  canHide: boolean,
  replicas: readonly { node: string; evidence: unknown; note: string | null }[] = [],
  minEvidenceDays = 0,
): string[] {
  const warnings: string[] = [];
  if (!live.enabled) {
    warnings.push(
      daysObserved === null
        ? `no usage evidence: ${live.source} counters are off, so no index is called unused; enable with ${live.enableHint}`
        : `${live.source} counters are off now: usage evidence comes from stored snapshots only (${daysObserved.toFixed(1)} days); enable with ${live.enableHint}`,
    );
  } else if (daysObserved === null) {
    warnings.push(
      `no usage evidence yet: ${live.source} is on, but the review needs two snapshots of the same counters (the first is stored now); no index is called unused`,
    );
  }
  for (const r of replicas)
    if (r.evidence === null)
      warnings.push(
        `replica ${r.node}: no usage evidence (${r.note ?? 'none'}): no index is called unused until it has ${minEvidenceDays} days`,
      );
  if (sizeNote) warnings.push(sizeNote);
  if (!canHide)
    warnings.push(
      'this server cannot hide an index (MySQL 8 INVISIBLE / MariaDB 10.6 IGNORED): only DROP statements are given',
    );
  return warnings;
}

export interface IndexReviewOutcome {
  schemas: string[];
  plan: IndexReviewPlan;
  live: Pick<LiveUsage, 'source' | 'enabled' | 'enableHint'>;
  daysObserved: number | null;
  snapshot: { stored: number; pruned: number };
  warnings: string[];
  config: Pick<IndexReviewConfig, 'evidenceWindowDays' | 'minEvidenceDays'>;
}

/** The review as a JobResult: status, summary line, details (the JSON attachment) and report sections. */
export function indexReviewResult(r: IndexReviewOutcome) {
  const { plan, live, daysObserved, config } = r;
  const drops = plan.findings.filter((f) => f.action === 'drop');
  const weaker = plan.findings.filter((f) => f.action !== 'drop' && f.index !== null);
  const overBudget = plan.findings.filter((f) => f.kind === 'over-budget');
  const reclaimable = plan.tables.reduce<number | null>(
    (s, t) => (s === null || t.reclaimableBytes === null ? null : s + t.reclaimableBytes),
    0,
  );
  const summary =
    `${drops.length} index(es) to drop on ${new Set(drops.map((f) => `${f.schema}.${f.table}`)).size} table(s) (${formatBytes(reclaimable)} reclaimable), ` +
    `${weaker.length} weaker finding(s), ${overBudget.length} table(s) over budget, ${plan.tables.length} table(s) reviewed; ` +
    `usage evidence: ${daysObserved === null ? 'none' : `${daysObserved.toFixed(1)} days`}`;
  const usage = { source: live.source, enabled: live.enabled, enableHint: live.enableHint, daysObserved };
  return {
    status: drops.length || overBudget.length ? ('warning' as const) : ('ok' as const),
    summary,
    warnings: r.warnings,
    skipped: plan.skipped,
    details: {
      schemas: r.schemas,
      findings: plan.findings,
      tables: plan.tables,
      usage: {
        source: live.source,
        enabled: live.enabled,
        daysObserved,
        windowDays: config.evidenceWindowDays,
        minEvidenceDays: config.minEvidenceDays,
        snapshotStored: r.snapshot.stored,
        snapshotsPruned: r.snapshot.pruned,
        ...(live.enabled ? {} : { enableHint: live.enableHint }),
      },
    },
    sections: reviewSections(plan, usage, config.minEvidenceDays),
  };
}
