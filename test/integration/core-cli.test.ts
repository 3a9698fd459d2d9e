import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockName } from '../../src/db/named-lock.js';
import { runCli } from '../helpers/run-cli.js';
import { adminConnection, createTestSchema, type TestSchema } from '../helpers/test-db.js';

let t: TestSchema;
let env: Record<string, string>;

beforeAll(async () => {
  t = await createTestSchema();
  env = { DB_DATABASE: t.name };
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

function configFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dbkeeper-cli-')), 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('npm run job -- …', () => {
  it('list: jobs with schedules and next run times, without touching the database', async () => {
    const run = await runCli(['list', '--json'], { ...env, DB_PORT: '1' });
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as { job: string; schedule: string; nextRun: string }[];
    const ping = rows.find((r) => r.job === 'ping')!;
    expect(ping.schedule).toBe('15 3 * * *');
    expect(new Date(ping.nextRun).getTime()).toBeGreaterThan(Date.now());
  });

  it('ping --json: the result alone on stdout, logs on stderr', async () => {
    const run = await runCli(['ping', '--json'], env);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      status: string;
      details: { flavor: string; version: string };
      run: { runId: number; trigger: string };
    };
    expect(out.status).toBe('ok');
    expect(['mysql', 'mariadb']).toContain(out.details.flavor);
    expect(out.run.trigger).toBe('manual');
    expect(run.stderr).toContain('"msg":"run finished"');
    const [rows] = await t.admin.query<RowDataPacket[]>('SELECT status FROM dbkeeper_runs WHERE id = ?', [
      out.run.runId,
    ]);
    expect(rows[0]!.status).toBe('ok');
  });

  it('status: the last run of each job', async () => {
    const run = await runCli(['status', '--json'], env);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as { job: string; lastStatus: string | null; lastHost: string | null }[];
    expect(rows.find((r) => r.job === 'ping')).toMatchObject({
      lastStatus: 'ok',
      lastHost: expect.stringMatching(/:\d+$/),
    });
  });

  it('exits 75 when another worker holds the job lock', async () => {
    const holder: Connection = await adminConnection();
    try {
      const [got] = await holder.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got', [lockName(t.name, 'ping')]);
      expect(Number(got[0]!.got)).toBe(1);
      const run = await runCli(['ping'], env);
      expect(run.code).toBe(75);
      expect(run.stdout).toMatch(/ping: SKIPPED/);
      expect(run.stdout).toMatch(/skipped: locked by another session/);
    } finally {
      await holder.end();
    }
  });

  it('exits 2 on a usage error', async () => {
    const run = await runCli(['ping', '--bogus'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/ping: unknown flag --bogus/);
  });

  describe('bad configuration: exit 78, every field named, nothing written', () => {
    it.each([
      ['unknown key', { DBKEEPER_CONFIG: () => configFile({ jobz: {} }) }, /jobz: unknown key/],
      ['wrong type', { DB_PORT: () => 'many' }, /db\.port \(from DB_PORT\)/],
      [
        'invalid cron expression',
        { DBKEEPER_CONFIG: () => configFile({ jobs: { ping: { schedule: 'every day' } } }) },
        /jobs\.ping\.schedule: is not a valid cron expression/,
      ],
      [
        'a schema name with a trailing space',
        { DBKEEPER_SCHEMA: () => 'ops ' },
        /schema \(from DBKEEPER_SCHEMA\): must not end with a space/,
      ],
      [
        'an empty table name',
        { DBKEEPER_CONFIG: () => configFile({ jobs: { partitions: { tables: [''] } } }) },
        /jobs\.partitions\.tables\.0: must not be empty/,
      ],
      [
        'a table name of 65 characters',
        {
          DBKEEPER_CONFIG: () =>
            configFile({
              jobs: {
                'purge-locks': {
                  targets: [
                    { table: 'l'.repeat(65), expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'server' },
                  ],
                },
              },
            }),
        },
        /jobs\.purge-locks\.targets\.0\.table: must be at most 64 characters/,
      ],
      [
        'a column name with NUL',
        { DBKEEPER_CONFIG: () => configFile({ jobs: { partitions: { column: 'created\u0000at' } } }) },
        /jobs\.partitions\.column: must not contain a NUL character/,
      ],
    ])('%s', async (_what, extra, message) => {
      const fresh = await createTestSchema();
      try {
        const run = await runCli(['ping'], {
          DB_DATABASE: fresh.name,
          ...Object.fromEntries(Object.entries(extra).map(([k, f]) => [k, f()])),
        });
        expect(run.code).toBe(78);
        expect(run.stderr).toMatch(message);
        expect(run.stdout).toBe('');
        expect(await tablesIn(fresh.name)).toEqual([]);
      } finally {
        await fresh.drop();
      }
    });
  });

  it('wrong password: a clear error, and the password appears nowhere in the output', async () => {
    const user = `${t.name}_u`;
    const password = 'Wr0ng-Pass-Sentinel-42';
    await t.admin.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY 'the-right-one-9'`);
    await t.admin.query(`CREATE USER '${user}'@'localhost' IDENTIFIED BY 'the-right-one-9'`);
    try {
      const run = await runCli(['ping'], { ...env, DB_USERNAME: user, DB_PASSWORD: password, LOG_LEVEL: 'trace' });
      expect(run.code).toBe(78); // a password to fix, not an outage: pm2 must not restart it forever
      expect(run.stderr).toMatch(
        new RegExp(`access denied for user '${user}' at 127\\.0\\.0\\.1:\\d+: check DB_USERNAME and DB_PASSWORD`),
      );
      expect(run.stdout + run.stderr).not.toContain(password);
      const viaUrl = await runCli(['ping'], {
        DATABASE_URL: `mysql://${user}:${password}@127.0.0.1:3306/${t.name}`,
        DB_USERNAME: '',
        DB_PASSWORD: '',
      });
      expect(viaUrl.stdout + viaUrl.stderr).not.toContain(password);
    } finally {
      await t.admin.query(`DROP USER '${user}'@'127.0.0.1'`);
      await t.admin.query(`DROP USER '${user}'@'localhost'`);
    }
  });
});
