// Pure: the primary's and the replicas' top statements in one review, each row labelled with its node.
import type { ReportSection } from '../../src/job/report-sections.js';
import type { ReviewSourceName, SourceAttempt } from './facts.js';
import { STATEMENT_COLUMNS, statementRow, type RankedStatement } from './plan.js';
import type { StatementStat } from './statement-stats.js';

/** The label of the primary's statements. */
export const PRIMARY_NODE = 'primary';

export interface NodeRankedStatement extends RankedStatement {
  /** `primary` or the replica's name (replicas.nodes[].name, else host:port). */
  node: string;
}

/** What one replica gave the review (its statements are ranked, the rest goes to details as is). */
export interface ReplicaReview {
  node: string;
  source: ReviewSourceName | null;
  attempts: SourceAttempt[];
  entriesRead: number;
  truncated: boolean;
  digestsSince: Date | null;
  digestBaselineAt: Date | null;
  baselineStored: boolean;
  /** Why the replica could not be read (connect or query failure); null when it was. */
  unreachable: string | null;
  statements: StatementStat[];
}

/** A replica in the run's details: its review without the statements (they are in the top lists). */
export type ReplicaSummary = Omit<ReplicaReview, 'statements'> & { statementShapes: number };

export interface NodeStatements {
  node: string;
  statements: readonly StatementStat[];
}

/** Shares are of each node's own total: the nodes' sources differ (digests, slow log) and do not add up. */
export function rankAcrossNodes(
  nodes: readonly NodeStatements[],
  top: number,
): { byTotal: NodeRankedStatement[]; byAverage: NodeRankedStatement[] } {
  const ranked: NodeRankedStatement[] = nodes.flatMap(({ node, statements }) => {
    const total = statements.reduce((a, s) => a + s.totalSeconds, 0);
    return statements
      .filter((s) => s.count > 0)
      .map((s) => ({
        ...s,
        node,
        avgSeconds: s.totalSeconds / s.count,
        sharePercent: total > 0 ? (100 * s.totalSeconds) / total : 0,
      }));
  });
  const tie = (a: NodeRankedStatement, b: NodeRankedStatement) =>
    a.fingerprint.localeCompare(b.fingerprint) || a.node.localeCompare(b.node);
  return {
    byTotal: [...ranked].sort((a, b) => b.totalSeconds - a.totalSeconds || tie(a, b)).slice(0, top),
    byAverage: [...ranked].sort((a, b) => b.avgSeconds - a.avgSeconds || tie(a, b)).slice(0, top),
  };
}

/** The warning a replica earns: unreachable, or no statement source there. Null when it was reviewed. */
export function replicaWarning(r: ReplicaReview): string | null {
  if (r.unreachable) return `replica ${r.node}: not reachable, its statements are not in the review (${r.unreachable})`;
  if (r.source === null)
    return `replica ${r.node}: no statement source (${r.attempts.map((a) => a.note).join('; ') || 'none'})`;
  return null;
}

function replicaLine(r: ReplicaReview): string {
  const warning = replicaWarning(r);
  if (warning) return warning;
  const what = r.source === 'performance_schema' ? 'digests' : 'executions';
  return [
    `replica ${r.node}: ${r.statements.length} statement shapes from ${r.source}, ${r.entriesRead} ${what} read`,
    ...(r.truncated ? ['stopped at maxSlowLogEntries'] : []),
    ...(r.digestBaselineAt ? [`since the baseline of ${r.digestBaselineAt.toISOString()}`] : []),
    ...(r.digestsSince ? [`cumulative since ${r.digestsSince.toISOString()} (no baseline yet)`] : []),
    ...(r.baselineStored ? ["its digests stored as next month's baseline"] : []),
  ].join('; ');
}

const isTopSection = (s: ReportSection) => /^Top( \d+)? statements/.test(s.title);

interface ReviewResult {
  status: 'ok' | 'warning' | 'skipped';
  summary: string;
  warnings?: string[];
  details: { byTotal: RankedStatement[]; byAverage: RankedStatement[] };
  sections?: ReportSection[];
}

/** A review with the replicas merged in: node-labelled top lists and each replica's summary in the details. */
export type MergedReview<R extends ReviewResult> = Omit<R, 'status' | 'warnings' | 'sections' | 'details'> & {
  status: ReviewResult['status'];
  warnings?: string[];
  sections: ReportSection[];
  details: Omit<R['details'], 'byTotal' | 'byAverage'> & {
    byTotal: NodeRankedStatement[];
    byAverage: NodeRankedStatement[];
    replicas: ReplicaSummary[];
  };
};

/** The primary's review with the replicas' statements merged in: the top lists carry a node per row (details and
 * report), each replica is listed with its source or why it gave none (a warning, never a failure). */
export function mergeReplicaReviews<R extends ReviewResult>(
  result: R,
  primary: readonly StatementStat[],
  replicas: readonly ReplicaReview[],
  top: number,
): MergedReview<R> {
  const { byTotal, byAverage } = rankAcrossNodes(
    [{ node: PRIMARY_NODE, statements: primary }, ...replicas.map((r) => ({ node: r.node, statements: r.statements }))],
    top,
  );
  const columns = ['Node', ...STATEMENT_COLUMNS];
  const rowOf = (s: NodeRankedStatement) => [s.node, ...statementRow(s)];
  const tables: ReportSection[] =
    byTotal.length === 0
      ? [{ kind: 'text', title: 'Top statements', lines: ['No statements recorded on any node.'] }]
      : [
          {
            kind: 'table',
            title: `Top ${byTotal.length} statements by total time, all nodes`,
            columns,
            rows: byTotal.map(rowOf),
          },
          {
            kind: 'table',
            title: `Top ${byAverage.length} statements by average time, all nodes`,
            columns,
            rows: byAverage.map(rowOf),
          },
        ];
  const sections = [...(result.sections ?? [])];
  const at = sections.findIndex(isTopSection);
  const kept = sections.filter((s) => !isTopSection(s));
  const insertAt = at >= 0 ? at : Math.max(0, kept.findLastIndex((s) => s.title.startsWith('Statement review')) + 1);
  const nodesSection: ReportSection = {
    kind: 'text',
    title: 'Statement review: replicas',
    lines: [
      'Each replica counts only the statements it served; shares are of that node’s own total.',
      ...replicas.map(replicaLine),
    ],
  };
  kept.splice(insertAt, 0, nodesSection, ...tables);
  const warnings = replicas.map(replicaWarning).filter((w): w is string => w !== null);
  const reviewed = replicas.filter((r) => replicaWarning(r) === null).length;
  const merged: MergedReview<R> = {
    ...result,
    status: warnings.length > 0 && result.status === 'ok' ? 'warning' : result.status,
    summary: `${result.summary}; replicas: ${reviewed} of ${replicas.length} reviewed`,
    ...(warnings.length > 0 || result.warnings ? { warnings: [...(result.warnings ?? []), ...warnings] } : {}),
    details: {
      ...result.details,
      byTotal,
      byAverage,
      replicas: replicas.map(({ statements, ...rest }): ReplicaSummary => ({
        ...rest,
        statementShapes: statements.length,
      })),
      // The spread of a generic R['details'] types as its constraint only; the keys are R's plus these three.
    } as MergedReview<R>['details'],
    sections: kept,
  };
  return merged;
}
