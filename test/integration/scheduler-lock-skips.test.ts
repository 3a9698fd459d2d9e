import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { connectApp, type App } from '../../src/app/bootstrap.js';
import type { Plain } from '../../src/config/deep-merge.js';
import { loadConfig } from '../../src/config/load-config.js';
import { lockName } from '../../src/db/named-lock.js';
import type { RunOutcome } from '../../src/runner/run-outcome.js';
import { runJob } from '../../src/runner/run-job.js';
import { Scheduler, type SchedulerReporter } from '../../src/scheduler/scheduler.js';
import { jobs as fixtureJobs } from '../fixtures/test-jobs.mjs';
import { adminConnection, createTestSchema, silentLogger, TEST_DB, type TestSchema } from '../helpers/test-db.js';

const JOBS = [...ALL_JOBS, ...fixtureJobs];

async function appFor(schema: string, on: Record<string, Record<string, unknown>>): Promise<App> {
  const sections: Plain = {};
  for (const job of ALL_JOBS) sections[job.name] = { enabled: false };
  sections.slow = { enabled: false, schedule: '0 0 1 1 *', catchUp: false, seconds: 1, ignoreAbort: false };
  sections.tick = { enabled: false, schedule: '0 0 1 1 *', catchUp: false };
  sections.fail = { enabled: false, schedule: '0 0 1 1 *', catchUp: false };
  for (const [k, v] of Object.entries(on)) sections[k] = { ...(sections[k] as Plain), enabled: true, ...v };
  const config = loadConfig({
    jobs: JOBS,
    env: {},
    overrides: {
      db: { ...TEST_DB, database: schema, connectRetries: 0 },
      log: { level: 'silent' },
      report: { outboxDir: `/tmp/dbkeeper-test-outbox-${schema}` },
      jobs: sections,
    },
  });
  return connectApp(config, silentLogger(), { jobs: JOBS });
}

function recordingReporter(): SchedulerReporter & { summaries: RunOutcome[][] } {
  const summaries: RunOutcome[][] = [];
  return {
    summaries,
    async sendSummary(_period, outcomes) {
      summaries.push([...outcomes]);
    },
    async sendAlert() {},
    async sendOutageAlert() {},
    async retryPending() {},
  };
}

/** A slot `lead` ms or more from now, on a whole second, and a 6-field UTC cron expression firing only then. */
function oneSlot(leadMs: number): { slot: Date; schedule: string } {
  const slot = new Date(Math.ceil((Date.now() + leadMs) / 1000) * 1000);
  return { slot, schedule: `${slot.getUTCSeconds()} ${slot.getUTCMinutes()} ${slot.getUTCHours()} * * *` };
}

async function rowsOf(schema: TestSchema, job: string) {
  const [r] = await schema.admin.query<RowDataPacket[]>('SELECT * FROM dbkeeper_runs WHERE job = ? ORDER BY id', [job]);
  return r.map((x) => ({
    id: Number(x.id),
    slot: (x.scheduled_for as Date).toISOString(),
    trigger: String(x.trigger),
    status: String(x.status),
    skip: x.skip_reason ? (JSON.parse(String(x.skip_reason)) as unknown) : null,
  }));
}

describe('a slot whose lock is held by someone else', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema();
    await (await appFor(schema.name, {})).db.close();
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('a real manual run running at the slot time covers the slot: a skipped row pointing at it, in the summary, never run twice', async () => {
    const { slot, schedule } = oneSlot(2_000); // 2–3 s ahead; the manual run lasts 6 s
    const app = await appFor(schema.name, { slow: { schedule, catchUp: true, seconds: 6 } });
    const slowJob = app.jobs.find((j) => j.name === 'slow')!;
    const reporter = recordingReporter();
    const scheduler = new Scheduler({ app, reporter, lockPollMs: 100 });
    const manual = runJob({ db: app.db, config: app.config, log: silentLogger() }, slowJob, {
      trigger: 'manual',
      dryRun: false,
    });
    scheduler.start();
    const manualOutcome = await manual;
    expect(manualOutcome.status).toBe('ok');
    for (let i = 0; i < 50 && reporter.summaries.length === 0; i++) await sleep(100);
    await scheduler.requestCatchUp('test: after the manual run');
    await scheduler.stop(10_000);

    const rows = await rowsOf(schema, 'slow');
    expect(rows).toEqual([
      {
        id: manualOutcome.runId,
        slot: manualOutcome.scheduledFor.toISOString(),
        trigger: 'manual',
        status: 'ok',
        skip: null,
      },
      {
        id: expect.any(Number),
        slot: slot.toISOString(),
        trigger: 'schedule',
        status: 'skipped',
        skip: { kind: 'covered-by-manual', runId: manualOutcome.runId },
      },
    ]);
    expect(reporter.summaries).toHaveLength(1);
    const [covered] = reporter.summaries[0]!;
    expect(covered).toMatchObject({
      job: 'slow',
      status: 'skipped',
      runId: rows[1]!.id,
      skip: { kind: 'covered-by-manual', runId: manualOutcome.runId },
    });
    expect(covered!.skippedReason).toContain(`manual run #${manualOutcome.runId}`);
  });

  it('a plain session holding the lock at the slot time: skipped (locked), then run by catch-up once the lock is free', async () => {
    await schema.admin.query('DELETE FROM dbkeeper_runs');
    const old = new Date(Date.now() - 86_400_000);
    await schema.admin.query(
      `INSERT INTO dbkeeper_runs (job, scheduled_for, \`trigger\`, dry_run, evaluated_at, host, pid, started_at, finished_at, status)
       VALUES ('tick', ?, 'schedule', 0, ?, 'old-host', 1, ?, ?, 'ok')`,
      [old, old, old, old],
    );
    const holder = await adminConnection();
    const name = lockName(schema.name, 'tick');
    await holder.query('SELECT GET_LOCK(?, 0)', [name]);
    const { slot, schedule } = oneSlot(1_500);
    const app = await appFor(schema.name, { tick: { schedule, catchUp: true } });
    const reporter = recordingReporter();
    const scheduler = new Scheduler({ app, reporter, lockPollMs: 100 });
    scheduler.start();
    try {
      await sleep(slot.getTime() - Date.now() + 1_000);
      // Skipped while the lock is held: no row for the slot yet.
      expect((await rowsOf(schema, 'tick')).filter((r) => r.slot === slot.toISOString())).toEqual([]);
      await holder.query('SELECT RELEASE_LOCK(?)', [name]);
      for (let i = 0; i < 50 && (await rowsOf(schema, 'tick')).length < 2; i++) await sleep(100);
    } finally {
      await holder.end();
      await scheduler.stop(10_000);
    }
    const rows = await rowsOf(schema, 'tick');
    expect(rows.slice(1).map((r) => [r.slot, r.trigger, r.status])).toEqual([[slot.toISOString(), 'catch-up', 'ok']]);
  });
});
