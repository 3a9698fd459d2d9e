import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexReviewJob } from '../../jobs/index-review/job.js';
import { runJobForTest } from '../helpers/run-job-for-test.js';
import { createTestSchema, silentLogger, TEST_DB, testApp, type TestSchema } from '../helpers/test-db.js';

/** Printed hide / DROP / rollback statements of indexes with hostile comments and names, run the way a person
 * would (a client session, as a script) with the server's default sql_mode and with NO_BACKSLASH_ESCAPES. */

const COMMENTS = {
  quote: "p' , DROP PRIMARY KEY -- ",
  backslash: 'C:\\temp\\new',
  both: "x\\' , DROP PRIMARY KEY -- ",
  newline: 'line one\nline two',
  nonAscii: 'café ☕ 日本 ü',
};

let t: TestSchema;
let fx: string;

beforeAll(async () => {
  t = await createTestSchema();
  fx = `${t.name}_lit`;
});
afterAll(async () => {
  await t.admin.query(`DROP SCHEMA IF EXISTS \`${fx}\``);
  await t.drop();
});

const q = (name: string) => `\`${name.replaceAll('`', '``')}\``;

/** Five redundant indexes (left prefixes of `wide` and `bc`), one per hostile comment. Built with placeholders. */
async function createTable(table: string, indexName: (base: string) => string): Promise<void> {
  const tt = `${q(fx)}.${q(table)}`;
  await t.admin.query(`DROP TABLE IF EXISTS ${tt}`);
  await t.admin.query(
    `CREATE TABLE ${tt} (id INT NOT NULL PRIMARY KEY, a INT, b INT, c INT, d INT, e INT, KEY wide (a, b, c, d, e), KEY bc (b, c)) ENGINE=InnoDB`,
  );
  const parts: [string, string, string][] = [
    ['quote', 'a', COMMENTS.quote],
    ['backslash', 'a, b', COMMENTS.backslash],
    ['both', 'a, b, c', COMMENTS.both],
    ['newline', 'a, b, c, d', COMMENTS.newline],
    ['nonAscii', 'b', COMMENTS.nonAscii],
  ];
  for (const [base, cols, comment] of parts)
    await t.admin.query(`ALTER TABLE ${tt} ADD INDEX ${q(indexName(base))} (${cols}) COMMENT ?`, [comment]);
  await t.admin.query(`INSERT INTO ${tt} VALUES (1,1,1,1,1,1), (2,2,2,2,2,2)`);
}

async function definition(table: string): Promise<string[]> {
  const [r] = await t.admin.query<RowDataPacket[]>(
    `SELECT INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, INDEX_TYPE, IGNORED, HEX(INDEX_COMMENT) AS c FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [fx, table],
  );
  return r.map((x) => Object.values(x).join('|'));
}

async function hasPrimaryKey(table: string): Promise<boolean> {
  const [r] = await t.admin.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY'",
    [fx, table],
  );
  return Number(r[0]!.n) === 1;
}

/** A person's client session: several statements per paste, optionally with NO_BACKSLASH_ESCAPES on. */
async function session(noBackslashEscapes: boolean): Promise<Connection> {
  const c = await mysql.createConnection({ ...TEST_DB, multipleStatements: true });
  if (noBackslashEscapes) await c.query("SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES')");
  return c;
}

async function sessionMode(c: Connection): Promise<string> {
  const [r] = await c.query<RowDataPacket[]>('SELECT @@SESSION.sql_mode AS m');
  return String(r[0]!.m);
}

/** A dry run of the index review over the fixture schema. */
async function dryReview() {
  const app = await testApp(t.name, { schema: t.name, jobs: { 'index-review': { schemas: [fx] } } });
  try {
    return await runJobForTest({ db: app.db, config: app.config, log: silentLogger() }, indexReviewJob, {
      trigger: 'manual',
      dryRun: true,
    });
  } finally {
    await app.db.close();
  }
}

const CASES = [
  { title: 'plain names', table: 'hostile_comments', indexName: (b: string) => `ix_${b}` },
  {
    title: 'names with backticks, spaces, dots and non-ASCII',
    table: 'we`ird t.able',
    indexName: (b: string) => `ix ${b} \`q\`.é`,
  },
];

describe('printed index statements mean the same in every sql_mode', () => {
  for (const { title, table, indexName } of CASES) {
    for (const noBackslashEscapes of [false, true]) {
      it(`${title}, ${noBackslashEscapes ? 'NO_BACKSLASH_ESCAPES' : 'default sql_mode'}: hide, DROP and rollback restore every index and comment exactly; PRIMARY stays`, async () => {
        await t.admin.query(`CREATE SCHEMA IF NOT EXISTS ${q(fx)}`);
        await createTable(table, indexName);
        const original = await definition(table);
        const run = await dryReview();
        expect(run.outcome.error).toBeUndefined();
        const review = run.details!.tables.find((x) => x.table === table)!;
        expect(review.dropSql).not.toBeNull();
        const c = await session(noBackslashEscapes);
        try {
          const modeBefore = await sessionMode(c);
          expect(modeBefore.includes('NO_BACKSLASH_ESCAPES')).toBe(noBackslashEscapes);
          await c.query(review.hideSql!);
          expect((await definition(table)).filter((r) => r.startsWith('ix') && r.split('|')[6] !== 'YES')).toEqual([]);
          await c.query(review.unhideSql!);
          expect(await definition(table)).toEqual(original);
          await c.query(review.dropSql!);
          expect(await hasPrimaryKey(table)).toBe(true);
          expect((await definition(table)).filter((r) => r.startsWith('ix'))).toEqual([]);
          await c.query(review.dropRollbackSql!);
          expect(await hasPrimaryKey(table)).toBe(true);
          expect(await definition(table)).toEqual(original);
          // The script gives the session its own sql_mode back.
          expect(await sessionMode(c)).toBe(modeBefore);
        } finally {
          await c.end();
        }
        const [rows] = await t.admin.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${q(fx)}.${q(table)}`);
        expect(Number(rows[0]!.n)).toBe(2);
      });
    }
  }
});
