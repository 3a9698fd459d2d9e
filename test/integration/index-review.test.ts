import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexReviewJob } from '../../jobs/index-review/job.js';
import type { App } from '../../src/app/bootstrap.js';
import { createIndexReviewFixture } from '../fixtures/index-review-schema.js';
import type { Finding } from '../../jobs/index-review/plan.js';
import { runJobForTest } from '../helpers/run-job-for-test.js';
import { createTestSchema, silentLogger, testApp, type TestSchema } from '../helpers/test-db.js';

let t: TestSchema;
let fx: string;
let copy: string;

beforeAll(async () => {
  t = await createTestSchema();
  fx = `${t.name}_fx`;
  copy = `${t.name}_copy`;
  await createIndexReviewFixture(t.admin, fx);
});
afterAll(async () => {
  await t.admin.query(`DROP SCHEMA IF EXISTS \`${fx}\``);
  await t.admin.query(`DROP SCHEMA IF EXISTS \`${copy}\``);
  await t.drop();
});

/** dbkeeper's own tables in the test schema; the review looks at the fixture schema only. */
async function withApp<T>(jobConfig: Record<string, unknown>, fn: (app: App) => Promise<T>): Promise<T> {
  const app = await testApp(t.name, { schema: t.name, jobs: { 'index-review': { schemas: [fx], ...jobConfig } } });
  try {
    return await fn(app);
  } finally {
    await app.db.close();
  }
}

function review(app: App, dryRun: boolean) {
  return runJobForTest({ db: app.db, config: app.config, log: silentLogger() }, indexReviewJob, {
    trigger: 'manual',
    dryRun,
  });
}

const brief = (fs: Finding[]) =>
  fs
    .map((f) => `${f.table}.${f.index ?? '*'} ${f.kind}${f.coveredBy ? ` by ${f.coveredBy}` : ''} (${f.action})`)
    .sort();

const STRUCTURAL = [
  'bookings.* over-budget (review)',
  'bookings.idx_code_status starts-with-unique by uq_code (review)',
  'bookings.idx_company left-prefix by idx_company_starts (drop)',
  'bookings.idx_email_id pk-suffix (redefine)',
  'bookings.idx_notes20 prefix-covered by idx_notes (drop)',
  'bookings.idx_status_copy duplicate by idx_status (drop)',
  'customers.idx_email duplicate by uq_email (drop)',
  'tenant_items.idx_ref_tenant_id pk-suffix by idx_ref (drop)',
  'tenant_items.idx_tenant left-prefix by PRIMARY (drop)',
];

async function setUserstat(on: boolean): Promise<void> {
  await t.admin.query(`SET GLOBAL userstat = ${on ? 1 : 0}`);
}

async function userstatNow(): Promise<boolean> {
  const [r] = await t.admin.query<RowDataPacket[]>('SELECT @@global.userstat AS v');
  return Number(r[0]!.v) === 1;
}

