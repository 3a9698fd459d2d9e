import { describe, expect, it } from 'vitest';
import type { IndexDef, IndexTableFacts } from '../../jobs/index-review/facts.js';
import { planIndexReview } from '../../jobs/index-review/plan.js';
import { reviewSections } from '../../jobs/index-review/report.js';
import { formatBytes } from '../../src/core/number-format.js';

const col = (name: string) => ({ name, subPart: null, descending: false });
const ix = (name: string, cols: string[], ordinal: number, bytes: number | null = 16384): IndexDef => ({
  name,
  type: 'BTREE',
  primary: name === 'PRIMARY',
  unique: name === 'PRIMARY',
  hidden: false,
  comment: '',
  bytes,
  ordinal,
  columns: cols.map(col),
});
const table = (name: string, bytes: number | null = 16384): IndexTableFacts => ({
  schema: 's',
  table: name,
  engine: 'InnoDB',
  rows: 10,
  foreignKeys: [],
  indexes: [ix('PRIMARY', ['id'], 0), ix('a', ['a'], 1, bytes), ix('ab', ['a', 'b'], 2)],
});
const plan = (tables: IndexTableFacts[]) =>
  planIndexReview(
    { tables, evidence: new Map(), hide: { hide: 'INVISIBLE', show: 'VISIBLE' } },
    { defaultBudget: 10, tableBudgets: {}, minEvidenceDays: 7 },
  );
const NO_EVIDENCE = {
  source: 'performance_schema',
  enabled: false,
  enableHint: 'performance_schema = ON',
  daysObserved: null,
};

describe('index review report sections', () => {
  it('says "no usage evidence" with a null figure and how to enable it, never 0 days', () => {
    const sections = reviewSections(plan([table('t')]), NO_EVIDENCE, 7);
    const figures = sections.find((s) => s.kind === 'figures')!;
    expect(figures.kind === 'figures' && figures.figures.find((f) => f.label === 'usage evidence')).toEqual({
      label: 'usage evidence',
      value: null,
      unit: 'days',
      threshold: '≥ 7 days',
      status: 'n/a',
      note: 'no usage evidence (performance_schema off): enable with performance_schema = ON',
    });
  });

  it('gives hide, undo, drop and re-create statements in that order', () => {
    const sections = reviewSections(plan([table('t')]), { ...NO_EVIDENCE, enabled: true, daysObserved: 12.34 }, 7);
    const sql = sections.filter((s) => s.kind === 'sql').map((s) => (s.kind === 'sql' ? s.statements[0] : ''));
    expect(sql).toEqual([
      'ALTER TABLE `s`.`t` ALTER INDEX `a` INVISIBLE',
      'ALTER TABLE `s`.`t` ALTER INDEX `a` VISIBLE',
      'ALTER TABLE `s`.`t` DROP INDEX `a`, ALGORITHM=INPLACE, LOCK=NONE',
      'ALTER TABLE `s`.`t` ADD INDEX `a` (`a`), ALGORITHM=INPLACE, LOCK=NONE',
    ]);
  });

  it('caps a large review: the largest 100 findings and 50 tables of statements, the rest pointed to the JSON', () => {
    const tables = Array.from({ length: 120 }, (_, i) => table(`t${String(i).padStart(3, '0')}`, (i + 1) * 1024));
    const sections = reviewSections(plan(tables), NO_EVIDENCE, 7);
    const findings = sections.find((s) => s.kind === 'table')!;
    expect(findings.kind === 'table' && findings.title).toBe('Findings (largest 100 of 120; all in the JSON details)');
    expect(findings.kind === 'table' && findings.rows[0]![1]).toBe('a');
    expect(findings.kind === 'table' && findings.rows[0]![0]).toBe('s.t119');
    const drops = sections.find((s) => s.kind === 'sql' && s.title.startsWith('Step 2'))!;
    expect(drops.kind === 'sql' && drops.statements.length).toBe(50);
    expect(sections.find((s) => s.kind === 'text' && s.title === 'Statements')).toBeDefined();
  });

  it("a weaker finding's undo is commented out on every line, even where a comment literal breaks the line", () => {
    const redefine: IndexTableFacts = {
      ...table('t'),
      indexes: [
        ix('PRIMARY', ['id'], 0),
        { ...ix('email_id', ['email', 'id'], 1), comment: "x'\nDROP TABLE `s`.`t`; --" },
      ],
    };
    const weaker = reviewSections(plan([redefine]), NO_EVIDENCE, 7).find(
      (s) => s.kind === 'sql' && s.title.startsWith('Weaker'),
    );
    expect(weaker?.kind === 'sql' && weaker.statements[1]!.split('\n')).toEqual([
      "-- undo: ALTER TABLE `s`.`t` DROP INDEX `email_id`, ADD INDEX `email_id` (`email`, `id`) COMMENT 'x''",
      "-- DROP TABLE `s`.`t`; --', ALGORITHM=INPLACE, LOCK=NONE",
    ]);
  });

  it('formats sizes and keeps unknown unknown', () => {
    expect([
      formatBytes(null),
      formatBytes(512),
      formatBytes(16384),
      formatBytes(5 * 1024 ** 2),
      formatBytes(3 * 1024 ** 3),
    ]).toEqual(['unknown', '512 B', '16 KiB', '5.0 MiB', '3.0 GiB']);
  });
});
