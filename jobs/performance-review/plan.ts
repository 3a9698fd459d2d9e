import { printedSql, printedStatement } from '../../src/db/sql-literal.js';
import { orderFigures, type Figure, type ReportSection } from '../../src/job/report-sections.js';
import { poolAdvice, type PoolAdvice } from './pool-advice.js';
import type { PerformanceReviewFacts, ReviewPeriod } from './facts.js';
import type { PerformanceReviewPolicy } from './config.js';
import type { StatementStat } from './statement-stats.js';

export interface RankedStatement extends StatementStat {
  avgSeconds: number;
  /** Share of the source's total time in the period, in %. */
  sharePercent: number;
}

export interface PerformanceReviewPlan {
  status: 'ok' | 'warning';
  summary: string;
  totalSeconds: number;
  byTotal: RankedStatement[];
  byAverage: RankedStatement[];
  pool: PoolAdvice;
  /** How to turn a source on, when none is. */
  enableAdvice: string[];
  sections: ReportSection[];
}

const SOURCE_TEXT = {
  performance_schema: 'performance_schema statement digests',
  slow_log_table: 'the slow log table mysql.slow_log',
  slow_log_file: 'the slow-log file',
} as const;

function r(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Statements a DBA may run to get a source for next month; dbkeeper runs none of them. */
export function enableStatements(
  facts: Pick<PerformanceReviewFacts, 'logOutput'>,
  policy: Pick<PerformanceReviewPolicy, 'slowQueryTimeSeconds'>,
): string[] {
  const outputs = new Set(
    facts.logOutput
      .toUpperCase()
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && s !== 'NONE'),
  );
  outputs.add('TABLE');
  return [
    `SET GLOBAL long_query_time = ${policy.slowQueryTimeSeconds}`,
    printedSql(printedStatement((literal) => `SET GLOBAL log_output = ${literal([...outputs].sort().join(','))}`)),
    'SET GLOBAL slow_query_log = ON',
  ];
}

/** One table row of a ranked statement (fingerprint cut to 160 characters). */
export function statementRow(s: RankedStatement): (string | number | null)[] {
  return [
    s.fingerprint.length > 160 ? `${s.fingerprint.slice(0, 157)}...` : s.fingerprint,
    s.schema,
    s.count,
    r(s.totalSeconds, 3),
    r(s.avgSeconds * 1000, 1),
    s.p95Seconds === null ? null : r(s.p95Seconds * 1000, 1),
    r(s.sharePercent, 1),
  ];
}

export const STATEMENT_COLUMNS = [
  'Statement (fingerprint)',
  'Schema',
  'Count',
  'Total s',
  'Avg ms',
  'p95 ms',
  'Share of total %',
];

