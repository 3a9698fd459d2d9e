import { describe, expect, it } from 'vitest';
import type { IndexTableFacts } from '../../jobs/index-review/facts.js';
import { planIndexReview } from '../../jobs/index-review/plan.js';
import { indexReviewResult, indexReviewWarnings } from '../../jobs/index-review/report.js';
import { ix, table } from '../fixtures/index-review-facts.js';

const hide = { hide: 'INVISIBLE', show: 'VISIBLE' };
const plan = (tables: IndexTableFacts[]) =>
  planIndexReview({ tables, evidence: new Map(), hide }, { defaultBudget: 10, tableBudgets: {}, minEvidenceDays: 7 });
const OFF = { source: 'performance_schema', enabled: false, enableHint: 'performance_schema = ON' } as const;
const ON = { ...OFF, enabled: true };

describe('index review warnings', () => {
  it('counters off and nothing stored: no index is called unused, and how to enable them', () => {
    expect(indexReviewWarnings(OFF, null, null, true)).toEqual([
      'no usage evidence: performance_schema counters are off, so no index is called unused; enable with performance_schema = ON',
    ]);
  });

  it('counters off now but stored snapshots: says how many days the evidence spans', () => {
    expect(indexReviewWarnings(OFF, 12.34, null, true)).toEqual([
      'performance_schema counters are off now: usage evidence comes from stored snapshots only (12.3 days); enable with performance_schema = ON',
    ]);
  });

  it('counters on with one snapshot: no evidence yet; a missing size and a server that cannot hide are said too', () => {
    expect(indexReviewWarnings(ON, null, 'index sizes not available', false)).toEqual([
      expect.stringMatching(/^no usage evidence yet: performance_schema is on, but the review needs two snapshots/),
      'index sizes not available',
      'this server cannot hide an index (MySQL 8 INVISIBLE / MariaDB 10.6 IGNORED): only DROP statements are given',
    ]);
  });

  it('counters on with evidence, sizes known, hiding possible: nothing to warn about', () => {
    expect(indexReviewWarnings(ON, 30, null, true)).toEqual([]);
  });
});

describe('index review result', () => {
  const input = (tables: IndexTableFacts[]) => ({
    schemas: ['s'],
    plan: plan(tables),
    live: ON,
    daysObserved: 30,
    snapshot: { stored: 3, pruned: 1 },
    warnings: [],
    config: { evidenceWindowDays: 35, minEvidenceDays: 7 },
  });

  it('a left-prefix duplicate to drop: warning, the summary counts it with the reclaimable size', () => {
    const r = indexReviewResult(input([table([ix('PRIMARY', 'id'), ix('a', 'a'), ix('ab', 'a, b')])]));
    expect(r.status).toBe('warning');
    expect(r.summary).toBe(
      '1 index(es) to drop on 1 table(s) (16 KiB reclaimable), 0 weaker finding(s), 0 table(s) over budget, ' +
        '1 table(s) reviewed; usage evidence: 30.0 days',
    );
    expect(r.details.usage).toEqual({
      source: 'performance_schema',
      enabled: true,
      daysObserved: 30,
      windowDays: 35,
      minEvidenceDays: 7,
      snapshotStored: 3,
      snapshotsPruned: 1,
    });
  });

  it('nothing to drop: ok; a counter that is off puts its hint in the details', () => {
    const r = indexReviewResult({ ...input([table([ix('PRIMARY', 'id'), ix('a', 'a')])]), live: OFF });
    expect(r.status).toBe('ok');
    expect(r.details.usage.enableHint).toBe('performance_schema = ON');
  });
});
