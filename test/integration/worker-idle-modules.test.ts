// Issue 14: the idle worker holds only what scheduling needs (idle RSS). The built worker runs with a preload that
// lists every module loaded (test/fixtures/module-log-preload.mjs); run `npm run build` first (npm test does).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { ROOT, spawnWorker, workerEnv, writeWorkerConfig, type WorkerProcess } from '../fixtures/worker-process.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';

const PRELOAD = ['--import', pathToFileURL(join(ROOT, 'test/fixtures/module-log-preload.mjs')).href];

let t: TestSchema;
beforeAll(async () => {
  t = await createTestSchema();
});
afterAll(async () => {
  await t?.drop();
});

/** Every module URL the worker process has loaded so far. */
function loadedModules(child: ChildProcess): Promise<string[]> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      if (typeof m !== 'object' || m === null || !('loadedModules' in m)) return;
      child.off('message', onMessage);
      resolve((m as { loadedModules: string[] }).loadedModules);
    };
    child.on('message', onMessage);
    child.send('dbkeeper-test:loaded-modules');
  });
}

/** Our own modules as paths under dist/ (`src/…`, `jobs/…`). */
const ours = (urls: string[]) =>
  urls.filter((u) => u.includes('/dist/')).map((u) => u.slice(u.lastIndexOf('/dist/') + 6));
/** A job's run code: its run.ts (imported at the first run through lazyRun) and what only it imports. */
const RUN_CODE = /^jobs\/[^/]+\/(run|collect|plan|apply|report)\.js$/;
/** Only a mail send needs these; `nodemailer/lib/addressparser` (one file, reads stored envelopes) is not one. */
const MAIL_OR_PRETTY = /node_modules\/(nodemailer\/dist\/(esm|cjs)\/(?!addressparser\/)|pino-pretty\/|mailparser\/)/;

type Section = { enabled: boolean; schedule: string; catchUp: boolean };

async function startWorker(jobs: Record<string, Section>): Promise<WorkerProcess> {
  const outboxDir = join(mkdtempSync(join(tmpdir(), 'dbkeeper-idle-')), 'outbox');
  // SMTP configured (port 9 on loopback: nothing listens), so a mail library would have a reason to be loaded.
  const report = { outboxDir, to: ['dba@example.invalid'], smtp: { host: '127.0.0.1', port: 9, timeoutMs: 1000 } };
  const { path } = writeWorkerConfig(t.name, jobs, { report });
  const w = spawnWorker(workerEnv(path), PRELOAD);
  await w.ready;
  return w;
}

async function stop(w: WorkerProcess): Promise<void> {
  w.child.kill('SIGTERM');
  await w.exited;
}

describe('worker: what is loaded at idle (issue 14, idle RSS)', () => {
  it('every job scheduled, SMTP configured: no job run code, renderer, nodemailer or pino-pretty loaded', async () => {
    const yearly = { enabled: true, schedule: '0 0 1 1 *', catchUp: false };
    const jobs = Object.fromEntries(ALL_JOBS.map((j) => [j.name, yearly]));
    const w = await startWorker(jobs);
    try {
      const loaded = await loadedModules(w.child);
      // The probe sees the worker's own graph: the scheduler and every job's definition.
      expect(ours(loaded)).toContain('src/scheduler/scheduler.js');
      for (const job of ALL_JOBS) expect(ours(loaded)).toContain(`jobs/${job.name}/job.js`);
      expect(ours(loaded).filter((m) => RUN_CODE.test(m))).toEqual([]);
      expect(ours(loaded).filter((m) => m.startsWith('src/report/render-'))).toEqual([]);
      expect(loaded.filter((u) => MAIL_OR_PRETTY.test(u))).toEqual([]);
    } finally {
      await stop(w);
    }
  });

  it("a job run loads that job's run code only; its summary mail loads the renderer and nodemailer", async () => {
    const w = await startWorker({ ping: { enabled: true, schedule: '* * * * * *', catchUp: false } });
    try {
      await w.waitForLine((l) => l.msg === 'run finished' && l.job === 'ping');
      // SMTP on port 9 refuses: the summary stays pending, after nodemailer tried.
      await w.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('SMTP unavailable'));
      const loaded = await loadedModules(w.child);
      expect(ours(loaded)).toContain('jobs/ping/run.js');
      expect(ours(loaded).filter((m) => RUN_CODE.test(m) && !m.startsWith('jobs/ping/'))).toEqual([]);
      expect(ours(loaded)).toContain('src/report/render-report.js');
      expect(loaded.some((u) => /node_modules\/nodemailer\/dist\/esm\/nodemailer\.js$/.test(u))).toBe(true);
    } finally {
      await stop(w);
    }
  });
});
