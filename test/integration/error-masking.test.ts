import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { connectApp, type App } from '../../src/app/bootstrap.js';
import { defineJob } from '../../src/job/job-contract.js';
import { createReporter } from '../../src/report/create-reporter.js';
import { runJob } from '../../src/runner/run-job.js';
import { capturingLogger, createTestSchema, testConfig, type TestSchema } from '../helpers/test-db.js';
import { z } from 'zod';

const EMAIL = 'ann@example.com';

let t: TestSchema;
let app: App;
let outbox: string;

beforeAll(async () => {
  t = await createTestSchema();
  outbox = await mkdtemp(join(tmpdir(), 'dbkeeper-mask-'));
  await t.admin.query(
    'CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(190) NOT NULL, UNIQUE KEY uq_email (email)) ENGINE=InnoDB',
  );
  await t.admin.query('INSERT INTO customers (email) VALUES (?)', [EMAIL]);
  app = await connectApp(testConfig(t.name, { report: { outboxDir: outbox } }), capturingLogger().log, {
    jobs: ALL_JOBS,
  });
});
afterAll(async () => {
  await app?.db.close();
  await t?.drop();
  await rm(outbox, { recursive: true, force: true });
});

/** A job that fails the way an application write does: a real ER_DUP_ENTRY (1062) on a unique e-mail. */
const duplicateJob = defineJob({
  name: 'duplicate-email',
  description: 'test: inserts an e-mail that exists',
  period: 'daily',
  schedule: '0 3 * * *',
  configSchema: z.object({}),
  writes: true,
  async run(ctx) {
    await ctx.db.query(`INSERT INTO \`${t.name}\`.customers (email) VALUES (?)`, [EMAIL]);
    return { status: 'ok', summary: 'inserted' };
  },
});

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p)));
    else if (e.name.endsWith('.eml')) out.push(p);
  }
  return out;
}

describe('server error texts lose their quoted values', () => {
  it('a real 1062: the run row, the outcome, the log and the alert name the key but not the e-mail', async () => {
    const { log, lines } = capturingLogger();
    const outcome = await runJob({ db: app.db, config: app.config, log }, duplicateJob, {
      trigger: 'manual',
      dryRun: false,
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.error!.message).toMatch(/^Duplicate entry '\?' for key '\?'$/);
    const [rows] = await t.admin.query<RowDataPacket[]>(
      'SELECT error_class, error_message FROM dbkeeper_runs WHERE id = ?',
      [outcome.runId],
    );
    expect(rows[0]!.error_class).toBe(outcome.error!.class);
    const stored = String(rows[0]!.error_message);
    expect(stored).toMatch(/^Duplicate entry '\?' for key '\?'$/);
    expect(stored).not.toContain(EMAIL);
    expect(lines.join('\n')).toContain('Duplicate entry');
    expect(lines.join('\n')).not.toContain(EMAIL);

    await createReporter({ config: app.config, log, jobs: app.jobs, sender: null }).sendAlert(outcome);
    const letters = await files(outbox);
    expect(letters).toHaveLength(1);
    const raw = await readFile(letters[0]!, 'utf8');
    const mail = await simpleParser(raw);
    const parts = [raw, mail.text ?? '', String(mail.html), ...mail.attachments.map((a) => a.content.toString('utf8'))];
    expect(mail.text).toContain('Duplicate entry');
    expect(mail.attachments).toHaveLength(1);
    for (const p of parts) expect(p).not.toContain(EMAIL);
  });
});
