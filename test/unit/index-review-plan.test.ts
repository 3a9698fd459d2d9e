import { describe, expect, it } from 'vitest';
import {
  indexKey,
  type ForeignKeyNeed,
  type IndexDef,
  type IndexEvidence,
  type IndexTableFacts,
} from '../../jobs/index-review/facts.js';
import { planIndexReview, type Finding, type IndexReviewPolicy } from '../../jobs/index-review/plan.js';
import { ix, table } from '../fixtures/index-review-facts.js';

const HIDE = { hide: 'IGNORED', show: 'NOT IGNORED' };
const POLICY: IndexReviewPolicy = { defaultBudget: 10, tableBudgets: {}, minEvidenceDays: 7 };

function review(t: IndexTableFacts, evidence: Record<string, IndexEvidence> = {}, policy: IndexReviewPolicy = POLICY) {
  const ev = new Map(Object.entries(evidence).map(([name, e]) => [indexKey(t.schema, t.table, name), e]));
  return planIndexReview({ tables: [t], evidence: ev, hide: HIDE }, policy);
}

const brief = (fs: Finding[]) => fs.map((f) => [f.index, f.kind, f.coveredBy ?? null, f.action]);

describe('index review: structural findings', () => {
  it.each<[string, IndexDef[], (string | null)[][]]>([
    [
      'exact duplicate → drop the newer, keep the older',
      [ix('PRIMARY', 'id'), ix('a1', 'a, b'), ix('a2', 'a, b')],
      [['a2', 'duplicate', 'a1', 'drop']],
    ],
    ['left prefix', [ix('PRIMARY', 'id'), ix('a', 'a'), ix('ab', 'a, b')], [['a', 'left-prefix', 'ab', 'drop']]],
    [
      'a(10) is covered by a',
      [ix('PRIMARY', 'id'), ix('a10', 'a(10)'), ix('a', 'a')],
      [['a10', 'prefix-covered', 'a', 'drop']],
    ],
    [
      'a(10) is covered by (a, b)',
      [ix('PRIMARY', 'id'), ix('a10', 'a(10)'), ix('ab', 'a, b')],
      [['a10', 'left-prefix', 'ab', 'drop']],
    ],
    [
      'a(10) vs a(20): the shorter prefix is covered',
      [ix('PRIMARY', 'id'), ix('a20', 'a(20)'), ix('a10', 'a(10)')],
      [['a10', 'prefix-covered', 'a20', 'drop']],
    ],
    [
      'a is not covered by a(10), nor (a, b) by (a(10), b, c)',
      [ix('PRIMARY', 'id'), ix('a', 'a'), ix('a10', 'a(10)'), ix('ab', 'a, b'), ix('a10bc', 'a(10), b, c')],
      [
        ['a', 'left-prefix', 'ab', 'drop'],
        ['a10', 'prefix-covered', 'ab', 'drop'],
      ],
    ],
    [
      'a(10) alone is not a duplicate of a',
      [ix('PRIMARY', 'id'), ix('a', 'a'), ix('a10', 'a(10)'), ix('a10bc', 'a(10), b, c')],
      [['a10', 'prefix-covered', 'a', 'drop']],
    ],
    ['different order is not redundant', [ix('PRIMARY', 'id'), ix('ab', 'a, b'), ix('ba', 'b, a')], []],
    ['different direction is not a duplicate', [ix('PRIMARY', 'id'), ix('ab', 'a, b'), ix('abd', 'a, b DESC')], []],
    [
      'left prefix of the primary key',
      [ix('PRIMARY', 'a, b'), ix('a', 'a')],
      [['a', 'left-prefix', 'PRIMARY', 'drop']],
    ],
    [
      'duplicate of the primary key',
      [ix('PRIMARY', 'id'), ix('id_again', 'id')],
      [['id_again', 'duplicate', 'PRIMARY', 'drop']],
    ],
    [
      'covered by a unique key: the unique key stays',
      [ix('PRIMARY', 'id'), ix('uq', 'a, b', { unique: true }), ix('a', 'a')],
      [['a', 'left-prefix', 'uq', 'drop']],
    ],
    [
      'chain a ⊂ ab ⊂ abc: both shorter ones name the one that stays',
      [ix('PRIMARY', 'id'), ix('a', 'a'), ix('ab', 'a, b'), ix('abc', 'a, b, c')],
      [
        ['a', 'left-prefix', 'abc', 'drop'],
        ['ab', 'left-prefix', 'abc', 'drop'],
      ],
    ],
    ['a hidden index covers nothing', [ix('PRIMARY', 'id'), ix('a', 'a'), ix('ab', 'a, b', { hidden: true })], []],
  ])('%s', (_name, indexes, expected) => {
    expect(brief(review(table(indexes)).findings)).toEqual(expected);
  });

  it('two identical indexes: drops one, keeps one (never both "redundant" because of each other)', () => {
    const plan = review(table([ix('PRIMARY', 'id'), ix('x1', 'a'), ix('x2', 'a'), ix('x3', 'a')]));
    expect(brief(plan.findings)).toEqual([
      ['x2', 'duplicate', 'x1', 'drop'],
      ['x3', 'duplicate', 'x1', 'drop'],
    ]);
    expect(plan.tables[0]!.indexCountAfter).toBe(2);
    expect(plan.tables[0]!.dropSql).toBe(
      'ALTER TABLE `s`.`t` DROP INDEX `x2`, DROP INDEX `x3`, ALGORITHM=INPLACE, LOCK=NONE',
    );
  });

  it('keeps the duplicate that is read, drops the one that is not', () => {
    const plan = review(table([ix('PRIMARY', 'id'), ix('old', 'a'), ix('new', 'a')]), {
      old: { reads: 0, observedDays: 30 },
      new: { reads: 500, observedDays: 30 },
    });
    expect(brief(plan.findings)).toEqual([['old', 'duplicate', 'new', 'drop']]);
  });

  it('composite primary key suffix: (x, a, b) with PRIMARY (a, b) stores what (x) stores', () => {
    const plan = review(table([ix('PRIMARY', 'a, b'), ix('x', 'x'), ix('x_ab', 'x, a, b')]));
    expect(brief(plan.findings)).toEqual([['x_ab', 'pk-suffix', 'x', 'drop']]);
    // (x, a) ends with a leading part of the primary key too.
    expect(brief(review(table([ix('PRIMARY', 'a, b'), ix('x', 'x'), ix('x_a', 'x, a')])).findings)).toEqual([
      ['x_a', 'pk-suffix', 'x', 'drop'],
    ]);
    // (x, b) does not: b is not the leading primary-key column.
    expect(brief(review(table([ix('PRIMARY', 'a, b'), ix('x', 'x'), ix('x_b', 'x, b')])).findings)).toEqual([
      ['x', 'left-prefix', 'x_b', 'drop'],
    ]);
  });

  it('primary key suffix without a twin: a weak "redefine" finding with the rewrite and its undo', () => {
    const plan = review(table([ix('PRIMARY', 'id'), ix('status_id', 'status, id')]));
    expect(brief(plan.findings)).toEqual([['status_id', 'pk-suffix', null, 'redefine']]);
    const f = plan.findings[0]!;
    expect(f.confidence).toBe('low');
    expect(f.sql).toBe(
      'ALTER TABLE `s`.`t` DROP INDEX `status_id`, ADD INDEX `status_id` (`status`), ALGORITHM=INPLACE, LOCK=NONE',
    );
    expect(f.rollbackSql).toBe(
      'ALTER TABLE `s`.`t` DROP INDEX `status_id`, ADD INDEX `status_id` (`status`, `id`), ALGORITHM=INPLACE, LOCK=NONE',
    );
    expect(plan.tables[0]!.dropSql).toBeNull();
  });

  it('primary key suffix is an InnoDB rule only', () => {
    expect(
      review(
        table([ix('PRIMARY', 'id'), ix('s', 'status'), ix('s_id', 'status, id')], { engine: 'MyISAM' }),
      ).findings.map((f) => f.index),
    ).toEqual(['s']);
  });

  it('starts with the whole primary key or a unique key: weaker, reviewed, not in the DROP statement', () => {
    const plan = review(
      table([
        ix('PRIMARY', 'id'),
        ix('uq_email', 'company, email', { unique: true }),
        ix('email_name', 'company, email, name'),
        ix('id_x', 'id, x'),
      ]),
    );
    expect(brief(plan.findings)).toEqual([
      ['email_name', 'starts-with-unique', 'uq_email', 'review'],
      ['id_x', 'starts-with-unique', 'PRIMARY', 'review'],
    ]);
    expect(plan.findings.every((f) => f.confidence === 'low')).toBe(true);
    expect(plan.findings[0]!.reason).toMatch(/only covering index/);
    expect(plan.tables[0]!.dropSql).toBeNull();
  });
});

