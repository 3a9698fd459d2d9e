import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotsBetween } from '../../src/scheduler/cron-slots.js';
import { spawnWorker, workerEnv, writeWorkerConfig, type WorkerProcess } from '../fixtures/worker-process.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';
import { FaultRecorder } from './helpers/fault-results.js';
import { runRowFacts } from './helpers/run-rows.js';

// Three real worker processes on one schema race for 100 slots (two jobs every 2 s for ~100 s; every second
// is too tight on a loaded 2-core machine: a run longer than the interval would hold the lock over the next slot).
const EVERY_2S = '*/2 * * * * *';
const JOBS = ['ping', 'tick'];
const recorder = new FaultRecorder('workers-race');

describe('three workers racing for 100 slots', () => {
  let schema: TestSchema;
  let workers: WorkerProcess[] = [];
  beforeAll(async () => {
    schema = await createTestSchema();
  });
  afterAll(async () => {
    recorder.write();
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await schema.drop();
  });

  it('every slot of every job ran exactly once, ok', async () => {
    const { path } = writeWorkerConfig(
      schema.name,
      Object.fromEntries(JOBS.map((j) => [j, { enabled: true, schedule: EVERY_2S, catchUp: true }])),
    );
    workers = [0, 1, 2].map(() => spawnWorker(workerEnv(path)));
    await Promise.all(workers.map((w) => w.ready));
    const from = new Date(Math.ceil(Date.now() / 1000) * 1000);
    await sleep(104_000);
    const to = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
    for (const w of workers) w.child.kill('SIGTERM');
    const codes = await Promise.race([Promise.all(workers.map((w) => w.exited)), sleep(20_000).then(() => null)]);

    const expected = slotsBetween(EVERY_2S, 'Etc/UTC', from, to).map((d) => d.toISOString());
    let missing = 0;
    let duplicates = 0;
    for (const job of JOBS) {
      const [rows] = await schema.admin.query<RowDataPacket[]>(
        'SELECT scheduled_for, COUNT(*) AS n, GROUP_CONCAT(status) AS statuses FROM dbkeeper_runs WHERE job = ? AND scheduled_for > ? AND scheduled_for <= ? GROUP BY scheduled_for',
        [job, from, to],
      );
      const ran = new Map(rows.map((r) => [(r.scheduled_for as Date).toISOString(), r]));
      missing += expected.filter((slot) => ran.get(slot)?.statuses !== 'ok').length;
      duplicates +=
        rows.filter((r) => Number(r.n) !== 1).length +
        (await runRowFacts(schema.admin, schema.name, job)).duplicateSlots;
      expect(rows.map((r) => (r.scheduled_for as Date).toISOString()).sort(), `slots of ${job}`).toEqual(expected);
    }
    const rec = recorder.record({
      fault: '3 workers race',
      point: `${expected.length * JOBS.length} slots`,
      job: JOBS.join(' + '),
      dataLost: 0,
      hangs: codes === null ? 1 : 0,
      duplicateRuns: duplicates,
      lostReports: 0,
    });
    expect(missing, 'slots without exactly one ok run').toBe(0);
    expect(expected.length * JOBS.length).toBeGreaterThanOrEqual(100);
    expect(rec).toMatchObject({ hangs: 0, duplicateRuns: 0, lostReports: 0 });
    expect(codes).toEqual([0, 0, 0]);
  }, 150_000);
});
