import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectedAfter } from '../../jobs/partitions/apply.js';
import { isUtcMonthStart, monthStartSeconds, partitionNameFor } from '../../jobs/partitions/month-math.js';
import type { PartitionFacts, PartitionRow, UndatedRows } from '../../jobs/partitions/facts.js';
import { planPartitions, type PartitionPolicy } from '../../jobs/partitions/plan.js';

const MIN = Date.UTC(2001, 0, 1);
const MAX = Date.UTC(2036, 11, 31);

/** A random valid layout around `now`: monthly bounds, some months merged (gaps), some names wrong; rows anywhere. */
const scenario = fc
  .record({
    nowMs: fc.integer({ min: MIN, max: MAX }),
    firstOffset: fc.integer({ min: -48, max: 6 }),
    length: fc.integer({ min: 0, max: 60 }),
    merged: fc.array(fc.nat(), { maxLength: 6 }),
    renamed: fc.array(fc.nat(), { maxLength: 4 }),
    rowOffsets: fc.array(fc.integer({ min: -60 * 31 * 86400, max: 12 * 31 * 86400 }), { maxLength: 60 }),
    premakeMonths: fc.integer({ min: 1, max: 12 }),
    extraRetention: fc.integer({ min: 0, max: 30 }),
    maxDropsPerRun: fc.integer({ min: 0, max: 24 }),
    pastRetention: fc.constantFrom<'drop' | 'archive'>('drop', 'archive'),
    tailCount: fc.integer({ min: 0, max: 200 }),
    // A nullable column can hold NULL; any TIMESTAMP can hold a zero date (legal under the default sql_mode).
    nullable: fc.boolean(),
    nullRows: fc.integer({ min: 0, max: 3 }),
    zeroRows: fc.integer({ min: 0, max: 2 }),
  })
  .map((s) => {
    const now = new Date(s.nowMs);
    let bounds: number[] = [];
    for (let i = 0; i < s.length; i += 1) bounds.push(monthStartSeconds(now, s.firstOffset + i + 1));
    const drop = new Set(s.merged.map((k) => (bounds.length > 1 ? k % (bounds.length - 1) : -1)));
    bounds = bounds.filter((_b, i) => !drop.has(i));
    const rename = new Set(s.renamed.map((k) => (bounds.length ? k % bounds.length : -1)));
    const partitions: PartitionRow[] = bounds.map((b, i) => ({
      name: rename.has(i) ? `px${i}` : partitionNameFor(monthStartSeconds(b, -1)),
      description: String(b),
    }));
    partitions.push({ name: 'pmax', description: 'MAXVALUE' });
    const policy: PartitionPolicy = {
      column: 'created_at',
      premakeMonths: s.premakeMonths,
      retentionMonths: s.premakeMonths + s.extraRetention,
      maxDropsPerRun: s.maxDropsPerRun,
      pastRetention: s.pastRetention,
      pmaxRowThreshold: 100,
    };
    const dated: Row[] = s.rowOffsets.map((o) => Math.floor(s.nowMs / 1000) + o);
    const undated: Row[] = [
      ...Array<null>(s.nullable ? s.nullRows : 0).fill(null),
      ...Array<number>(s.zeroRows).fill(0),
    ];
    return { now, partitions, policy, rows: [...dated, ...undated], tailCount: s.tailCount };
  });

/** A row's UNIX_TIMESTAMP(created_at): null for NULL, 0 for a zero date. */
type Row = number | null;

/** Which partition the server would put a row in: NULL goes to the first one, else the first whose bound is above it.
 */
function partitionOf(partitions: PartitionRow[], ts: Row): string {
  if (ts === null) return partitions[0]!.name;
  return partitions.find((p) => p.description === 'MAXVALUE' || ts < Number(p.description))!.name;
}