describe('index-review on MariaDB', () => {
  it('finds exactly the planted duplicates and redundancies, with sizes; protects unique keys; says there is no usage evidence', async () => {
    const before = await userstatNow();
    await setUserstat(false);
    let run;
    try {
      run = await withApp({}, (app) => review(app, true));
    } finally {
      await setUserstat(before);
    }
    expect(run.outcome.error).toBeUndefined();
    const result = run.result!;
    const { findings, tables } = run.details!;
    expect(brief(findings)).toEqual(STRUCTURAL);
    expect(result.status).toBe('warning');
    expect(result.warnings).toContainEqual(
      expect.stringMatching(/^no usage evidence: userstat counters are off.*SET GLOBAL userstat = 1/),
    );
    expect(result.skipped).toContainEqual({
      target: `${fx}.bookings.uq_code_again`,
      reason: expect.stringMatching(/UNIQUE index duplicating uq_code/),
    });
    for (const f of findings.filter((x) => x.action === 'drop')) expect(f.bytes).toBeGreaterThan(0);
    const bookings = tables.find((x) => x.table === 'bookings')!;
    expect(bookings).toMatchObject({ indexCount: 13, budget: 10, indexCountAfter: 10 });
    expect(findings.some((f) => f.kind === 'unused')).toBe(false);
  });

  it('with userstat on: indexes read by a workload are used, the others are found unused (never FK, unique or FULLTEXT ones)', async () => {
    const before = await userstatNow();
    await setUserstat(true);
    let second;
    try {
      // Two snapshots with a workload between them: the second run sums the evidence.
      second = await withApp({ minEvidenceDays: 0 }, async (app) => {
        const first = await review(app, false);
        expect(first.outcome.error).toBeUndefined();
        expect(first.details!.usage.daysObserved).toBeNull();
        expect(first.result!.warnings).toContainEqual(expect.stringMatching(/no usage evidence yet: userstat is on/));
        const q = (sql: string) => t.admin.query(sql.replaceAll('FX', `\`${fx}\``));
        await q(
          'SELECT COUNT(*) FROM FX.bookings FORCE INDEX (idx_company_starts) WHERE company_id = 3 AND starts_at > 0',
        );
        await q("SELECT COUNT(*) FROM FX.bookings FORCE INDEX (idx_status) WHERE status = 'done'");
        await q("SELECT COUNT(*) FROM FX.bookings FORCE INDEX (idx_notes) WHERE notes LIKE 'note 1%'");
        await q("SELECT COUNT(*) FROM FX.tenant_items FORCE INDEX (idx_ref) WHERE ref = 'R7'");
        await q("SELECT COUNT(*) FROM FX.customers FORCE INDEX (uq_email) WHERE email > 'c5'");
        return review(app, false);
      });
    } finally {
      await setUserstat(before);
    }
    expect(second.outcome.error).toBeUndefined();
    const result = second.result!;
    const { findings, usage } = second.details!;
    expect(usage.daysObserved).toBeGreaterThan(0);
    const unused = findings
      .filter((f) => f.kind === 'unused')
      .map((f) => `${f.table}.${f.index}`)
      .sort();
    // Not read: idx_starts, idx_email_id, idx_code_status, docs.idx_body. idx_customer is the FK's only index,
    // uq_* enforce rules, ft_body is FULLTEXT: none of those is called unused.
    expect(unused).toEqual([
      'bookings.idx_code_status',
      'bookings.idx_email_id',
      'bookings.idx_starts',
      'docs.idx_body',
    ]);
    expect(result.skipped).toContainEqual({
      target: `${fx}.bookings.idx_customer`,
      reason: expect.stringMatching(/last index foreign key fk_bookings_customer/),
    });
    // Structural findings are unchanged where the index was read or covered.
    expect(brief(findings.filter((f) => f.kind !== 'unused' && f.kind !== 'over-budget'))).toEqual(
      STRUCTURAL.filter((s) => !/over-budget|idx_code_status|idx_email_id/.test(s)),
    );
    const [snap] = await t.admin.query<RowDataPacket[]>(
      `SELECT COUNT(DISTINCT taken_at) AS snapshots, SUM(index_name = 'idx_company_starts' AND rows_read > 0) AS read_rows FROM \`${t.name}\`.dbkeeper_index_usage WHERE schema_name = ?`,
      [fx],
    );
    expect(Number(snap[0]!.snapshots)).toBe(2);
    expect(Number(snap[0]!.read_rows)).toBe(1);
  });

  it('the printed hide, DROP and rollback statements run cleanly on a copy of the schema and restore it exactly', async () => {
    const run = await withApp({}, (app) => review(app, true));
    expect(run.outcome.error).toBeUndefined();
    const { findings, tables } = run.details!;
    await createIndexReviewFixture(t.admin, copy, 20);
    const onCopy = (sql: string) => sql.replaceAll(`\`${fx}\`.`, `\`${copy}\`.`);
    const definition = async () => {
      const [r] = await t.admin.query<RowDataPacket[]>(
        `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, INDEX_TYPE, IGNORED FROM information_schema.STATISTICS
         WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
        [copy],
      );
      return r.map((x) => Object.values(x).join('|'));
    };
    const original = await definition();
    const withDrops = tables.filter((x) => x.dropSql);
    expect(withDrops.map((x) => x.table).sort()).toEqual(['bookings', 'customers', 'tenant_items']);
    for (const tr of withDrops) {
      await t.admin.query(onCopy(tr.hideSql!));
      await t.admin.query(onCopy(tr.unhideSql!));
      await t.admin.query(onCopy(tr.dropSql!));
    }
    const dropped = findings.filter((f) => f.action === 'drop').map((f) => `${f.table}|${f.index}`);
    const after = await definition();
    expect(after.filter((row) => dropped.some((d) => row.startsWith(`${d}|`)))).toEqual([]);
    for (const tr of withDrops) await t.admin.query(onCopy(tr.dropRollbackSql!));
    expect(await definition()).toEqual(original);
    // Weaker findings: their own statement, and its undo.
    for (const f of findings.filter((x) => x.action !== 'drop' && x.index && x.sql)) {
      await t.admin.query(onCopy(f.sql!));
      await t.admin.query(onCopy(f.rollbackSql!));
    }
    expect(await definition()).toEqual(original);
  });

  it('rejects an illegal schema name in config, naming the field', async () => {
    await expect(testApp(t.name, { jobs: { 'index-review': { schemas: ['trailing '] } } })).rejects.toThrow(
      /jobs\.index-review\.schemas\.0: must not end with a space/,
    );
  });

  it('reviews tables with legal but unusual names (2fa_codes, a space, a backtick, a dot); the printed DROP and rollback run as printed', async () => {
    const odd = `${t.name}_odd`;
    const names = ['2fa_codes', 'log book', 'a`b', 'v2.sessions'];
    await t.admin.query(`DROP SCHEMA IF EXISTS \`${odd}\``);
    await t.admin.query(`CREATE SCHEMA \`${odd}\``);
    try {
      for (const n of names) {
        const q = `\`${odd}\`.\`${n.replaceAll('`', '``')}\``;
        await t.admin.query(
          `CREATE TABLE ${q} (id INT PRIMARY KEY, code CHAR(6) NOT NULL, KEY \`by code\` (code), KEY \`by code again\` (code)) ENGINE=InnoDB`,
        );
        await t.admin.query(`INSERT INTO ${q} VALUES (1, 'a'), (2, 'b')`);
      }
      const { outcome, details } = await withApp({ schemas: [odd] }, (app) => review(app, true));
      expect(outcome.error).toBeUndefined();
      expect(outcome.status).not.toBe('failed');
      const { findings, tables } = details!;
      expect(brief(findings)).toEqual(names.map((n) => `${n}.by code again duplicate by by code (drop)`).sort());
      for (const tr of tables.filter((x) => x.dropSql)) {
        await t.admin.query(tr.dropSql!);
        await t.admin.query(tr.dropRollbackSql!);
      }
      const [ix] = await t.admin.query<RowDataPacket[]>(
        'SELECT TABLE_NAME AS t, COUNT(DISTINCT INDEX_NAME) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? GROUP BY TABLE_NAME ORDER BY TABLE_NAME',
        [odd],
      );
      expect(ix.map((r) => `${String(r.t)}:${Number(r.n)}`)).toEqual([...names].sort().map((n) => `${n}:3`));
    } finally {
      await t.admin.query(`DROP SCHEMA IF EXISTS \`${odd}\``);
    }
  });
});