describe('index review: what is never recommended', () => {
  it('never drops PRIMARY or a UNIQUE index, even a duplicate one (reported as skipped)', () => {
    const plan = review(
      table([
        ix('PRIMARY', 'id'),
        ix('uq1', 'a', { unique: true }),
        ix('uq2', 'a', { unique: true }),
        ix('uq_id', 'id', { unique: true }),
      ]),
    );
    expect(plan.findings).toEqual([]);
    expect(plan.skipped.map((s) => s.target)).toEqual(['s.t.uq2', 's.t.uq_id']);
    expect(plan.skipped[0]!.reason).toMatch(/enforces a rule/);
  });

  it('never drops the last index a foreign key can use; a duplicate of it may go', () => {
    const fk: ForeignKeyNeed = { constraint: 'fk_customer', role: 'child', columns: ['customer_id'] };
    // Only one index serves the FK, and it is a left prefix of nothing: nothing to do.
    const lone = review(table([ix('PRIMARY', 'id'), ix('c', 'customer_id')], { foreignKeys: [fk] }), {
      c: { reads: 0, observedDays: 30 },
    });
    expect(lone.findings).toEqual([]);
    expect(lone.skipped[0]).toEqual({
      target: 's.t.c',
      reason: expect.stringMatching(/last index foreign key fk_customer/),
    });
    // Two serve it: one goes, one stays.
    const twin = review(
      table([ix('PRIMARY', 'id'), ix('c1', 'customer_id, starts'), ix('c2', 'customer_id, starts')], {
        foreignKeys: [fk],
      }),
    );
    expect(brief(twin.findings)).toEqual([['c2', 'duplicate', 'c1', 'drop']]);
  });

  it('a prefix index cannot serve a foreign key: the whole-column index stays for it', () => {
    const fk: ForeignKeyNeed = { constraint: 'fk_p', role: 'parent', columns: ['code'] };
    const plan = review(
      table([ix('PRIMARY', 'id'), ix('code', 'code'), ix('code_x', 'code(4), x')], { foreignKeys: [fk] }),
      { code: { reads: 0, observedDays: 30 } },
    );
    expect(plan.findings).toEqual([]);
    expect(plan.skipped.map((s) => s.target)).toEqual(['s.t.code']);
  });

  it('FULLTEXT is never redundant with BTREE; two identical FULLTEXT indexes are duplicates', () => {
    const ft = (name: string, cols: string) => ix(name, cols, { type: 'FULLTEXT', bytes: null });
    expect(review(table([ix('PRIMARY', 'id'), ix('body', 'body(100)'), ft('ft_body', 'body')])).findings).toEqual([]);
    expect(review(table([ix('PRIMARY', 'id'), ft('ft_ab', 'a, b'), ft('ft_a', 'a')])).findings).toEqual([]);
    const dup = review(table([ix('PRIMARY', 'id'), ft('ft1', 'body'), ft('ft2', 'body')]));
    expect(brief(dup.findings)).toEqual([['ft2', 'duplicate', 'ft1', 'drop']]);
    expect(dup.findings[0]!.rollbackSql).toBe('ALTER TABLE `s`.`t` ADD FULLTEXT INDEX `ft2` (`body`)');
  });

  it('FULLTEXT without reads is not called unused', () => {
    const plan = review(table([ix('PRIMARY', 'id'), ix('ft', 'body', { type: 'FULLTEXT' })]), {
      ft: { reads: 0, observedDays: 30 },
    });
    expect(plan.findings).toEqual([]);
  });
});

