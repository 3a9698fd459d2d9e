import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { cliMain } from '../../src/cli/cli-main.js';
import { apiCallLogsTableSql, appointmentLocksTableSql } from '../../src/demo/platform-tables.js';
import { lockName } from '../../src/db/named-lock.js';
import { adminConnection, createTestSchema, TEST_DB, type TestSchema } from '../helpers/test-db.js';

let t: TestSchema;
let holder: Connection;

beforeAll(async () => {
  t = await createTestSchema();
  // The platform's tables exist; dbkeeper's own do not (a fresh install).
  await t.admin.query(appointmentLocksTableSql('appointment_locks'));
  const now = new Date();
  const bounds = [-1, 0, 1, 2].map((m) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + m, 1) / 1000);
  await t.admin.query(
    apiCallLogsTableSql('api_call_logs', [
      ...bounds.map((b, i) => `PARTITION p${i} VALUES LESS THAN (${b})`),
      'PARTITION pmax VALUES LESS THAN MAXVALUE',
    ]),
  );
  holder = await adminConnection();
});
afterAll(async () => {
  await holder?.end();
  await t?.drop();
});

async function dbkeeperTables(): Promise<string[]> {
  const [r] = await t.admin.query<RowDataPacket[]>(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'dbkeeper\\_%'",
    [t.name],
  );
  return r.map((x) => String(x.name));
}

async function dryRun(job: string, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const env = {
    DB_HOST: TEST_DB.host,
    DB_PORT: String(TEST_DB.port),
    DB_USERNAME: TEST_DB.user,
    DB_PASSWORD: TEST_DB.password,
    DB_DATABASE: t.name,
    LOG_LEVEL: 'warn',
    REPORT_OUTBOX: `/tmp/dbkeeper-test-outbox-${t.name}`,
  };
  const code = await cliMain([job, '--dry-run', '--json', ...extra], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    env,
    isTty: false,
  });
  return { code, stdout, stderr };
}

describe('--dry-run writes nothing', () => {
  it.each(ALL_JOBS.map((j) => j.name))(
    '%s: plans while another session holds its lock, and leaves no dbkeeper table, row or lock',
    async (job) => {
      const name = lockName(t.name, job);
      const [got] = await holder.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got', [name]);
      expect(Number(got[0]!.got)).toBe(1);
      try {
        const run = await dryRun(job);
        const out = JSON.parse(run.stdout) as {
          status: string;
          summary: string;
          run: { runId: number | null; dryRun: boolean; skip?: unknown };
        };
        expect(out.run.dryRun).toBe(true);
        expect(out.run.runId).toBeNull();
        expect(out.run.skip).toBeUndefined();
        expect(out.status).not.toBe('skipped');
        expect(out.status).not.toBe('failed');
        expect(out.summary).toEqual(expect.any(String));
        expect(run.code).toBe(0);
      } finally {
        await holder.query('SELECT RELEASE_LOCK(?)', [name]);
      }
      expect(await dbkeeperTables()).toEqual([]);
    },
  );

  it('--email of a dry run: the report is built without dbkeeper_runs (no trend, no warning), and still nothing is created', async () => {
    const run = await dryRun('ping', ['--email']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/report written to .*\.eml/);
    expect(run.stderr).not.toContain('could not read the previous runs');
    expect(await dbkeeperTables()).toEqual([]);
  });
});
