import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { ensureMigrations } from '../../src/db/migrations.js';
import { runHistoryMigrations } from '../../src/db/run-history.js';
import { previousSlot } from '../../src/scheduler/cron-slots.js';
import { runCli } from '../helpers/run-cli.js';
import { lockName } from '../../src/db/named-lock.js';
import { adminConnection, createTestSchema, type TestSchema } from '../helpers/test-db.js';

const SCHEDULE = '0 * * * *';
const GRACE = 600;
let t: TestSchema;
let env: Record<string, string>;

function configFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dbkeeper-check-')), 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** Only ping is enabled, hourly, with 10 minutes of grace. */
const jobsConfig = Object.fromEntries(
  ALL_JOBS.map((j) => [j.name, j.name === 'ping' ? { schedule: SCHEDULE } : { enabled: false }]),
);

async function insertRun(
  at: Date,
  status: string,
  extra: { errorClass?: string; errorMessage?: string; summary?: string } = {},
): Promise<number> {
  const [res] = await t.admin.query<RowDataPacket[]>(
    `INSERT INTO dbkeeper_runs (job, scheduled_for, \`trigger\`, dry_run, evaluated_at, host, pid, started_at, finished_at, status,
       error_class, error_message, summary) VALUES ('ping', ?, 'schedule', 0, ?, 'h', 1, ?, ?, ?, ?, ?, ?)`,
    [
      at,
      at,
      at,
      new Date(at.getTime() + 1000),
      status,
      extra.errorClass ?? null,
      extra.errorMessage ?? null,
      extra.summary ?? null,
    ],
  );
  return (res as unknown as { insertId: number }).insertId;
}

/** The latest ping slot whose grace has passed, as the check computes it. */
const dueSlot = () => previousSlot(SCHEDULE, 'Etc/UTC', new Date(Date.now() - GRACE * 1000))!;
const minutes = (n: number) => n * 60_000;

beforeAll(async () => {
  t = await createTestSchema();
  env = { DB_DATABASE: t.name, DBKEEPER_CONFIG: configFile({ status: { graceSeconds: GRACE }, jobs: jobsConfig }) };
});
afterAll(async () => {
  await t?.drop();
});

