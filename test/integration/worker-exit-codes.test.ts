import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnWorker, workerEnv, writeWorkerConfig, type WorkerProcess } from '../fixtures/worker-process.js';
import { createTestSchema, TEST_DB, type TestSchema } from '../helpers/test-db.js';

let t: TestSchema;
beforeAll(async () => {
  t = await createTestSchema();
});
afterAll(async () => {
  await t?.drop();
});

async function tablesIn(schema: string): Promise<string[]> {
  const [r] = await t.admin.query<RowDataPacket[]>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    [schema],
  );
  return r.map((x) => String(x.name));
}

/** The exit code, or 'still running' after a generous safety bound (then the worker is killed). */
async function exitWithin(w: WorkerProcess, ms: number): Promise<number | null | 'still running'> {
  const code = await Promise.race([w.exited, sleep(ms).then(() => 'still running' as const)]);
  if (code === 'still running') {
    w.child.kill('SIGKILL');
    await w.exited;
  }
  return code;
}

describe('worker: configuration a restart cannot fix exits 78 (pm2 does not restart it)', () => {
  it('no rights on DBKEEPER_SCHEMA: exit 78 promptly, the fatal line names the grant', async () => {
    const fresh = await createTestSchema();
    const user = `${t.name}_w`;
    const accounts = [`'${user}'@'127.0.0.1'`, `'${user}'@'localhost'`];
    for (const a of accounts) {
      await t.admin.query(`CREATE USER ${a} IDENTIFIED BY 'pw-Worker-2'`);
      await t.admin.query(`GRANT SELECT ON \`${t.name}\`.* TO ${a}`);
    }
    try {
      const { path } = writeWorkerConfig(
        t.name,
        {},
        {
          schema: fresh.name,
          db: { ...TEST_DB, database: t.name, user, password: 'pw-Worker-2', connectRetries: 0, connectBackoffMs: 200 },
        },
      );
      const w = spawnWorker(workerEnv(path));
      w.ready.catch(() => undefined);
      expect(await exitWithin(w, 20_000)).toBe(78);
      const fatal = w.lines.find((l) => l.level === 60);
      expect(String(fatal?.msg)).toContain(
        `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER ON \`${fresh.name}\`.* TO '${user}'@'`,
      );
      expect(JSON.stringify(w.lines) + w.stderr.join('')).not.toContain('pw-Worker-2');
      expect(await tablesIn(fresh.name)).toEqual([]);
    } finally {
      for (const a of accounts) await t.admin.query(`DROP USER ${a}`);
      await fresh.drop();
    }
  });

  it('an outbox that cannot be created: exit 78 before connecting, naming REPORT_OUTBOX', async () => {
    const fresh = await createTestSchema();
    try {
      const blocker = join(mkdtempSync(join(tmpdir(), 'dbkeeper-w-')), 'a-file');
      writeFileSync(blocker, 'not a folder');
      const { path } = writeWorkerConfig(fresh.name, {}, { report: { outboxDir: join(blocker, 'outbox') } });
      const w = spawnWorker(workerEnv(path));
      w.ready.catch(() => undefined);
      expect(await exitWithin(w, 20_000)).toBe(78);
      expect(w.stderr.join('')).toMatch(
        /report\.outboxDir \(REPORT_OUTBOX\): cannot create or write .*a-file\/outbox \(ENOTDIR\)/,
      );
      expect(await tablesIn(fresh.name)).toEqual([]);
    } finally {
      await fresh.drop();
    }
  });
});
