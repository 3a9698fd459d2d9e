import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { createTestSchema, TEST_DB, type TestSchema } from '../helpers/test-db.js';

/** Every bad value: the promised exit code, a line naming the field, and nothing created (no tables, so no run row;
 * the lock comes after both). Each case runs against a fresh schema. */
let t: TestSchema;
beforeAll(async () => {
  t = await createTestSchema();
});
afterAll(async () => {
  await t?.drop();
});

async function tablesIn(schema: string): Promise<string[]> {
  const [r] = await t.admin.query<RowDataPacket[]>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    [schema],
  );
  return r.map((x) => String(x.name));
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'dbkeeper-exit-'));
}

function configFile(content: unknown): string {
  const path = join(tempDir(), 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

function fileInTheWay(): string {
  const path = join(tempDir(), 'a-file');
  writeFileSync(path, 'not a folder');
  return path;
}

const SECRET = '50%off-Secret';

describe('bad values: exit 78 or 2 naming the field, checked before any lock, run row or table', () => {
  it.each([
    [
      'bare % in DATABASE_URL',
      ['ping'],
      (db: string) => ({ DATABASE_URL: `mysql://root:${SECRET}@127.0.0.1:${TEST_DB.port}/${db}` }),
      78,
      /DATABASE_URL: .*%25/,
    ],
    [
      'timer past 2^31 ms',
      ['ping'],
      () => ({ DBKEEPER_CONFIG: configFile({ guards: { statementTimeoutSeconds: 3_000_000 } }) }),
      78,
      /guards\.statementTimeoutSeconds: must be at most 2147483/,
    ],
    [
      'unwritable REPORT_OUTBOX',
      ['ping'],
      () => ({ REPORT_OUTBOX: join(fileInTheWay(), 'outbox') }),
      78,
      /report\.outboxDir \(REPORT_OUTBOX\): cannot create or write .*a-file\/outbox \(ENOTDIR\)/,
    ],
    [
      '--month 2026-13',
      ['performance-review', '--month', '2026-13'],
      () => ({}),
      2,
      /performance-review: --month: must be YYYY-MM/,
    ],
    [
      '--print-migration yes',
      ['partitions', '--print-migration', 'yes'],
      () => ({}),
      2,
      /partitions: --print-migration takes no value \(got "yes"\)/,
    ],
    [
      '--maintenance-window=false',
      ['table-maintenance', '--maintenance-window=false'],
      () => ({}),
      2,
      /table-maintenance: --maintenance-window takes no value \(got "false"\)/,
    ],
    ['--at 2026-02-30', ['ping', '--dry-run', '--at', '2026-02-30T00:00:00Z'], () => ({}), 2, /--at: not an ISO time/],
  ])('%s', async (_what, args, extra, code, message) => {
    const fresh = await createTestSchema();
    try {
      const run = await runCli(args, { DB_DATABASE: fresh.name, ...extra(fresh.name) });
      expect(run.code).toBe(code);
      expect(run.stderr).toMatch(message);
      expect(run.stdout + run.stderr).not.toContain(SECRET);
      expect(await tablesIn(fresh.name)).toEqual([]);
    } finally {
      await fresh.drop();
    }
  });

  it('no rights on DBKEEPER_SCHEMA: exit 78 at once, naming the missing grant', async () => {
    const fresh = await createTestSchema();
    const user = `${t.name}_g`;
    const accounts = [`'${user}'@'127.0.0.1'`, `'${user}'@'localhost'`];
    for (const a of accounts) {
      await t.admin.query(`CREATE USER ${a} IDENTIFIED BY 'pw-Grant-1'`);
      await t.admin.query(`GRANT SELECT ON \`${t.name}\`.* TO ${a}`);
    }
    try {
      const started = Date.now();
      const run = await runCli(['ping'], {
        DB_DATABASE: t.name,
        DB_USERNAME: user,
        DB_PASSWORD: 'pw-Grant-1',
        DBKEEPER_SCHEMA: fresh.name,
      });
      expect(run.code).toBe(78);
      expect(run.stderr).toContain(
        `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER ON \`${fresh.name}\`.* TO '${user}'@'`,
      );
      expect(run.stderr).toMatch(/DBKEEPER_SCHEMA/);
      expect(run.stderr).not.toContain('pw-Grant-1');
      expect(Date.now() - started).toBeLessThan(20_000); // safety bound: no retry loop
      expect(await tablesIn(fresh.name)).toEqual([]);
    } finally {
      for (const a of accounts) await t.admin.query(`DROP USER ${a}`);
      await fresh.drop();
    }
  });
});
