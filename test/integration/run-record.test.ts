import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pingJob } from '../../jobs/ping/job.js';
import type { App } from '../../src/app/bootstrap.js';
import { defineJob } from '../../src/job/job-contract.js';
import { runJob } from '../../src/runner/run-job.js';
import { collectCatchUpFacts } from '../../src/scheduler/catch-up-facts.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestSchema, silentLogger, testApp, type TestSchema } from '../helpers/test-db.js';

const EMAIL = 'jane.doe@example.com';
const HOUR = 3_600_000;

let t: TestSchema;
let app: App;
beforeAll(async () => {
  t = await createTestSchema();
  app = await testApp(t.name);
});
afterAll(async () => {
  await app?.db.close();
  await t?.drop();
});

class LockTableError extends Error {
  override name = 'LockTableError';
}

/** Fails like a server error does: its message quotes a customer's value. */
const failingJob = defineJob({
  name: 'ping',
  description: 'test fixture: fails quoting a value',
  period: 'daily',
  schedule: '15 3 * * *',
  configSchema: z.object({}),
  writes: false,
  async run() {
    throw new LockTableError(`Duplicate entry '${EMAIL}' for key 'uq_email': see the runbook`);
  },
});

async function runRow(id: number): Promise<RowDataPacket> {
  const [rows] = await t.admin.query<RowDataPacket[]>(
    'SELECT status, summary, error_class, error_message FROM dbkeeper_runs WHERE id = ?',
    [id],
  );
  return rows[0]!;
}

type StatusRow = { job: string; lastStatus: string; lastSummary: string; lastError: unknown };

/** `status --json` over the CLI: its exit code and stderr, and ping's row (the test asserts on them). */
async function cliStatus(): Promise<{ code: number | null; stderr: string; ping: StatusRow | undefined }> {
  const run = await runCli(['status', '--json'], {
    DB_DATABASE: t.name,
    DBKEEPER_ENV: 'ci',
    REPORT_OUTBOX: `/tmp/dbkeeper-test-outbox-${t.name}`,
  });
  const rows = run.code === 0 ? (JSON.parse(run.stdout) as StatusRow[]) : [];
  return { code: run.code, stderr: run.stderr, ping: rows.find((r) => r.job === 'ping') };
}

describe('one run record', () => {
  it('a warning run is stored as warning, and `status` shows it', async () => {
    // ping only reads: a host clock 2 h fast makes it go on with a warning.
    const slot = new Date(Date.UTC(2026, 0, 1, 3, 15));
    const o = await runJob(
      { db: app.db, config: app.config, log: silentLogger(), clock: () => new Date(Date.now() + 2 * HOUR) },
      pingJob,
      {
        trigger: 'schedule',
        scheduledFor: slot,
        dryRun: false,
      },
    );
    expect(o.status).toBe('warning');
    const row = await runRow(o.runId!);
    expect(row).toMatchObject({ status: 'warning', error_class: null, error_message: null });
    const status = await cliStatus();
    expect(status.code, status.stderr).toBe(0);
    expect(status.ping).toMatchObject({ lastStatus: 'warning', lastSummary: o.result!.summary, lastError: null });
    // A warning did the slot's work: catch-up counts it as done.
    expect((await collectCatchUpFacts(app.db.pool, app.db.schema, 'ping')).lastDone).toEqual(slot);
  });

  it("a failed run's class and message land in their columns, the quoted value masked", async () => {
    const o = await runJob({ db: app.db, config: app.config, log: silentLogger() }, failingJob, {
      trigger: 'manual',
      dryRun: false,
    });
    expect(o.status).toBe('failed');
    expect(o.error).toEqual({ class: 'LockTableError', message: "Duplicate entry '?' for key '?': see the runbook" });
    expect(await runRow(o.runId!)).toMatchObject({
      status: 'failed',
      summary: null,
      error_class: 'LockTableError',
      error_message: "Duplicate entry '?' for key '?': see the runbook",
    });
    const status = await cliStatus();
    expect(status.code, status.stderr).toBe(0);
    expect(status.ping).toMatchObject({
      lastStatus: 'failed',
      lastSummary: "LockTableError: Duplicate entry '?' for key '?': see the runbook",
      lastError: { class: 'LockTableError', message: "Duplicate entry '?' for key '?': see the runbook" },
    });
    expect(JSON.stringify(status.ping)).not.toContain(EMAIL);
  });
});