/** Pure: the month's statements ranked two ways, and the pool advice, as report sections. */
export function planPerformanceReview(
  facts: PerformanceReviewFacts,
  policy: PerformanceReviewPolicy,
  period: ReviewPeriod,
): PerformanceReviewPlan {
  const totalSeconds = facts.statements.reduce((a, s) => a + s.totalSeconds, 0);
  const ranked: RankedStatement[] = facts.statements
    .filter((s) => s.count > 0)
    .map((s) => ({
      ...s,
      avgSeconds: s.totalSeconds / s.count,
      sharePercent: totalSeconds > 0 ? (100 * s.totalSeconds) / totalSeconds : 0,
    }));
  const byTotal = [...ranked]
    .sort((a, b) => b.totalSeconds - a.totalSeconds || a.fingerprint.localeCompare(b.fingerprint))
    .slice(0, policy.topStatements);
  const byAverage = [...ranked]
    .sort((a, b) => b.avgSeconds - a.avgSeconds || a.fingerprint.localeCompare(b.fingerprint))
    .slice(0, policy.topStatements);

  const samples = [...facts.samples, ...(period.partial ? [facts.now] : [])];
  // Without snapshots only today's high-water mark is known: never attributed to the period (from = end of time).
  const pool = poolAdvice(
    samples.length > 0 ? samples : [facts.now],
    samples.length > 0 ? period : { ...period, from: new Date(8.64e15) },
    policy,
  );
  if (samples.length === 0)
    pool.reasons.unshift(
      `No health snapshots in ${period.label}: the peak is today's high-water mark since the server started.`,
    );

  const periodText = `${period.label}${period.partial ? ' (partial: up to now)' : ''}, ${period.from.toISOString()} to ${period.to.toISOString()}`;
  const sections: ReportSection[] = [];
  const enableAdvice = facts.source === null ? enableStatements(facts, policy) : [];
  const notUsed = facts.attempts
    .filter((a) => !a.used)
    .map((a) => `${SOURCE_TEXT[a.source]}: not available: ${a.note}`);
  if (facts.source === null) {
    sections.push({
      kind: 'text',
      title: 'Statement review: not available',
      lines: [
        `No statement source is available on this server for ${periodText}.`,
        ...notUsed,
        `To review next month: turn the slow log on with long_query_time = ${policy.slowQueryTimeSeconds} s (DB_SLOW_QUERY_TIME) and log_output including TABLE (or FILE, read when the worker runs on the database host); also put them in the server config so a restart keeps them. Or set performance_schema = ON in the server config (needs a restart).`,
      ],
    });
    sections.push({
      kind: 'sql',
      title: 'Turn the slow log on (dbkeeper did not run these)',
      statements: enableAdvice,
    });
  } else {
    const used = facts.attempts.find((a) => a.used)!;
    sections.push({
      kind: 'text',
      title: 'Statement review: source',
      lines: [
        `Source: ${SOURCE_TEXT[facts.source]} for ${periodText}; ${facts.entriesRead} ${facts.source === 'performance_schema' ? 'digests' : 'executions'} read.`,
        ...(used.note ? [used.note] : []),
        ...(facts.source !== 'performance_schema'
          ? [
              `Only statements slower than long_query_time (${facts.longQueryTimeSeconds} s) are in the slow log: shares are of slow-statement time.`,
            ]
          : []),
        ...(facts.truncated
          ? [`Stopped after ${policy.maxSlowLogEntries} executions (maxSlowLogEntries): later ones are not counted.`]
          : []),
        ...(facts.digestsSince
          ? [
              `Digest totals are cumulative since ${facts.digestsSince.toISOString()} (when the digest table was last reset), not since the month start: no baseline from the month start yet (the review stores one each month).`,
            ]
          : []),
        ...(facts.digestBaselineAt
          ? [
              `Counts and totals are since the baseline of ${facts.digestBaselineAt.toISOString()} (stored by the previous review); p95 is over each digest's whole life.`,
            ]
          : []),
        ...notUsed,
      ],
    });
    if (ranked.length === 0)
      sections.push({ kind: 'text', title: 'Top statements', lines: [`No statements recorded in ${period.label}.`] });
    else {
      sections.push({
        kind: 'table',
        title: `Top ${byTotal.length} statements by total time`,
        columns: STATEMENT_COLUMNS,
        rows: byTotal.map(statementRow),
      });
      sections.push({
        kind: 'table',
        title: `Top ${byAverage.length} statements by average time`,
        columns: STATEMENT_COLUMNS,
        rows: byAverage.map(statementRow),
      });
    }
  }

  const target = policy.connectionUsePercentTarget;
  const peakPct = r((100 * pool.peak) / pool.maxConnections, 1);
  const poolPct = r((100 * pool.configuredTotal) / pool.maxConnections, 1);
  const figures: Figure[] = [
    {
      label: 'Peak connection use (month)',
      value: peakPct,
      unit: '%',
      threshold: `≤ ${target} %`,
      status: peakPct > target ? 'warn' : 'ok',
      note: `${pool.peak} of ${pool.maxConnections}${pool.peakInPeriod ? '' : ' (upper bound: high-water mark since server start)'}`,
    },
    {
      label: 'Application pools, share of max_connections',
      value: poolPct,
      unit: '%',
      threshold: `≤ ${target} %`,
      status: poolPct > target ? 'warn' : 'ok',
      note: `${pool.configuredTotal} connections`,
    },
    {
      label: 'Recommended DB_POOL_MAX',
      value: pool.recommendedPoolMax,
      status: pool.action === 'keep' ? 'ok' : 'warn',
      note: pool.action === 'keep' ? 'keep the current value' : `now ${policy.appPoolMax}`,
    },
  ];
  if (pool.recommendedMaxConnections !== null) {
    figures.push({
      label: 'Recommended max_connections',
      value: pool.recommendedMaxConnections,
      status: 'warn',
      note: `now ${pool.maxConnections}`,
    });
  }
  sections.push({ kind: 'figures', title: 'Connection pool', figures: orderFigures(figures) });
  sections.push({ kind: 'text', title: 'Connection pool: reasoning', lines: pool.reasons });
  if (pool.recommendedMaxConnections !== null) {
    sections.push({
      kind: 'sql',
      title: 'Raise max_connections (dbkeeper did not run this; also set it in the server config)',
      statements: [`SET GLOBAL max_connections = ${pool.recommendedMaxConnections}`],
    });
  }
  // A missing source or a pool change is news for the DBA: show it above the tables.
  if (pool.action !== 'keep') {
    const i = sections.findIndex((s) => s.title === 'Connection pool');
    sections.unshift(...sections.splice(i, 2));
  }

  const top = byTotal[0];
  const statementsText =
    facts.source === null
      ? 'statement review not available (no performance_schema, no slow log)'
      : top
        ? `${ranked.length} statement shapes from ${SOURCE_TEXT[facts.source]}; top by total time: ${r(top.sharePercent, 1)} % ${top.fingerprint.slice(0, 80)}`
        : `no statements recorded in ${SOURCE_TEXT[facts.source]}`;
  const poolText =
    pool.action === 'keep'
      ? `pool: keep DB_POOL_MAX ${policy.appPoolMax}`
      : `pool: ${pool.action} → DB_POOL_MAX ${pool.recommendedPoolMax}${pool.recommendedMaxConnections ? `, max_connections ${pool.recommendedMaxConnections}` : ''}`;
  return {
    status: facts.source === null || pool.action !== 'keep' ? 'warning' : 'ok',
    summary: `${period.label}${period.partial ? ' (partial)' : ''}: ${statementsText}; ${poolText}`,
    totalSeconds,
    byTotal,
    byAverage,
    pool,
    enableAdvice,
    sections,
  };
}
