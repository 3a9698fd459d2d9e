import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockName } from '../../src/db/named-lock.js';
import { poll, ROOT, workerEnv, writeWorkerConfig } from '../fixtures/worker-process.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';

const run = promisify(execFile);
const PM2 = join(ROOT, 'node_modules/.bin/pm2');

interface Pm2App {
  name: string;
  pid: number;
  pm2_env: {
    status: string;
    restart_time: number;
    pm_out_log_path: string;
    pm_err_log_path: string;
    exit_code?: number;
    exec_interpreter: string;
    pm_exec_path: string;
    node_args: string[];
  };
}

// The real pm2 from devDependencies, with its own PM2_HOME, running ecosystem.config.js as written.
describe('pm2 runs the worker from ecosystem.config.js', () => {
  let schema: TestSchema;
  let pm2Home: string;
  const pm2 = async (args: string[], env: NodeJS.ProcessEnv) =>
    run(PM2, args, { cwd: ROOT, env: { ...env, PM2_HOME: pm2Home }, timeout: 60_000 });
  const jlist = async (env: NodeJS.ProcessEnv): Promise<Pm2App[]> =>
    JSON.parse((await pm2(['jlist'], env)).stdout) as Pm2App[];

  beforeAll(async () => {
    schema = await createTestSchema();
    pm2Home = mkdtempSync(join(tmpdir(), 'dbkeeper-pm2-'));
  });
  afterAll(async () => {
    await pm2(['kill'], { PATH: process.env.PATH }).catch(() => undefined);
    rmSync(pm2Home, { recursive: true, force: true });
    await schema.drop();
  });

  it('bad config: exits 78 once and pm2 does not restart it', async () => {
    const { path } = writeWorkerConfig(schema.name, {}, { shutdown: { drainSeconds: -1 } });
    const env = workerEnv(path);
    await pm2(['start', 'ecosystem.config.js'], env);
    await poll(
      'the exit code 78',
      async () => (await jlist(env)).find((a) => a.name === 'dbkeeper' && a.pm2_env.exit_code === 78),
      20_000,
      200,
    );
    // Longer than the first backoff delays (1 s, 1.5 s): a restart would have happened by now.
    await sleep(3_500);
    const app = (await jlist(env)).find((a) => a.name === 'dbkeeper')!;
    expect(app.pm2_env.restart_time).toBe(0);
    expect(app.pid).toBe(0);
    // pm2 7.0.4 labels it 'waiting restart' when exp_backoff_restart_delay is set, yet schedules no restart.
    expect(['stopped', 'waiting restart']).toContain(app.pm2_env.status);
    const err = readFileSync(app.pm2_env.pm_err_log_path, 'utf8');
    expect(err).toContain('shutdown.drainSeconds');
    await pm2(['delete', 'dbkeeper'], env);
  });

  it('online after ready; `pm2 stop` during a slow job ends the run interrupted (not running) and frees the lock', async () => {
    const { path } = writeWorkerConfig(schema.name, { slow: { enabled: true, schedule: '* * * * * *', seconds: 60 } });
    const env = workerEnv(path);
    await pm2(['start', 'ecosystem.config.js'], env);
    const online = (await jlist(env)).find((a) => a.name === 'dbkeeper');
    expect(online?.pm2_env.status, online ? readFileSync(online.pm2_env.pm_err_log_path, 'utf8') : 'no app').toBe(
      'online',
    );
    // Compiled JS under node (not bun), with the ecosystem's node_args.
    expect(online!.pm2_env.exec_interpreter).toBe('node');
    expect(online!.pm2_env.pm_exec_path).toBe(join(ROOT, 'dist/src/worker.js'));
    expect(online!.pm2_env.node_args).toEqual(['--max-semi-space-size=1']);

    const running = await poll(
      'the slow run to start',
      async () => {
        const [rows] = await schema.admin.query<RowDataPacket[]>(
          "SELECT id FROM dbkeeper_runs WHERE job = 'slow' AND status = 'running'",
        );
        return rows[0] ? Number(rows[0].id) : undefined;
      },
      20_000,
      200,
    );
    const stopStarted = Date.now();
    await pm2(['stop', 'dbkeeper'], env);
    const stopMs = Date.now() - stopStarted;

    const [rows] = await schema.admin.query<RowDataPacket[]>(
      'SELECT status, error_message FROM dbkeeper_runs WHERE id = ?',
      [running],
    );
    expect(['interrupted', 'ok']).toContain(rows[0]!.status);
    expect(String(rows[0]!.error_message)).toMatch(/shutting down/);
    const [lock] = await schema.admin.query<RowDataPacket[]>('SELECT IS_USED_LOCK(?) AS holder', [
      lockName(schema.name, 'slow'),
    ]);
    expect(lock[0]!.holder).toBeNull();
    const [others] = await schema.admin.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM dbkeeper_runs WHERE status = 'running'",
    );
    expect(Number(others[0]!.n)).toBe(0);
    // Drained well before pm2's kill_timeout (SIGKILL would leave the row running).
    expect(stopMs).toBeLessThan(15_000);

    const app = (await jlist(env)).find((a) => a.name === 'dbkeeper')!;
    expect(app.pm2_env.status).toBe('stopped');
    const log = readFileSync(app.pm2_env.pm_out_log_path, 'utf8').trim().split('\n');
    // Every line pm2 wrote is still one JSON object (no date prefix), and the drain is in it.
    const parsed = log.map((l) => JSON.parse(l) as { msg?: string });
    expect(parsed.some((l) => l.msg === 'worker ready')).toBe(true);
    expect(parsed.some((l) => l.msg?.startsWith('shutdown requested'))).toBe(true);
    // Flushed before exit: the last line is the worker's own goodbye.
    expect(parsed.at(-1)?.msg).toBe('worker stopped');
  });
});
