import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotsBetween } from '../../src/scheduler/cron-slots.js';
import { spawnWorker, workerEnv, writeWorkerConfig, type WorkerProcess } from '../fixtures/worker-process.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';

// Two real worker processes on one schema, both scheduling the same jobs every 2 seconds (every second is too
// tight for a loaded 2-core CI machine: a run longer than the interval holds the lock over the next slot).
const EVERY_2S = '*/2 * * * * *';

describe('two workers racing for every slot', () => {
  let schema: TestSchema;
  let workers: WorkerProcess[] = [];

  beforeAll(async () => {
    schema = await createTestSchema();
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await schema.drop();
  });

  it('over 20+ slots, every slot of every job ran exactly once, ok, and both workers stopped cleanly', async () => {
    const { path } = writeWorkerConfig(schema.name, {
      ping: { enabled: true, schedule: EVERY_2S, catchUp: true },
      tick: { enabled: true, schedule: EVERY_2S, catchUp: true },
    });
    workers = [spawnWorker(workerEnv(path)), spawnWorker(workerEnv(path))];
    await Promise.all(workers.map((w) => w.ready));
    // Slots strictly after both are ready, until shortly before they stop.
    const from = new Date(Math.ceil(Date.now() / 1000) * 1000);
    await sleep(43_000);
    const to = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
    for (const w of workers) w.child.kill('SIGTERM');
    const codes = await Promise.all(workers.map((w) => w.exited));
    expect(codes).toEqual([0, 0]);

    const expected = slotsBetween(EVERY_2S, 'Etc/UTC', from, to).map((d) => d.toISOString());
    expect(expected.length).toBeGreaterThanOrEqual(20);
    for (const job of ['ping', 'tick']) {
      const [rows] = await schema.admin.query<RowDataPacket[]>(
        'SELECT scheduled_for, COUNT(*) AS n, GROUP_CONCAT(status) AS statuses FROM dbkeeper_runs WHERE job = ? AND scheduled_for > ? AND scheduled_for <= ? GROUP BY scheduled_for ORDER BY scheduled_for',
        [job, from, to],
      );
      expect(
        rows.map((r) => (r.scheduled_for as Date).toISOString()),
        `slots of ${job}`,
      ).toEqual(expected);
      expect(
        rows.every((r) => Number(r.n) === 1 && r.statuses === 'ok'),
        `one ok row per slot of ${job}`,
      ).toBe(true);
    }
    // Nothing failed or was left running anywhere, and each worker's log stayed NDJSON.
    const [bad] = await schema.admin.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM dbkeeper_runs WHERE status <> 'ok'",
    );
    expect(Number(bad[0]!.n)).toBe(0);
    for (const w of workers) expect(w.lines.filter((l) => 'unparsed' in l)).toEqual([]);
    // The losers of races logged it (lock held or slot already ran) instead of recording anything.
    const lost = workers
      .flatMap((w) => w.lines)
      .filter((l) => typeof l.msg === 'string' && /^skipped: (locked|this slot already ran)/.test(l.msg));
    expect(lost.length).toBeGreaterThan(0);
  });
});
