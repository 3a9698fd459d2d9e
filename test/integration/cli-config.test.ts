import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

function configFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dbkeeper-cli-config-')), 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

const DB_SECRET = 'pw-9f2c71-db';
const SMTP_SECRET = 'pw-4be0d3-smtp';

describe('npm run job -- config', () => {
  // DB_PORT 1: nothing listens there, so a command that tried the database would fail.
  const file = configFile({ db: { poolMax: 40 }, jobs: { partitions: { retentionMonths: 9 } } });
  const env = {
    DB_PORT: '1',
    DBKEEPER_CONFIG: file,
    DB_PASSWORD: DB_SECRET,
    SMTP_URL: `smtp://mailer:${SMTP_SECRET}@127.0.0.1:2525`,
    REPORT_TO: 'ops@example.com',
  };

  it('--json: each leaf with its source (default, file with its path, env with the variable), secrets masked', async () => {
    const run = await runCli(['config', '--json'], env);
    expect(run.code).toBe(0);
    const entries = JSON.parse(run.stdout) as Record<string, unknown>[];
    const at = (p: string) => entries.find((e) => e.path === p);
    expect(at('db.database')).toEqual({ path: 'db.database', value: 'test', source: 'default' });
    expect(at('jobs.ping.schedule')).toEqual({ path: 'jobs.ping.schedule', value: '15 3 * * *', source: 'default' });
    expect(at('jobs.partitions.retentionMonths')).toEqual({
      path: 'jobs.partitions.retentionMonths',
      value: 9,
      source: 'file',
      file,
    });
    expect(at('db.poolMax')).toEqual({ path: 'db.poolMax', value: 40, source: 'file', file });
    expect(at('db.port')).toEqual({ path: 'db.port', value: 1, source: 'env', variable: 'DB_PORT' });
    expect(at('db.password')).toEqual({
      path: 'db.password',
      value: '********',
      source: 'env',
      variable: 'DB_PASSWORD',
    });
    expect(at('report.smtp.url')).toMatchObject({
      value: 'smtp://mailer:********@127.0.0.1:2525',
      source: 'env',
      variable: 'SMTP_URL',
    });
    expect(run.stdout + run.stderr).not.toContain(DB_SECRET);
    expect(run.stdout + run.stderr).not.toContain(SMTP_SECRET);
  });

  it('text: one line a leaf naming its source; the passwords never appear', async () => {
    const run = await runCli(['config'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^db\.database = "test" +\(default\)$/m);
    expect(run.stdout).toMatch(
      new RegExp(
        `^jobs\\.partitions\\.retentionMonths = 9 +\\(file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`,
        'm',
      ),
    );
    expect(run.stdout).toMatch(/^db\.password = "\*+" +\(env DB_PASSWORD\)$/m);
    expect(run.stdout + run.stderr).not.toContain(DB_SECRET);
    expect(run.stdout + run.stderr).not.toContain(SMTP_SECRET);
  });

  it('an unknown key inside a job section: exit 78 naming it', async () => {
    const run = await runCli(['config'], {
      DB_PORT: '1',
      DBKEEPER_CONFIG: configFile({ jobs: { health: { largestTabels: 5 } } }),
    });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('jobs.health.largestTabels: unknown key');
  });
});
