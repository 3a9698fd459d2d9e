import { describe, expect, it } from 'vitest';
import {
  mergeReplicaReviews,
  rankAcrossNodes,
  replicaWarning,
  type ReplicaReview,
} from '../../jobs/performance-review/node-statements.js';
import type { StatementStat } from '../../jobs/performance-review/statement-stats.js';
import type { ReportSection } from '../../src/job/report-sections.js';

const stat = (fingerprint: string, count: number, totalSeconds: number): StatementStat => ({
  fingerprint,
  schema: 'app',
  count,
  totalSeconds,
  maxSeconds: null,
  p95Seconds: null,
  rowsExamined: null,
});

const replica = (node: string, extra: Partial<ReplicaReview> = {}): ReplicaReview => ({
  node,
  source: 'slow_log_table',
  attempts: [{ source: 'slow_log_table', used: true, note: '' }],
  entriesRead: 3,
  truncated: false,
  digestsSince: null,
  digestBaselineAt: null,
  baselineStored: false,
  unreachable: null,
  statements: [],
  ...extra,
});

const primaryResult = () => ({
  status: 'ok' as const,
  summary: '2026-11: 2 statement shapes',
  details: { byTotal: [], byAverage: [], source: 'slow_log_table' },
  sections: [
    { kind: 'text', title: 'Statement review: source', lines: ['Source: the slow log'] },
    { kind: 'table', title: 'Top 2 statements by total time', columns: [], rows: [] },
    { kind: 'table', title: 'Top 2 statements by average time', columns: [], rows: [] },
    { kind: 'figures', title: 'Connection pool', figures: [] },
  ] as ReportSection[],
});

describe('rankAcrossNodes', () => {
  it('one list over every node, each row with its node, shares of its own node', () => {
    const { byTotal, byAverage } = rankAcrossNodes(
      [
        { node: 'primary', statements: [stat('select a', 10, 6), stat('select b', 1, 2)] },
        { node: 'r1', statements: [stat('select c', 2, 4)] },
      ],
      10,
    );
    expect(byTotal.map((s) => [s.node, s.fingerprint, s.sharePercent])).toEqual([
      ['primary', 'select a', 75],
      ['r1', 'select c', 100],
      ['primary', 'select b', 25],
    ]);
    expect(byAverage.map((s) => [s.node, s.fingerprint, s.avgSeconds])).toEqual([
      ['primary', 'select b', 2],
      ['r1', 'select c', 2],
      ['primary', 'select a', 0.6],
    ]);
  });

  it('the same statement on two nodes stays two rows (never summed across nodes); top cuts the merged list', () => {
    const { byTotal } = rankAcrossNodes(
      [
        { node: 'primary', statements: [stat('select a', 1, 1)] },
        { node: 'r1', statements: [stat('select a', 1, 3)] },
        { node: 'r2', statements: [stat('select z', 1, 2)] },
      ],
      2,
    );
    expect(byTotal.map((s) => [s.node, s.fingerprint, s.totalSeconds])).toEqual([
      ['r1', 'select a', 3],
      ['r2', 'select z', 2],
    ]);
  });
});

describe('mergeReplicaReviews', () => {
  it("labels the primary's rows primary and the replica's with its name, in details and report tables", () => {
    const merged = mergeReplicaReviews(
      primaryResult(),
      [stat('select a', 1, 1)],
      [replica('r1', { statements: [stat('select only_on_replica', 1, 5)] })],
      10,
    );
    expect(merged.details.byTotal.map((s) => [s.node, s.fingerprint])).toEqual([
      ['r1', 'select only_on_replica'],
      ['primary', 'select a'],
    ]);
    expect(merged.details.source).toBe('slow_log_table');
    expect(merged.details.replicas).toEqual([expect.objectContaining({ node: 'r1', statementShapes: 1 })]);
    expect(merged.status).toBe('ok');
    expect(merged.warnings).toBeUndefined();
    const titles = merged.sections.map((s) => s.title);
    // The primary-only tables are replaced in place by the labelled ones; the pool stays after them.
    expect(titles).toEqual([
      'Statement review: source',
      'Statement review: replicas',
      'Top 2 statements by total time, all nodes',
      'Top 2 statements by average time, all nodes',
      'Connection pool',
    ]);
    const table = merged.sections[2]!;
    expect(table.kind === 'table' && table.columns[0]).toBe('Node');
    expect(table.kind === 'table' && table.rows.map((r) => [r[0], r[1]])).toEqual([
      ['r1', 'select only_on_replica'],
      ['primary', 'select a'],
    ]);
    expect(merged.summary).toBe('2026-11: 2 statement shapes; replicas: 1 of 1 reviewed');
  });

  it('an unreachable replica and one with no source are warnings; the primary review stays', () => {
    const merged = mergeReplicaReviews(
      primaryResult(),
      [stat('select a', 1, 1)],
      [
        replica('down', { source: null, attempts: [], unreachable: 'connect ECONNREFUSED 127.0.0.1:1' }),
        replica('quiet', {
          source: null,
          attempts: [{ source: 'slow_log_table', used: false, note: 'slow_query_log is OFF on this replica' }],
        }),
      ],
      10,
    );
    expect(merged.status).toBe('warning');
    expect(merged.warnings).toEqual([
      'replica down: not reachable, its statements are not in the review (connect ECONNREFUSED 127.0.0.1:1)',
      'replica quiet: no statement source (slow_query_log is OFF on this replica)',
    ]);
    expect(merged.details.byTotal.map((s) => s.node)).toEqual(['primary']);
    const nodes = merged.sections.find((s) => s.title === 'Statement review: replicas');
    expect(nodes?.kind === 'text' && nodes.lines.slice(1)).toEqual(merged.warnings);
    expect(merged.summary).toMatch(/; replicas: 0 of 2 reviewed$/);
  });

  it('keeps earlier warnings and a warning status; no primary source: the replicas still get tables', () => {
    const base = {
      ...primaryResult(),
      status: 'warning' as const,
      warnings: ['no statement source: see the report for how to enable the slow log'],
      sections: [
        { kind: 'text', title: 'Statement review: not available', lines: [] },
        { kind: 'figures', title: 'Connection pool', figures: [] },
      ] as ReportSection[],
    };
    const merged = mergeReplicaReviews(base, [], [replica('r1', { statements: [stat('select c', 1, 1)] })], 10);
    expect(merged.status).toBe('warning');
    expect(merged.warnings).toEqual(base.warnings);
    expect(merged.sections.map((s) => s.title)).toEqual([
      'Statement review: not available',
      'Statement review: replicas',
      'Top 1 statements by total time, all nodes',
      'Top 1 statements by average time, all nodes',
      'Connection pool',
    ]);
  });

  it('replicaWarning: none for a reviewed replica, even with no statements', () => {
    expect(replicaWarning(replica('r1'))).toBeNull();
  });
});
