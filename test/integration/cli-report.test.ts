import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobResult } from '../../src/job/job-contract.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';

let t: TestSchema;
let outbox: string;
let env: Record<string, string>;

beforeAll(async () => {
  t = await createTestSchema();
  outbox = mkdtempSync(join(tmpdir(), 'dbkeeper-cli-report-'));
  env = { DB_DATABASE: t.name, REPORT_OUTBOX: outbox, DBKEEPER_ENV: 'ci' };
  const first = await runCli(['ping'], env); // creates dbkeeper_runs
  expect(first.code).toBe(0);
});
afterAll(async () => {
  await t?.drop();
});

const emls = () => readdirSync(outbox).filter((f) => f.endsWith('.eml'));

function result(uptime: number, status: 'ok' | 'warning'): JobResult {
  return {
    status,
    summary: `uptime ${uptime} h`,
    ...(status === 'warning' ? { warnings: ['read_only is ON'] } : {}),
    sections: [
      {
        kind: 'figures',
        title: 'Server',
        figures: [
          { label: 'uptime', value: uptime, unit: 'h' },
          {
            label: 'read_only',
            value: status === 'warning' ? 'ON' : 'OFF',
            threshold: 'OFF',
            status: status === 'warning' ? 'fail' : 'ok',
          },
        ],
      },
    ],
  };
}

async function insertRun(at: string, r: JobResult, dryRun = false) {
  await t.admin.query(
    `INSERT INTO dbkeeper_runs (job, scheduled_for, \`trigger\`, dry_run, evaluated_at, host, pid, started_at, finished_at, status, summary)
     VALUES ('ping', ?, 'schedule', ?, ?, 'worker-1', 1, ?, ?, ?, ?)`,
    [
      new Date(at),
      dryRun ? 1 : 0,
      new Date(at),
      new Date(at),
      new Date(new Date(at).getTime() + 2500),
      r.status,
      JSON.stringify(r),
    ],
  );
}

describe('npm run job -- report --preview', () => {
  it('renders the last finished run of each job with the trend against the previous real run, and prints the path', async () => {
    await insertRun('2030-01-01T03:00:00Z', result(100, 'ok'));
    await insertRun('2030-01-01T03:30:00Z', result(1, 'ok'), true); // a dry run is never the comparison
    await insertRun('2030-01-02T03:00:00Z', result(124, 'warning'));
    const out = join(outbox, 'nested', 'preview.html');
    const run = await runCli(['report', '--preview', '--out', out], env);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(out);
    expect(run.stderr).toContain('[dbkeeper ci] preview: 1 WARNING');
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('uptime 124 h');
    expect(html).toContain('▲ +24 (was 100 h)');
    expect(html).toContain('was OFF');
    expect(html).toContain('read_only is ON');
    expect(html.indexOf('read_only')).toBeLessThan(html.indexOf('>uptime<'));
    expect(html).not.toMatch(/<script|\bsrc="/i);
  });

  it('defaults to an .html file in the outbox', async () => {
    const run = await runCli(['report', '--preview'], env);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(new RegExp(`^${outbox}/preview-\\d{8}T\\d{6}Z\\.html$`));
    expect(readFileSync(run.stdout.trim(), 'utf8')).toContain('<!DOCTYPE html>');
  });
});

describe('npm run job -- <job> --email', () => {
  it('emails (here: writes to the outbox) only with --email', async () => {
    const before = emls().length;
    expect((await runCli(['ping'], env)).code).toBe(0);
    expect(emls()).toHaveLength(before);

    const run = await runCli(['ping', '--email'], env);
    expect(run.code).toBe(0);
    const path = /report written to (\S+\.eml)/.exec(run.stderr)?.[1];
    expect(path).toBeDefined();
    const mail = await simpleParser(readFileSync(path!));
    expect(mail.subject).toBe('[dbkeeper ci] manual: OK');
    expect(mail.text).toContain('== ping: OK ==');
    expect(emls()).toHaveLength(before + 1);
  });

  it('keeps the exit code of the job when SMTP is down, queues the report and never prints the SMTP password', async () => {
    const secret = 'cli-Smtp-Secret-99';
    const run = await runCli(['ping', '--email'], {
      ...env,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: '1',
      SMTP_USER: 'u',
      SMTP_PASSWORD: secret,
      REPORT_TO: 'dba@example.test',
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('SMTP unavailable: report kept in');
    const pending = readdirSync(join(outbox, 'pending'));
    expect(pending).toHaveLength(1);
    for (const text of [run.stdout, run.stderr, readFileSync(join(outbox, 'pending', pending[0]!), 'utf8')])
      expect(text).not.toContain(secret);
  });

  it('rejects a bad recipient address at start-up with exit code 78, running nothing', async () => {
    const run = await runCli(['ping', '--email'], { ...env, REPORT_TO: 'dba@example.test, nobody' });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('report.to.1: is not a valid email address');
    expect(run.stdout).toBe('');
  });
});