describe('status --check (plugin convention)', () => {
  it('fresh install: WARNING (no runs yet) and nothing created', async () => {
    const run = await runCli(['status', '--check'], env);
    expect(run.stdout.split('\n')[0]).toMatch(/^DBKEEPER WARNING - dbkeeper_runs has no runs/);
    expect(run.code).toBe(1);
    const [tables] = await t.admin.query<RowDataPacket[]>(
      'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
      [t.name],
    );
    expect(tables).toHaveLength(0);
  });

  describe('with history', () => {
    beforeAll(async () => {
      await ensureMigrations(t.admin, t.name, runHistoryMigrations);
    });
    beforeEach(async () => {
      await t.admin.query('DELETE FROM dbkeeper_runs');
    });

    it('ok: the latest slot has a done run → 0, one line', async () => {
      await insertRun(new Date(dueSlot().getTime() - minutes(120)), 'ok');
      await insertRun(new Date(Date.now() - minutes(1)), 'ok');
      const run = await runCli(['status', '--check'], env);
      expect(run.stdout).toBe('DBKEEPER OK - 1 enabled job ran on time | jobs=1 critical=0 warning=0\n');
      expect(run.code).toBe(0);
    });

    it('late: the slot past its grace has no run, the one before has → 1 WARNING', async () => {
      await insertRun(new Date(dueSlot().getTime() - minutes(30)), 'ok');
      const run = await runCli(['status', '--check'], env);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^DBKEEPER WARNING - ping: late: slot \S+ has no done run/);
      expect(lines[0]).toMatch(/\| jobs=1 critical=0 warning=1$/);
      expect(lines[1]).toMatch(
        new RegExp(
          `^WARNING ping: late: slot ${dueSlot().toISOString().replace('.000Z', 'Z')} has no done run .*grace 600 s`,
        ),
      );
      expect(run.code).toBe(1);
    });

    it('overdue by a whole period: two slots without a run → 2 CRITICAL', async () => {
      await insertRun(new Date(dueSlot().getTime() - minutes(130)), 'ok');
      const run = await runCli(['status', '--check'], env);
      expect(run.stdout).toMatch(/^DBKEEPER CRITICAL - ping: overdue by a whole period/);
      expect(run.code).toBe(2);
    });

    it('failed: the last run failed → 2 CRITICAL with its error, one line per problem', async () => {
      await insertRun(new Date(Date.now() - minutes(3)), 'ok');
      const id = await insertRun(new Date(Date.now() - minutes(2)), 'failed', {
        errorClass: 'ClockSkew',
        errorMessage: 'host clock 90 s ahead',
      });
      const run = await runCli(['status', '--check'], env);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        new RegExp(
          `^DBKEEPER CRITICAL - ping: last run #${id} failed at \\S+: ClockSkew: host clock 90 s ahead \\| jobs=1 critical=1`,
        ),
      );
      expect(lines).toHaveLength(2);
      expect(run.code).toBe(2);
    });

    it('warning: the last run warned → 1 WARNING with its summary', async () => {
      await insertRun(new Date(Date.now() - minutes(1)), 'warning', {
        summary: JSON.stringify({ status: 'warning', summary: '3 tables over budget' }),
      });
      const run = await runCli(['status', '--check'], env);
      expect(run.stdout).toMatch(
        /^DBKEEPER WARNING - ping: last run #\d+ at \S+ needs attention: 3 tables over budget/,
      );
      expect(run.code).toBe(1);
    });
  });

  describe('a run recorded running', () => {
    beforeEach(async () => {
      await t.admin.query('DELETE FROM dbkeeper_runs');
      await insertRun(new Date(dueSlot().getTime() - minutes(30)), 'ok');
      await t.admin.query(
        `INSERT INTO dbkeeper_runs (job, scheduled_for, \`trigger\`, dry_run, evaluated_at, host, pid, started_at, status)
         VALUES ('ping', ?, 'schedule', 0, ?, 'h', 1, ?, 'running')`,
        [dueSlot(), dueSlot(), dueSlot()],
      );
    });

    it('by a live worker (its lock held) covers its slot → 0', async () => {
      const holder = await adminConnection();
      try {
        await holder.query('SELECT GET_LOCK(?, 0)', [lockName(t.name, 'ping')]);
        const run = await runCli(['status', '--check'], env);
        expect(run.stdout).toMatch(/^DBKEEPER OK - /);
        expect(run.code).toBe(0);
      } finally {
        await holder.end();
      }
    });

    it('with its lock free (the worker died) → 2 CRITICAL, and the slot is late', async () => {
      const run = await runCli(['status', '--check'], env);
      expect(run.stdout).toMatch(
        /^DBKEEPER CRITICAL - ping: a run started \S+ is recorded running but its lock is free: the worker running it died/,
      );
      expect(run.stdout).toMatch(/\nWARNING ping: late: /);
      expect(run.code).toBe(2);
    });
  });

  describe('UNKNOWN (3): the check itself cannot be made', () => {
    it('database unreachable', async () => {
      const run = await runCli(['status', '--check'], { ...env, DB_PORT: '1' });
      expect(run.stdout).toMatch(/^DBKEEPER UNKNOWN - database: /);
      expect(run.code).toBe(3);
    });
    it('bad configuration, naming the field', async () => {
      const run = await runCli(['status', '--check'], {
        ...env,
        DBKEEPER_CONFIG: configFile({ status: { graceSeconds: -5 } }),
      });
      expect(run.stdout).toMatch(/^DBKEEPER UNKNOWN - configuration: .*status\.graceSeconds/);
      expect(run.code).toBe(3);
    });
    it('bad arguments', async () => {
      const run = await runCli(['status', '--check', '--bogus'], env);
      expect(run.stdout).toMatch(/^DBKEEPER UNKNOWN - usage: status: unknown argument --bogus/);
      expect(run.code).toBe(3);
    });
  });
});
