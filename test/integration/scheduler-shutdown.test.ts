import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lockName } from '../../src/db/named-lock.js';
import { poll, spawnWorker, workerEnv, writeWorkerConfig, type WorkerProcess } from '../fixtures/worker-process.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';

// Real worker processes running the slow fixture job: kill -9, a job that ignores the abort, a second signal.
describe('worker shutdown and crashes', () => {
  let schema: TestSchema;
  const started: WorkerProcess[] = [];
  const start = (jobs: Parameters<typeof writeWorkerConfig>[1], extra: Record<string, unknown> = {}) => {
    const w = spawnWorker(workerEnv(writeWorkerConfig(schema.name, jobs, extra).path));
    started.push(w);
    return w;
  };
  const runningSlow = () =>
    poll(
      'a running slow run',
      async () => {
        const [rows] = await schema.admin.query<RowDataPacket[]>(
          "SELECT id FROM dbkeeper_runs WHERE job = 'slow' AND status = 'running' ORDER BY id DESC",
        );
        return rows[0] ? Number(rows[0].id) : undefined;
      },
      15_000,
    );
  const row = async (id: number) => {
    const [rows] = await schema.admin.query<RowDataPacket[]>(
      'SELECT status, error_class, error_message, finished_at FROM dbkeeper_runs WHERE id = ?',
      [id],
    );
    return rows[0]!;
  };
  const lockHolder = async () => {
    const [rows] = await schema.admin.query<RowDataPacket[]>('SELECT IS_USED_LOCK(?) AS holder', [
      lockName(schema.name, 'slow'),
    ]);
    return rows[0]!.holder as number | null;
  };

  beforeAll(async () => {
    schema = await createTestSchema();
  });
  afterEach(async () => {
    for (const w of started.splice(0))
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await schema.admin.query('DELETE FROM dbkeeper_runs').catch(() => undefined);
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('kill -9 mid-run: the lock dies with the connection, and the next start marks the orphaned row interrupted', async () => {
    const w = start({ slow: { enabled: true, schedule: '* * * * * *', seconds: 60 } });
    await w.ready;
    const id = await runningSlow();
    w.child.kill('SIGKILL');
    await w.exited;
    expect((await row(id)).status).toBe('running');
    await poll('the lock to be free', async () => ((await lockHolder()) === null ? true : undefined), 5_000);

    const next = start({ slow: { enabled: false } });
    await next.ready;
    const after = await row(id);
    expect(after.status).toBe('interrupted');
    expect(after).toMatchObject({
      error_class: 'Orphaned',
      error_message: expect.stringMatching(/worker stopped before the run finished/),
    });
    expect(after.finished_at).not.toBeNull();
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  });

  it('SIGTERM while the job stops between statements: the run ends interrupted, exit 0, lock free', async () => {
    const w = start({ slow: { enabled: true, schedule: '* * * * * *', seconds: 60 } });
    await w.ready;
    const id = await runningSlow();
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    const r = await row(id);
    expect(r.status).toBe('interrupted');
    expect(r.error_message).toMatch(/stopped after \d+ of 300 chunks.*aborted: worker shutting down/);
    expect(await lockHolder()).toBeNull();
  });

  it('a job that ignores the abort past the drain time is still recorded interrupted; exit 0; lock free', async () => {
    const w = start(
      { slow: { enabled: true, schedule: '* * * * * *', seconds: 60, ignoreAbort: true } },
      { shutdown: { drainSeconds: 1 } },
    );
    await w.ready;
    const id = await runningSlow();
    const t0 = Date.now();
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8_000);
    const r = await row(id);
    expect(r.status).toBe('interrupted');
    expect(r.error_message).toMatch(/did not stop within the drain time/);
    await poll('the lock to be free', async () => ((await lockHolder()) === null ? true : undefined), 5_000);
  });

  it('a second signal forces exit during a long drain; the row is left for the next start', async () => {
    const w = start(
      { slow: { enabled: true, schedule: '* * * * * *', seconds: 60, ignoreAbort: true } },
      { shutdown: { drainSeconds: 60 } },
    );
    await w.ready;
    const id = await runningSlow();
    w.child.kill('SIGINT');
    await w.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('shutdown requested'));
    w.child.kill('SIGINT');
    expect(await w.exited).toBe(130);
    expect((await row(id)).status).toBe('running');
    await poll('the lock to be free', async () => ((await lockHolder()) === null ? true : undefined), 5_000);
  });
});
