import { describe, expect, it } from 'vitest';
import { indexKey, type IndexTableFacts } from '../../jobs/index-review/facts.js';
import { mergeNodeEvidence, readsPerNode, type NodeEvidence } from '../../jobs/index-review/node-evidence.js';
import { nodeSections } from '../../jobs/index-review/node-report.js';
import { planTable } from '../../jobs/index-review/plan.js';

const A = indexKey('app', 'bookings', 'idx_a');
const B = indexKey('app', 'bookings', 'idx_b');
const ev = (entries: [string, number, number][]) =>
  new Map(entries.map(([k, reads, observedDays]) => [k, { reads, observedDays }]));

describe('mergeNodeEvidence', () => {
  it('sums reads across nodes and keeps the least observed span', () => {
    const merged = mergeNodeEvidence([
      {
        node: '',
        evidence: ev([
          [A, 0, 30],
          [B, 0, 30],
        ]),
        note: null,
      },
      {
        node: 'r1',
        evidence: ev([
          [A, 120, 12],
          [B, 0, 12],
        ]),
        note: null,
      },
    ]);
    expect(merged.get(A)).toEqual({ reads: 120, observedDays: 12 });
    expect(merged.get(B)).toEqual({ reads: 0, observedDays: 12 });
  });

  it('a node without evidence makes every index observed 0 days, but its reads elsewhere still count', () => {
    const merged = mergeNodeEvidence([
      {
        node: '',
        evidence: ev([
          [A, 5, 30],
          [B, 0, 30],
        ]),
        note: null,
      },
      { node: 'r1', evidence: null, note: 'userstat counters are off' },
    ]);
    expect(merged.get(A)).toEqual({ reads: 5, observedDays: 0 });
    expect(merged.get(B)).toEqual({ reads: 0, observedDays: 0 });
  });

  it('lists reads per node for indexes read somewhere (null: no evidence on that node)', () => {
    const nodes: NodeEvidence[] = [
      {
        node: '',
        evidence: ev([
          [A, 0, 30],
          [B, 0, 30],
        ]),
        note: null,
      },
      { node: 'r1', evidence: ev([[A, 120, 12]]), note: null },
      { node: 'r2', evidence: null, note: 'unreachable' },
    ];
    expect(readsPerNode(nodes)).toEqual(new Map([[A, [0, 120, null]]]));
  });
});

describe('the plan on merged evidence', () => {
  const table: IndexTableFacts = {
    schema: 'app',
    table: 'bookings',
    engine: 'InnoDB',
    rows: 1000,
    foreignKeys: [],
    indexes: [
      {
        name: 'PRIMARY',
        type: 'BTREE',
        primary: true,
        unique: true,
        columns: [{ name: 'id', subPart: null, descending: false }],
        hidden: false,
        comment: '',
        bytes: 16384,
        ordinal: 0,
      },
      {
        name: 'idx_a',
        type: 'BTREE',
        primary: false,
        unique: false,
        columns: [{ name: 'a', subPart: null, descending: false }],
        hidden: false,
        comment: '',
        bytes: 16384,
        ordinal: 1,
      },
      {
        name: 'idx_b',
        type: 'BTREE',
        primary: false,
        unique: false,
        columns: [{ name: 'b', subPart: null, descending: false }],
        hidden: false,
        comment: '',
        bytes: 16384,
        ordinal: 2,
      },
    ],
  };
  const policy = { defaultBudget: 10, tableBudgets: {}, minEvidenceDays: 7 };
  const unused = (evidence: Map<string, { reads: number; observedDays: number }>) =>
    planTable(table, { evidence, hide: { hide: 'IGNORED', show: 'NOT IGNORED' } }, policy)
      .findings.filter((f) => f.kind === 'unused')
      .map((f) => f.index);

  it('an index read only on the replica is not unused; one read nowhere is, once every node has enough days', () => {
    const nodes: NodeEvidence[] = [
      {
        node: '',
        evidence: ev([
          [A, 0, 30],
          [B, 0, 30],
        ]),
        note: null,
      },
      {
        node: 'r1',
        evidence: ev([
          [A, 120, 12],
          [B, 0, 12],
        ]),
        note: null,
      },
    ];
    expect(unused(nodes[0]!.evidence!)).toEqual(['idx_a', 'idx_b']);
    expect(unused(mergeNodeEvidence(nodes))).toEqual(['idx_b']);
  });

  it('nothing is unused while one node has fewer than minEvidenceDays', () => {
    expect(
      unused(
        mergeNodeEvidence([
          {
            node: '',
            evidence: ev([
              [A, 0, 30],
              [B, 0, 30],
            ]),
            note: null,
          },
          {
            node: 'r1',
            evidence: ev([
              [A, 0, 3],
              [B, 0, 3],
            ]),
            note: null,
          },
        ]),
      ),
    ).toEqual([]);
  });
});

describe('nodeSections', () => {
  it('says which nodes had evidence and shows the indexes read only on replicas', () => {
    const table: IndexTableFacts = {
      schema: 'app',
      table: 'bookings',
      engine: 'InnoDB',
      rows: 1,
      foreignKeys: [],
      indexes: [
        {
          name: 'idx_a',
          type: 'BTREE',
          primary: false,
          unique: false,
          columns: [],
          hidden: false,
          comment: '',
          bytes: null,
          ordinal: 1,
        },
      ],
    };
    const sections = nodeSections(
      [
        { node: '', evidence: ev([[A, 0, 30]]), note: null, daysObserved: 30 },
        { node: 'r1', evidence: ev([[A, 120, 12]]), note: null, daysObserved: 12 },
        { node: 'r2', evidence: null, note: 'not reachable now (connection refused)', daysObserved: null },
      ],
      [table],
      7,
    );
    expect(sections[0]).toEqual({
      kind: 'text',
      title: 'Index usage evidence per node',
      lines: [
        'primary: 30.0 days observed',
        'r1: 12.0 days observed',
        'r2: no evidence; not reachable now (connection refused)',
        'nodes without evidence: r2: no index is called unused while one node has none',
      ],
    });
    expect(sections[1]).toEqual({
      kind: 'table',
      title: 'Indexes read only on replicas (kept: not unused)',
      columns: ['table', 'index', 'reads on primary', 'reads on r1', 'reads on r2'],
      rows: [['app.bookings', 'idx_a', 0, 120, null]],
    });
  });
});
