import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';
import { startThrowawayServer, type ThrowawayServer } from '../helpers/throwaway-server.js';
import { ROOT, spawnWorker, workerEnv, writeWorkerConfig } from '../fixtures/worker-process.js';

let t: TestSchema;
const isJsonLine = (l: string) => {
  try {
    return typeof JSON.parse(l) === 'object';
  } catch {
    return false;
  }
};

beforeAll(async () => {
  t = await createTestSchema();
});
afterAll(async () => {
  await t?.drop();
});

describe('LOG_FORMAT overrides the terminal choice', () => {
  it('CLI piped: NDJSON by default, pretty lines with LOG_FORMAT=pretty', async () => {
    const json = await runCli(['ping'], { DB_DATABASE: t.name });
    expect(json.code).toBe(0);
    const jsonLines = json.stderr.trim().split('\n');
    expect(jsonLines.every(isJsonLine)).toBe(true);
    const pretty = await runCli(['ping'], { DB_DATABASE: t.name, LOG_FORMAT: 'pretty' });
    expect(pretty.code).toBe(0);
    const lines = pretty.stderr.trim().split('\n');
    expect(lines.some(isJsonLine)).toBe(false);
    expect(pretty.stderr).toMatch(/^\[?\d\d:\d\d:\d\d(\.\d+)?\]? INFO.*run finished/m);
    // No colour codes into a pipe.
    expect(pretty.stderr).not.toContain('\x1b[');
  });

  it('a bad value: exit 78 naming LOG_FORMAT, nothing created (CLI and worker)', async () => {
    const fresh = await createTestSchema();
    try {
      const run = await runCli(['ping'], { DB_DATABASE: fresh.name, LOG_FORMAT: 'yaml' });
      expect(run.code).toBe(78);
      expect(run.stderr).toMatch(/log\.format \(from LOG_FORMAT\)/);
      const { path } = writeWorkerConfig(fresh.name, { ping: { enabled: true } });
      const w = spawnWorker(workerEnv(path, { LOG_FORMAT: 'yaml' }));
      w.ready.catch(() => undefined);
      expect(await w.exited).toBe(78);
      expect(w.stderr.join('')).toMatch(/log\.format \(from LOG_FORMAT\)/);
      const [tables] = await fresh.admin.query(
        'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
        [fresh.name],
      );
      expect(tables).toEqual([]);
    } finally {
      await fresh.drop();
    }
  }, 30_000);
});

describe('npm run demo, piped (its own server: the demo schema has a fixed name)', () => {
  let server: ThrowawayServer;
  beforeAll(async () => {
    server = await startThrowawayServer({ label: 'demo-logs' });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const demo = (env: Record<string, string>) =>
    new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      // stdout and stderr into one pipe, in order, as `npm run demo 2>&1 | less` shows them.
      const child = spawn(
        'sh',
        ['-c', `exec "${process.execPath}" "${join(ROOT, 'dist/src/demo/run-demo.js')}" 2>&1`],
        {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH ?? '',
            DB_HOST: server.host,
            DB_PORT: String(server.port),
            DB_USERNAME: 'root',
            DB_PASSWORD: '',
            REPORT_OUTBOX: join(server.dir, 'outbox'),
            ...env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });

  it('reads as a person expects: result lines, no NDJSON between them; LOG_FORMAT=json gives NDJSON', async () => {
    const human = await demo({});
    expect(human.code).toBe(0);
    const lines = human.out.trim().split('\n');
    expect(lines.filter(isJsonLine)).toEqual([]);
    expect(human.out).toMatch(/^ping: OK in /m);
    expect(human.out).toMatch(/^report \(email\): /m);
    const machine = await demo({ LOG_FORMAT: 'json' });
    expect(machine.out.split('\n').filter(isJsonLine).length).toBeGreaterThan(5);
    expect(machine.out).toMatch(/^ping: OK in /m);
  }, 180_000);
});