describe('index review: usage evidence', () => {
  const indexes = () => [ix('PRIMARY', 'id'), ix('used', 'a'), ix('idle', 'b'), ix('uq', 'c', { unique: true })];

  it('no reads over enough observed days → unused (medium confidence); read ones and unique ones are not', () => {
    const plan = review(table(indexes()), {
      used: { reads: 3, observedDays: 30 },
      idle: { reads: 0, observedDays: 30 },
      uq: { reads: 0, observedDays: 30 },
    });
    expect(brief(plan.findings)).toEqual([['idle', 'unused', null, 'drop']]);
    expect(plan.findings[0]).toMatchObject({ confidence: 'medium', reads: 0, observedDays: 30 });
  });

  it('no evidence → never "unused"', () => {
    expect(review(table(indexes())).findings).toEqual([]);
  });

  it('too few observed days → not unused yet, and says so', () => {
    const plan = review(table(indexes()), { idle: { reads: 0, observedDays: 2 } });
    expect(plan.findings).toEqual([]);
    expect(plan.skipped).toEqual([{ target: 's.t', reason: expect.stringMatching(/fewer than 7 observed days/) }]);
  });

  it('an unused index that covers a structural drop stays', () => {
    // a is read, ab is not: a is redundant to ab, so ab must stay to serve a's queries.
    const plan = review(table([ix('PRIMARY', 'id'), ix('a', 'a'), ix('ab', 'a, b')]), {
      a: { reads: 9, observedDays: 30 },
      ab: { reads: 0, observedDays: 30 },
    });
    expect(brief(plan.findings)).toEqual([['a', 'left-prefix', 'ab', 'drop']]);
    expect(plan.skipped).toEqual([{ target: 's.t.ab', reason: expect.stringMatching(/drops above rely on it/) }]);
  });
});

