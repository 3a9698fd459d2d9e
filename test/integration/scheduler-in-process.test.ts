import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { connectApp, type App } from '../../src/app/bootstrap.js';
import type { Plain } from '../../src/config/deep-merge.js';
import { loadConfig } from '../../src/config/load-config.js';
import { defineJob, type Period } from '../../src/job/job-contract.js';
import { z } from 'zod';
import type { RunOutcome } from '../../src/runner/run-outcome.js';
import { previousSlot } from '../../src/scheduler/cron-slots.js';
import { runWorker } from '../../src/scheduler/run-worker.js';
import { Scheduler, type SchedulerReporter } from '../../src/scheduler/scheduler.js';
import { jobs as fixtureJobs } from '../fixtures/test-jobs.mjs';
import { workerEnv, writeWorkerConfig } from '../fixtures/worker-process.js';
import { tcpProxy } from '../helpers/tcp-proxy.js';
import { createTestSchema, silentLogger, TEST_DB, type TestSchema } from '../helpers/test-db.js';

/** Did its work, but a person must hear of it now (a purge a replica kept from running). */
const alertingJob = defineJob({
  name: 'alerting',
  description: 'test: ends with a warning that asks for an alert',
  period: 'daily',
  schedule: '0 0 1 1 *',
  configSchema: z.object({}),
  writes: false,
  run: async () => ({ status: 'warning', summary: 'held back', alert: 'purge stopped while waiting for a replica' }),
});

const JOBS = [...ALL_JOBS, ...fixtureJobs, alertingJob];

/** Every real job off, the listed ones on. */
function jobSections(on: Record<string, Record<string, unknown>>): Plain {
  const sections: Plain = {};
  for (const job of ALL_JOBS) sections[job.name] = { enabled: false };
  sections.slow = { enabled: false, schedule: '0 0 1 1 *', catchUp: false, seconds: 1, ignoreAbort: false };
  sections.tick = { enabled: false, schedule: '0 0 1 1 *', catchUp: false };
  sections.fail = { enabled: false, schedule: '0 0 1 1 *', catchUp: false };
  sections.alerting = { enabled: false, schedule: '0 0 1 1 *', catchUp: false };
  for (const [k, v] of Object.entries(on)) sections[k] = { ...(sections[k] as Plain), enabled: true, ...v };
  return sections;
}

async function appFor(schema: string, on: Record<string, Record<string, unknown>>): Promise<App> {
  const config = loadConfig({
    jobs: JOBS,
    env: {},
    overrides: {
      db: { ...TEST_DB, database: schema, connectRetries: 0 },
      log: { level: 'silent' },
      report: { outboxDir: `/tmp/dbkeeper-test-outbox-${schema}` },
      jobs: jobSections(on),
    },
  });
  return connectApp(config, silentLogger(), { jobs: JOBS });
}

interface Calls {
  summaries: { period: Period; outcomes: RunOutcome[] }[];
  alerts: RunOutcome[];
  retries: number;
}
function fakeReporter(failFirstSummary = false): SchedulerReporter & { calls: Calls } {
  const calls: Calls = { summaries: [], alerts: [], retries: 0 };
  let first = true;
  return {
    calls,
    async sendSummary(period, outcomes) {
      calls.summaries.push({ period: period as Period, outcomes: [...outcomes] });
      if (failFirstSummary && first) {
        first = false;
        throw new Error('SMTP exploded');
      }
    },
    async sendAlert(outcome) {
      calls.alerts.push(outcome);
    },
    async sendOutageAlert() {},
    async retryPending() {
      calls.retries += 1;
    },
  };
}

