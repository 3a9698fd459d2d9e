import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { App } from '../../src/app/bootstrap.js';
import { lockName } from '../../src/db/named-lock.js';
import { defineJob, type AnyJob } from '../../src/job/job-contract.js';
import { runJob } from '../../src/runner/run-job.js';
import { createTestSchema, silentLogger, testApp, type TestSchema } from '../helpers/test-db.js';

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

function fixtureJob(name: string, run: AnyJob['run']): AnyJob {
  return defineJob({
    name,
    description: 'test fixture',
    period: 'daily',
    schedule: '* * * * *',
    configSchema: z.object({}),
    writes: false,
    run,
  });
}

async function rows(job: string): Promise<RowDataPacket[]> {
  const [r] = await t.admin.query<RowDataPacket[]>('SELECT * FROM dbkeeper_runs WHERE job = ? ORDER BY id', [job]);
  return r;
}

async function lockIsFree(job: string): Promise<boolean> {
  const [r] = await t.admin.query<RowDataPacket[]>('SELECT IS_FREE_LOCK(?) AS free', [lockName(t.name, job)]);
  return Number(r[0]!.free) === 1;
}

const deps = () => ({ db: app.db, config: app.config, log: silentLogger() });

describe('runJob', () => {
  it('lets exactly one of two racing runners run; the other is skipped as locked by host:pid', async () => {
    let running = 0;
    let maxConcurrent = 0;
    const job = fixtureJob('race', async () => {
      running += 1;
      maxConcurrent = Math.max(maxConcurrent, running);
      await sleep(400);
      running -= 1;
      return { status: 'ok', summary: 'ran' };
    });
    const slot = new Date('2026-11-30T03:15:00Z');
    const [a, b] = await Promise.all([
      runJob({ ...deps(), host: 'worker-a', pid: 1 }, job, { trigger: 'schedule', scheduledFor: slot, dryRun: false }),
      runJob({ ...deps(), host: 'worker-b', pid: 2 }, job, { trigger: 'schedule', scheduledFor: slot, dryRun: false }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual(['ok', 'skipped']);
    const loser = a.status === 'skipped' ? a : b;
    const winner = a.status === 'ok' ? a : b;
    expect(loser.skippedReason).toBe(`locked by ${winner.host}:${winner.pid}`);
    expect(loser.runId).toBeNull();
    expect(maxConcurrent).toBe(1);
    const recorded = await rows('race');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ status: 'ok', host: winner.host, trigger: 'schedule' });
    expect(await lockIsFree('race')).toBe(true);
  });

  it('never runs the same (job, scheduled_for) twice', async () => {
    let calls = 0;
    const job = fixtureJob('once', async () => {
      calls += 1;
      return { status: 'ok', summary: 'ran' };
    });
    const slot = new Date('2026-11-30T04:00:00Z');
    const first = await runJob(deps(), job, { trigger: 'schedule', scheduledFor: slot, dryRun: false });
    const second = await runJob({ ...deps(), host: 'other-host' }, job, {
      trigger: 'catch-up',
      scheduledFor: slot,
      dryRun: false,
    });
    expect(first.status).toBe('ok');
    expect(second).toMatchObject({ status: 'skipped', skippedReason: 'slot already ran', runId: null });
    expect(calls).toBe(1);
    expect(await rows('once')).toHaveLength(1);
  });

  it('records a job that throws as failed with its message, and releases the lock', async () => {
    const job = fixtureJob('boom', async () => {
      throw new TypeError('table appointment_locks has no expiry index');
    });
    const outcome = await runJob(deps(), job, { trigger: 'manual', dryRun: false });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toEqual({ class: 'TypeError', message: 'table appointment_locks has no expiry index' });
    const [row] = await rows('boom');
    expect(row).toMatchObject({
      status: 'failed',
      error_class: 'TypeError',
      error_message: 'table appointment_locks has no expiry index',
    });
    expect(row!.finished_at).toBeInstanceOf(Date);
    expect(await lockIsFree('boom')).toBe(true);
  });

  it('gives the job guarded session settings and its config, clock and dry-run flag', async () => {
    let seen: Record<string, unknown> = {};
    const at = new Date('2027-03-01T04:30:00Z');
    const job = fixtureJob('ping', async (ctx) => {
      const [r] = await ctx.db.query<RowDataPacket[]>(
        'SELECT @@session.lock_wait_timeout AS lwt, @@session.innodb_lock_wait_timeout AS ilwt, @@session.max_statement_time AS mst, @@session.time_zone AS tz',
      );
      seen = { ...r, now: ctx.now, dryRun: ctx.dryRun, config: ctx.config };
      return { status: 'ok', summary: 'seen' };
    });
    const outcome = await runJob(deps(), job, { trigger: 'manual', dryRun: true, at });
    expect(outcome.status).toBe('ok');
    expect(seen).toMatchObject({
      lwt: 5,
      ilwt: 5,
      mst: 600,
      tz: '+00:00',
      now: at,
      dryRun: true,
      config: { enabled: true, catchUp: false },
    });
    // A dry run writes no row: the outcome alone says what was evaluated.
    expect(await rows('ping')).toEqual([]);
    expect(outcome).toMatchObject({ runId: null, dryRun: true, evaluatedAt: at });
  });

  it('refuses --at without --dry-run', async () => {
    const job = fixtureJob('at-guard', async () => ({ status: 'ok', summary: 'should not run' }));
    await expect(runJob(deps(), job, { trigger: 'manual', dryRun: false, at: new Date() })).rejects.toThrow(
      /--dry-run only/,
    );
    expect(await rows('at-guard')).toHaveLength(0);
  });

  it('marks a run left running by a dead worker as interrupted when the lock is next taken', async () => {
    await t.admin.query(
      "INSERT INTO dbkeeper_runs (job, scheduled_for, `trigger`, dry_run, evaluated_at, host, pid, started_at, status) VALUES ('orphan', '2026-11-29 03:15:00', 'schedule', 0, '2026-11-29 03:15:00', 'dead-host', 99, '2026-11-29 03:15:00', 'running')",
    );
    const job = fixtureJob('orphan', async () => ({ status: 'ok', summary: 'ran' }));
    await runJob(deps(), job, { trigger: 'schedule', scheduledFor: new Date('2026-11-30T03:15:00Z'), dryRun: false });
    const recorded = await rows('orphan');
    expect(recorded.map((r) => r.status)).toEqual(['interrupted', 'ok']);
    expect(recorded[0]).toMatchObject({
      error_class: 'Orphaned',
      error_message: expect.stringMatching(/worker stopped before the run finished/),
    });
  });

  it('aborts the job when the connection holding its lock is lost', async () => {
    const job = fixtureJob('lost-lock', async (ctx) => {
      const [r] = await t.admin.query<RowDataPacket[]>('SELECT IS_USED_LOCK(?) AS holder', [
        lockName(t.name, 'lost-lock'),
      ]);
      await t.admin.query(`KILL CONNECTION ${Number(r[0]!.holder)}`);
      for (let i = 0; i < 100 && !ctx.signal.aborted; i += 1) await sleep(100);
      if (ctx.signal.aborted) throw ctx.signal.reason as Error;
      return { status: 'ok', summary: 'signal never came' };
    });
    const outcome = await runJob(deps(), job, { trigger: 'manual', dryRun: false });
    expect(outcome.status).toBe('interrupted');
    expect(outcome.error?.message).toMatch(/lost the connection holding lock/);
    const [row] = await rows('lost-lock');
    expect(row!.status).toBe('interrupted');
    expect(await lockIsFree('lost-lock')).toBe(true);
  }, 20_000);

  it('stops a job through its signal and records it interrupted', async () => {
    const controller = new AbortController();
    const job = fixtureJob('drain', async (ctx) => {
      controller.abort(new Error('shutdown'));
      return { status: 'ok', summary: `stopped early: ${ctx.signal.aborted ? 'aborted' : 'not aborted'}` };
    });
    const outcome = await runJob(deps(), job, {
      trigger: 'schedule',
      scheduledFor: new Date('2026-11-30T05:00:00Z'),
      dryRun: false,
      signal: controller.signal,
    });
    expect(outcome.status).toBe('interrupted');
    expect(outcome.result?.summary).toBe('stopped early: aborted');
    expect((await rows('drain'))[0]!.status).toBe('interrupted');
  });

  it('finishes when the pool has one connection (DBKEEPER_POOL_MAX=1): the job gives it back before its end is recorded', async () => {
    const small = await testApp(t.name, { db: { workerConnections: 1, poolTimeoutSeconds: 2 } });
    try {
      const job = fixtureJob('one-connection', async (ctx) => {
        await ctx.db.query('SELECT 1');
        return { status: 'ok', summary: 'ran on the only connection' };
      });
      const outcome = await runJob({ db: small.db, config: small.config, log: silentLogger() }, job, {
        trigger: 'manual',
        dryRun: false,
      });
      expect(outcome.status).toBe('ok');
      const [row] = await rows('one-connection');
      expect(row!.status).toBe('ok');
      expect(row!.finished_at).not.toBeNull();
    } finally {
      await small.db.close();
    }
  }, 15_000);
});

describe('trend baseline', () => {
  it('finds the previous run with a result behind any number of failed runs without one', async () => {
    const { withPrevious } = await import('../../src/report/previous-results.js');
    let calls = 0;
    const job = fixtureJob('trend', async () => {
      calls += 1;
      if (calls > 1 && calls < 14) throw new Error(`failure ${calls}`);
      return { status: 'ok', summary: `run ${calls}` };
    });
    const outcomes = [];
    for (let i = 0; i < 14; i += 1) outcomes.push(await runJob(deps(), job, { trigger: 'manual', dryRun: false }));
    expect(outcomes.map((o) => o.status)).toEqual(['ok', ...Array(12).fill('failed'), 'ok']);
    const [report] = await withPrevious(app.db, [outcomes[13]!]);
    expect(report!.previous?.result.summary).toBe('run 1');
    const [first] = await withPrevious(app.db, [outcomes[0]!]);
    expect(first!.previous).toBeNull();
  });
});