describe('index review: budget, sizes and SQL', () => {
  it('over budget names the write cost; budgets by table and schema.table', () => {
    const many = [
      ix('PRIMARY', 'id'),
      ...['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((c) => ix(`k_${c}`, c)),
      ix('k_a2', 'a'),
    ];
    const plan = review(
      table(many, { table: 'appointments' }),
      {},
      { ...POLICY, tableBudgets: { appointments: 6, 's.other': 2 } },
    );
    const over = plan.findings.find((f) => f.kind === 'over-budget')!;
    expect(over).toMatchObject({ index: null, confidence: 'high' });
    expect(over.reason).toMatch(/^9 indexes, budget 6: every INSERT and DELETE writes 8 secondary index tree\(s\)/);
    expect(over.reason).toMatch(/leave 8 \(still 2 over/);
    expect(
      review(
        table(many.slice(0, 3), { table: 'other' }),
        {},
        { ...POLICY, tableBudgets: { other: 5, 's.other': 2 } },
      ).findings.map((f) => f.kind),
    ).toEqual(['over-budget']);
    expect(review(table(many.slice(0, 9)), {}, POLICY).findings.filter((f) => f.kind === 'over-budget')).toEqual([]);
  });

  it('rollback re-creates the exact definition: prefix, DESC, comment, hidden state', () => {
    const a = ix('a_old', 'a(10), b DESC', { comment: "it's old", hidden: true, bytes: 32768 });
    const plan = review(table([ix('PRIMARY', 'id'), ix('ab', 'a, b DESC, c'), a]));
    const f = plan.findings[0]!;
    expect(f).toMatchObject({ index: 'a_old', kind: 'left-prefix', bytes: 32768 });
    expect(f.sql).toBe('ALTER TABLE `s`.`t` DROP INDEX `a_old`, ALGORITHM=INPLACE, LOCK=NONE');
    expect(f.rollbackSql).toBe(
      "ALTER TABLE `s`.`t` ADD INDEX `a_old` (`a`(10), `b` DESC) COMMENT 'it''s old' IGNORED, ALGORITHM=INPLACE, LOCK=NONE",
    );
    expect(plan.tables[0]!.hideSql).toBe('ALTER TABLE `s`.`t` ALTER INDEX `a_old` IGNORED');
    expect(plan.tables[0]!.unhideSql).toBe('ALTER TABLE `s`.`t` ALTER INDEX `a_old` NOT IGNORED');
    expect(plan.tables[0]!.reclaimableBytes).toBe(32768);
  });

  it('unknown sizes stay unknown, never 0', () => {
    const plan = review(table([ix('PRIMARY', 'id'), ix('a', 'a', { bytes: null }), ix('ab', 'a, b')]));
    expect(plan.findings[0]!.bytes).toBeNull();
    expect(plan.tables[0]!.reclaimableBytes).toBeNull();
    expect(plan.tables[0]!.indexBytes).toBeNull();
  });

  it('expression indexes are neither compared nor dropped', () => {
    const expr: IndexDef = { ...ix('fx', 'a'), columns: [{ name: null, subPart: null, descending: false }] };
    const plan = review(table([ix('PRIMARY', 'id'), expr, ix('a', 'a')]), { fx: { reads: 0, observedDays: 30 } });
    expect(plan.findings).toEqual([]);
    expect(plan.skipped).toEqual([{ target: 's.t.fx', reason: 'expression index: not compared' }]);
  });
});