describe('scheduler in process', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema();
    // dbkeeper's tables, so each test can start from an empty history.
    await (await appFor(schema.name, {})).db.close();
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('one summary per slot holding every job due at that instant; an alert per failure; a failing reporter changes nothing', async () => {
    const app = await appFor(schema.name, { tick: { schedule: '* * * * * *' }, fail: { schedule: '*/2 * * * * *' } });
    const reporter = fakeReporter(true);
    const scheduler = new Scheduler({ app, reporter });
    scheduler.start();
    await sleep(5_200);
    await scheduler.stop(10_000);

    const { summaries, alerts } = reporter.calls;
    const [rows] = await schema.admin.query<RowDataPacket[]>(
      'SELECT id, job, scheduled_for FROM dbkeeper_runs ORDER BY id',
    );
    const jobsBySlot = new Map<string, string[]>();
    for (const r of rows) {
      const key = (r.scheduled_for as Date).toISOString();
      jobsBySlot.set(key, [...(jobsBySlot.get(key) ?? []), String(r.job)].sort());
    }
    // Exactly one summary per slot that ran, holding exactly that slot's runs.
    const bySummary = summaries.map((s) => {
      const slot = s.outcomes[0]!.scheduledFor.toISOString();
      expect(s.period).toBe('daily');
      expect(s.outcomes.every((o) => o.scheduledFor.toISOString() === slot)).toBe(true);
      return [slot, s.outcomes.map((o) => o.job).sort()] as const;
    });
    expect(new Map(bySummary)).toEqual(jobsBySlot);
    expect(bySummary).toHaveLength(jobsBySlot.size);
    // Even seconds hold tick and fail together; the first summary threw and later ones still came.
    expect(bySummary.some(([, jobs]) => jobs.length === 2)).toBe(true);
    expect(summaries.length).toBeGreaterThanOrEqual(3);
    // One alert per fail run (failed, or interrupted if the stop caught it), none for tick.
    const failIds = rows.filter((r) => r.job === 'fail').map((r) => Number(r.id));
    expect(failIds.length).toBeGreaterThanOrEqual(2);
    expect(alerts.map((a) => a.runId)).toEqual(failIds);
    for (const a of alerts) {
      expect(['failed', 'interrupted']).toContain(a.status);
      expect(a.error?.message).toMatch(/^fixture failure/);
    }
  });

  it('a run that did not fail but asks for an alert (JobResult.alert) gets one', async () => {
    const app = await appFor(schema.name, { alerting: { schedule: '* * * * * *' } });
    const reporter = fakeReporter();
    const scheduler = new Scheduler({ app, reporter });
    scheduler.start();
    await sleep(2_200);
    await scheduler.stop(10_000);
    const { alerts } = reporter.calls;
    expect(alerts.length).toBeGreaterThanOrEqual(1);
    expect(
      alerts.every(
        (a) =>
          a.job === 'alerting' &&
          a.status === 'warning' &&
          a.result?.alert === 'purge stopped while waiting for a replica',
      ),
    ).toBe(true);
  });

  it('catch-up at start: down over several slots runs only the latest, once, recorded as catch-up', async () => {
    await schema.admin.query('DELETE FROM dbkeeper_runs');
    const schedule = '0 * * * *';
    const latest = previousSlot(schedule, 'Etc/UTC', new Date())!;
    const lastDone = new Date(latest.getTime() - 5 * 3_600_000);
    await schema.admin.query(
      `INSERT INTO dbkeeper_runs (job, scheduled_for, \`trigger\`, dry_run, evaluated_at, host, pid, started_at, finished_at, status)
       VALUES ('tick', ?, 'schedule', 0, ?, 'old-host', 1, ?, ?, 'ok')`,
      [lastDone, lastDone, lastDone, lastDone],
    );
    const app = await appFor(schema.name, { tick: { schedule, catchUp: true }, fail: { schedule, catchUp: false } });
    const reporter = fakeReporter();
    const scheduler = new Scheduler({ app, reporter });
    scheduler.start();
    await scheduler.requestCatchUp('start-up');
    await scheduler.requestCatchUp('again');
    await scheduler.stop(10_000);

    const [rows] = await schema.admin.query<RowDataPacket[]>(
      "SELECT job, scheduled_for, `trigger`, status FROM dbkeeper_runs WHERE host <> 'old-host' ORDER BY id",
    );
    expect(rows.map((r) => [r.job, (r.scheduled_for as Date).toISOString(), r.trigger, r.status])).toEqual([
      ['tick', latest.toISOString(), 'catch-up', 'ok'],
    ]);
    expect(reporter.calls.summaries.map((s) => s.outcomes.map((o) => [o.job, o.trigger]))).toEqual([
      [['tick', 'catch-up']],
    ]);
  });

  it('a late wake-up (event loop blocked over a slot) emits execution:missed and the missed slot runs once as catch-up', async () => {
    await schema.admin.query('DELETE FROM dbkeeper_runs');
    const app = await appFor(schema.name, { tick: { schedule: '*/5 * * * * *', catchUp: true } });
    const scheduler = new Scheduler({ app, reporter: fakeReporter() });
    scheduler.start();
    const rowsOf = async () => {
      const [r] = await schema.admin.query<RowDataPacket[]>(
        "SELECT scheduled_for, `trigger` FROM dbkeeper_runs WHERE job = 'tick' ORDER BY scheduled_for",
      );
      return r.map((x) => [(x.scheduled_for as Date).toISOString(), x.trigger as string]);
    };
    for (let i = 0; i < 80 && (await rowsOf()).length === 0; i++) await sleep(100);
    expect(await rowsOf()).toHaveLength(1);
    // Block from 0.5 s before the next slot to 2 s after it (node-cron tolerates 1 s).
    const slot = Math.ceil((Date.now() + 1_000) / 5_000) * 5_000;
    await sleep(slot - 500 - Date.now());
    while (Date.now() < slot + 2_000) {
      /* a stalled process */
    }
    for (let i = 0; i < 50 && (await rowsOf()).length < 2; i++) await sleep(100);
    await scheduler.stop(10_000);
    const rows = await rowsOf();
    expect(rows.slice(1)).toEqual([[new Date(slot).toISOString(), 'catch-up']]);
  });

  it('database down at start and gone between runs: no crash, one log line per state change, runs resume when it is back', async () => {
    await schema.admin.query('DELETE FROM dbkeeper_runs');
    const proxy = await tcpProxy(TEST_DB.host, TEST_DB.port, { open: false });
    const { path } = writeWorkerConfig(
      schema.name,
      { tick: { enabled: true, schedule: '* * * * * *', catchUp: false } },
      { log: { level: 'debug' } },
    );
    const lines: Record<string, unknown>[] = [];
    const stop = new AbortController();
    let ready = false;
    const worker = runWorker({
      env: workerEnv(path, { DB_PORT: String(proxy.port) }),
      extraJobs: fixtureJobs,
      makeReporter: () => fakeReporter(),
      logSink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
      stopSignal: stop.signal,
      ready: () => {
        ready = true;
      },
    });
    const count = (re: RegExp) => lines.filter((l) => typeof l.msg === 'string' && re.test(l.msg)).length;
    const tickRows = async () => {
      const [r] = await schema.admin.query<RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM dbkeeper_runs WHERE job = 'tick' AND status = 'ok'",
      );
      return Number(r[0]!.n);
    };

    await sleep(2_500);
    expect(ready).toBe(false);
    expect(count(/connection refused/)).toBe(1);
    await proxy.open();
    for (let i = 0; i < 100 && !ready; i++) await sleep(100);
    expect(ready).toBe(true);
    await sleep(2_500);
    const beforeCut = await tickRows();
    expect(beforeCut).toBeGreaterThanOrEqual(1);

    await proxy.close();
    await sleep(3_500);
    expect(await tickRows()).toBe(beforeCut);
    expect(count(/^database unreachable/)).toBe(1);

    await proxy.open();
    for (let i = 0; i < 100 && count(/^database reachable again/) === 0; i++) await sleep(100);
    expect(count(/^database reachable again/)).toBe(1);
    await sleep(2_500);
    expect(await tickRows()).toBeGreaterThan(beforeCut);

    stop.abort();
    expect(await worker).toBe(0);
    await proxy.close();
  });
});