/** What the collector counts: rows dated NULL or zero in the first partition, when a month precedes the tail. */
function undatedIn(partitions: PartitionRow[], rows: readonly Row[]): UndatedRows | null {
  if (partitions.length < 2) return null;
  const first = partitions[0]!.name;
  const inFirst = rows.filter((r) => (r === null || r === 0) && partitionOf(partitions, r) === first);
  return {
    partition: first,
    nullRows: inFirst.filter((r) => r === null).length,
    zeroRows: inFirst.filter((r) => r === 0).length,
    capped: false,
  };
}

function factsFor(partitions: PartitionRow[], tailCount: number, rows: readonly Row[]): PartitionFacts {
  return {
    database: 'app',
    server: { readOnly: false, archiveMethod: 'convert', tableNames: [] },
    tables: [
      {
        table: 'api_call_logs',
        exists: true,
        partitionMethod: 'RANGE',
        subpartitionMethod: null,
        expression: 'unix_timestamp(`created_at`)',
        columns: [{ name: 'created_at', dataType: 'timestamp' }],
        uniqueKeys: [{ name: 'PRIMARY', columns: ['id', 'created_at'] }],
        foreignKeys: [],
        partitions,
        tailRows: { counted: tailCount, capped: tailCount > 100 },
        firstPartitionUndated: undatedIn(partitions, rows),
      },
    ],
  };
}

describe('planPartitions properties (random clocks and layouts)', () => {
  it('no planned drop or archive ever holds a row newer than the retention start, a row dated NULL or zero, the current month, a future month or pmax', () => {
    fc.assert(
      fc.property(scenario, ({ now, partitions, policy, rows, tailCount }) => {
        const [plan] = planPartitions(factsFor(partitions, tailCount, rows), policy, now);
        expect(plan!.refused).toBeNull();
        const retentionStart = monthStartSeconds(now, -policy.retentionMonths);
        const retiring = new Set(plan!.actions.flatMap((a) => (a.kind === 'create' ? [] : [a.partition])));
        expect(retiring.size).toBeLessThanOrEqual(policy.maxDropsPerRun);
        expect(retiring.has('pmax')).toBe(false);
        for (const ts of rows) {
          if (ts === null || ts === 0 || ts >= retentionStart)
            expect(retiring.has(partitionOf(partitions, ts))).toBe(false);
        }
        for (const a of plan!.actions)
          if (a.kind !== 'create') expect(a.upperBound).toBeLessThanOrEqual(monthStartSeconds(now));
      }),
      { numRuns: 2000 },
    );
  });

  it('new months are contiguous UTC months named by their start, reaching now + premake; replanning after success creates nothing', () => {
    fc.assert(
      fc.property(scenario, ({ now, partitions, policy, rows, tailCount }) => {
        const [plan] = planPartitions(factsFor(partitions, tailCount, rows), policy, now);
        const create = plan!.actions.find((a) => a.kind === 'create');
        const last = partitions.length > 1 ? Number(partitions[partitions.length - 2]!.description) : null;
        if (create && create.kind === 'create') {
          let lower = last ?? monthStartSeconds(now);
          for (const m of create.months) {
            expect(m.name).toBe(partitionNameFor(lower));
            expect(isUtcMonthStart(m.upperBound)).toBe(true);
            expect(m.upperBound).toBe(monthStartSeconds(lower, 1));
            lower = m.upperBound;
          }
          expect(lower).toBeGreaterThanOrEqual(monthStartSeconds(now, policy.premakeMonths + 1));
        }
        let after = partitions;
        for (const a of plan!.actions) after = expectedAfter(after, a);
        const [again] = planPartitions(factsFor(after, 0, rows), policy, now);
        const clash = plan!.skipped.some((s) => /already exists/.test(s.reason));
        if (tailCount > 100 || clash) return; // the first run refused to create: the second one is not a no-op
        expect(again!.actions.filter((a) => a.kind === 'create')).toEqual([]);
        // What remains is the backlog the cap deferred, nothing else.
        const deferred = plan!.skipped.filter((s) => /cap of/.test(s.reason)).length;
        expect(again!.actions.filter((a) => a.kind !== 'create').length).toBe(
          Math.min(deferred, policy.maxDropsPerRun),
        );
      }),
      { numRuns: 1000 },
    );
  });
});
