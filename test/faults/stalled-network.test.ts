// A link that stops forwarding bytes while its sockets stay open (a proxy, a load balancer, a dead flow): TCP never
// reports it, so only dbkeeper's own bounds notice. Each case runs through test/helpers/tcp-proxy.ts and has a
// generous safety bound; on code without the bounds each of them hangs past it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { connectApp } from '../../src/app/bootstrap.js';
import { loadConfig } from '../../src/config/load-config.js';
import { lockName, tryLock } from '../../src/db/named-lock.js';
import { runJob } from '../../src/runner/run-job.js';
import { jobs as fixtureJobs } from '../fixtures/test-jobs.mjs';
import { poll, spawnWorker, workerEnv, writeWorkerConfig } from '../fixtures/worker-process.js';
import { CLI_PATH } from '../helpers/run-cli.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestSchema, silentLogger, TEST_DB, type TestSchema } from '../helpers/test-db.js';
import { FaultRecorder, type FaultCase } from './helpers/fault-results.js';
import { runRowFacts } from './helpers/run-rows.js';

/** Small guards so each case ends in seconds: job statements bounded at 2 + 1 s, bookkeeping at 2 s. */
const GUARDS = {
  statementTimeoutSeconds: 2,
  clientTimeoutMarginSeconds: 1,
  bookkeepingTimeoutSeconds: 2,
  lockHeartbeatSeconds: 1,
  killWaitSeconds: 3,
};
const FAST_DB = { connectTimeoutMs: 2_000, poolTimeoutSeconds: 2 };

const recorder = new FaultRecorder('stalled-network');

/** Runs a case and records it for the matrix; a bound that gave up ("hung", "still hanging", "not aborted") counts
 * as a hang. The body sets the other counts it measures. */
async function recorded(
  c: Pick<FaultCase, 'fault' | 'point' | 'job'>,
  body: (r: FaultCase) => Promise<void>,
): Promise<void> {
  const r = recorder.record({ ...c, dataLost: 0, hangs: 0, duplicateRuns: 0, lostReports: 0 });
  try {
    await body(r);
  } catch (err) {
    if (/hung|still hanging|not aborted/.test(String((err as Error)?.message))) r.hangs += 1;
    throw err;
  }
}

let t: TestSchema;
const proxies: TcpProxy[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await createTestSchema();
  // dbkeeper's own tables, so the first run through a proxy does not create them.
  const config = loadConfig({
    jobs: ALL_JOBS,
    env: {},
    overrides: { db: { ...TEST_DB, database: t.name, connectRetries: 0 }, log: { level: 'silent' } },
  });
  await (await connectApp(config, silentLogger(), { jobs: ALL_JOBS })).db.close();
});
afterAll(async () => {
  recorder.write();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const p of proxies) await p.close();
  await t?.drop();
});

async function proxy(): Promise<TcpProxy> {
  const p = await tcpProxy(TEST_DB.host, TEST_DB.port);
  proxies.push(p);
  return p;
}

async function one<T = number>(sql: string, values: unknown[] = []): Promise<T> {
  const [rows] = await t.admin.query<RowDataPacket[]>(sql, values);
  return Object.values(rows[0] ?? {})[0] as T;
}

const lockIsFree = async (job: string) =>
  Number(await one('SELECT IS_FREE_LOCK(?) AS free', [lockName(t.name, job)])) === 1;

async function seedLocks(expired: number, live: number): Promise<void> {
  await t.admin.query('DROP TABLE IF EXISTS appointment_locks');
  await t.admin.query(`CREATE TABLE appointment_locks (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    lock_token CHAR(32) NOT NULL,
    expires_at DATETIME NULL,
    KEY idx_expires (expires_at)
  ) ENGINE=InnoDB`);
  const rows = [
    ...Array.from({ length: expired }, (_, i) => [`old${i}`, new Date(Date.UTC(2020, 0, 1) + i * 1000)]),
    ...Array.from({ length: live }, (_, i) => [`live${i}`, new Date(Date.UTC(2099, 0, 1) + i * 1000)]),
  ];
  for (let i = 0; i < rows.length; i += 5000)
    await t.admin.query('INSERT INTO appointment_locks (lock_token, expires_at) VALUES ?', [rows.slice(i, i + 5000)]);
}

const liveChecksum = () =>
  one<string>(
    "SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', id, lock_token, expires_at))), 0)) FROM appointment_locks WHERE expires_at >= '2099-01-01'",
  );
const expiredLeft = () => one("SELECT COUNT(*) FROM appointment_locks WHERE expires_at < '2099-01-01'").then(Number);

/** A config file for the CLI: every job off but purge-locks, which walks slowly (small chunks). */
function cliConfig(extra: Record<string, unknown> = {}): string {
  const jobs: Record<string, unknown> = {};
  for (const job of ALL_JOBS) jobs[job.name] = { enabled: false };
  jobs['purge-locks'] = {
    enabled: true,
    targets: [{ table: 'appointment_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'UTC' }],
    chunk: { minRows: 20, startRows: 50, maxRows: 50, targetMs: 100, restRatio: 0 },
    maxRowsPerRun: 1_000_000,
    maxRunSeconds: 600,
    throttle: { maxThreadsRunning: 1000, pollMs: 100 },
    retry: { maxRetries: 0, backoffMs: 50 },
  };
  const dir = mkdtempSync(join(tmpdir(), 'dbkeeper-stall-'));
  const config = {
    guards: GUARDS,
    db: { ...FAST_DB, connectRetries: 0 },
    shutdown: { drainSeconds: 2 },
    report: { outboxDir: join(dir, 'outbox') },
    jobs,
    ...extra,
  };
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

interface Cli {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
function spawnCli(args: string[], port: number, configPath: string): Cli {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      DB_HOST: '127.0.0.1',
      DB_PORT: String(port),
      DB_USERNAME: TEST_DB.user,
      DB_PASSWORD: TEST_DB.password,
      DB_DATABASE: t.name,
      DBKEEPER_CONFIG: configPath,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return {
    child,
    stderr: () => err,
    stdout: () => out,
    exited: new Promise((r) => child.on('exit', (code, signal) => r({ code, signal }))),
  };
}

/** The process's exit within boundMs, or a failure naming the bound (the process is killed). */
async function exitWithin(cli: Pick<Cli, 'child' | 'exited'>, boundMs: number, what: string) {
  const started = Date.now();
  const res = await Promise.race([cli.exited, sleep(boundMs).then(() => null)]);
  if (res === null) {
    cli.child.kill('SIGKILL');
    throw new Error(`${what}: still running ${boundMs} ms later (hung)`);
  }
  return { ...res, ms: Date.now() - started };
}

async function waitMidPurge(total: number): Promise<void> {
  await poll(
    'the purge to be under way',
    async () => ((await expiredLeft()) < total - 200 ? true : undefined),
    20_000,
    50,
  );
}

describe('stalled network', { timeout: 120_000 }, () => {
  it('CLI purge: a dead flow mid-purge ends the run (client bound), KILLs its statement, frees the lock; after resume a new run works', () =>
    recorded(
      { fault: 'network stall (dead flow)', point: 'mid-purge (between chunks)', job: 'purge-locks' },
      async (r) => {
        await seedLocks(30_000, 3_000);
        const liveBefore = await liveChecksum();
        const p = await proxy();
        const config = cliConfig();
        const cli = spawnCli(['purge-locks', '--json'], p.port, config);
        await waitMidPurge(30_000);
        p.stall('existing');
        const end = await exitWithin(cli, 20_000, 'the CLI after the stall');
        expect(end.code, cli.stderr()).not.toBe(0);
        expect(end.code).not.toBeNull();
        // The statement was killed over a fresh connection and is gone from the server.
        expect(cli.stderr()).toMatch(/KILL QUERY sent/);
        const jobConnection = Number(/"jobConnectionId":(\d+)/.exec(cli.stderr())?.[1]);
        expect(jobConnection).toBeGreaterThan(0);
        expect(
          Number(await one('SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?', [jobConnection])),
        ).toBe(0);
        expect(await lockIsFree('purge-locks')).toBe(true);
        // The client bound on the statement or the lock heartbeat, whichever noticed first.
        expect(
          await one("SELECT status FROM dbkeeper_runs WHERE job = 'purge-locks' ORDER BY id DESC LIMIT 1"),
        ).toMatch(/^(failed|interrupted)$/);

        p.resume();
        const again = spawnCli(['purge-locks', '--json'], p.port, config);
        const second = await exitWithin(again, 60_000, 'the run after resume');
        expect(second.code, again.stderr()).toBe(0);
        expect(await expiredLeft()).toBe(0);
        if ((await liveChecksum()) !== liveBefore) r.dataLost = 1;
        r.duplicateRuns = (await runRowFacts(t.admin, t.name, 'purge-locks')).duplicateSlots;
        expect(await liveChecksum()).toBe(liveBefore);
      },
    ));

  it('CLI purge: SIGTERM while every connection is stalled exits within drainSeconds + 10 s with exit 1; the next run marks the row interrupted', () =>
    recorded(
      { fault: 'network stall + SIGTERM', point: 'mid-purge, every connection', job: 'purge-locks' },
      async (r) => {
        await t.admin.query('DELETE FROM dbkeeper_runs');
        await seedLocks(30_000, 1_000);
        const liveBefore = await liveChecksum();
        const p = await proxy();
        // A long statement bound: only the signal can end this run.
        const config = cliConfig({ guards: { ...GUARDS, statementTimeoutSeconds: 300 } });
        const cli = spawnCli(['purge-locks', '--json'], p.port, config);
        await waitMidPurge(30_000);
        p.stall('all');
        await sleep(500);
        cli.child.kill('SIGTERM');
        const end = await exitWithin(cli, 2_000 + 10_000, 'the CLI after SIGTERM');
        expect(end.code, cli.stderr()).toBe(1);

        p.resume();
        await poll(
          'the lock to be free after resume',
          async () => ((await lockIsFree('purge-locks')) ? true : undefined),
          10_000,
        );
        const again = spawnCli(['purge-locks', '--json'], p.port, config);
        expect((await exitWithin(again, 60_000, 'the run after resume')).code, again.stderr()).toBe(0);
        const [rows] = await t.admin.query<RowDataPacket[]>(
          "SELECT status FROM dbkeeper_runs WHERE job = 'purge-locks' ORDER BY id",
        );
        expect(rows.map((r) => r.status)).toEqual(['interrupted', 'ok']);
        if ((await liveChecksum()) !== liveBefore) r.dataLost = 1;
        r.duplicateRuns = (await runRowFacts(t.admin, t.name, 'purge-locks')).duplicateSlots;
        expect(await liveChecksum()).toBe(liveBefore);
      },
    ));

  it('worker (drainSeconds 2): stalled mid-run, SIGTERM ends the process within 12 s; the next start marks the run interrupted and later slots run', () =>
    recorded({ fault: 'network stall + SIGTERM', point: 'mid-run (worker)', job: 'slow (fixture job)' }, async (r) => {
      await t.admin.query('DELETE FROM dbkeeper_runs');
      const p = await proxy();
      const { path } = writeWorkerConfig(
        t.name,
        { slow: { enabled: true, schedule: '*/4 * * * * *', seconds: 2, catchUp: false } },
        {
          guards: { ...GUARDS, statementTimeoutSeconds: 300 },
          db: { ...TEST_DB, database: t.name, connectRetries: 0, connectBackoffMs: 200, ...FAST_DB },
          shutdown: { drainSeconds: 2 },
        },
      );
      const env = workerEnv(path, { DB_HOST: '127.0.0.1', DB_PORT: String(p.port) });
      const first = spawnWorker(env);
      children.push(first.child);
      await first.ready;
      const running = await poll(
        'a slow run',
        async () => {
          const [r] = await t.admin.query<RowDataPacket[]>(
            "SELECT id FROM dbkeeper_runs WHERE job = 'slow' AND status = 'running'",
          );
          return r[0] ? Number(r[0].id) : undefined;
        },
        20_000,
        50,
      );
      await sleep(300);
      p.stall('all');
      first.child.kill('SIGTERM');
      const end = await exitWithin(
        { child: first.child, exited: first.exited.then((code) => ({ code, signal: null })) },
        2_000 + 10_000,
        'the worker after SIGTERM',
      );
      expect(end.code).not.toBeNull();

      p.resume();
      const second = spawnWorker(env);
      children.push(second.child);
      await second.ready;
      await poll(
        'the stalled run marked interrupted',
        async () =>
          (await one<string>('SELECT status FROM dbkeeper_runs WHERE id = ?', [running])) === 'interrupted'
            ? true
            : undefined,
        15_000,
      );
      await poll(
        'a later slot to run',
        async () => {
          const n = Number(
            await one("SELECT COUNT(*) FROM dbkeeper_runs WHERE job = 'slow' AND status = 'ok' AND id > ?", [running]),
          );
          return n > 0 ? true : undefined;
        },
        20_000,
      );
      r.duplicateRuns = (await runRowFacts(t.admin, t.name, 'slow')).duplicateSlots;
      expect(r.duplicateRuns).toBe(0);
      second.child.kill('SIGTERM');
      expect(
        (
          await exitWithin(
            { child: second.child, exited: second.exited.then((code) => ({ code, signal: null })) },
            15_000,
            'the second worker',
          )
        ).code,
      ).toBe(0);
    }));

  it('named lock: a silent lock connection aborts `lost` through the heartbeat', () =>
    recorded(
      { fault: 'network stall', point: 'the named lock connection only', job: 'named lock heartbeat' },
      async () => {
        const p = await proxy();
        const conn = await mysql.createConnection({ ...TEST_DB, port: p.port, host: '127.0.0.1' });
        const lock = await tryLock(conn, lockName(t.name, 'heartbeat-test'), {
          heartbeatMs: 300,
          pingTimeoutMs: 1_000,
        });
        expect(lock).not.toBeNull();
        p.stallConnection(p.connections.at(-1)!);
        const started = Date.now();
        const reason = await Promise.race([
          new Promise<unknown>((r) => lock!.lost.addEventListener('abort', () => r(lock!.lost.reason), { once: true })),
          sleep(8_000).then(() => 'not aborted within 8 s'),
        ]);
        expect(String((reason as Error).message ?? reason)).toMatch(/silent/);
        expect(Date.now() - started).toBeLessThan(8_000);
        conn.destroy();
        p.resume();
      },
    ));

  it('runner: a job whose whole link stalls is aborted by the lock heartbeat and the run ends (interrupted) within a bound', () =>
    recorded(
      { fault: 'network stall', point: 'whole link, job at work (runner)', job: 'slow (fixture job)' },
      async () => {
        const p = await proxy();
        const config = loadConfig({
          jobs: [...ALL_JOBS, ...fixtureJobs],
          env: {},
          overrides: {
            db: { ...TEST_DB, port: p.port, host: '127.0.0.1', database: t.name, connectRetries: 0, ...FAST_DB },
            guards: { ...GUARDS, statementTimeoutSeconds: 300 },
            shutdown: { drainSeconds: 2 },
            log: { level: 'silent' },
            jobs: {
              slow: { enabled: false, schedule: '0 0 1 1 *', catchUp: false, seconds: 60, ignoreAbort: false },
              tick: { enabled: false, schedule: '0 0 1 1 *', catchUp: false },
              fail: { enabled: false, schedule: '0 0 1 1 *', catchUp: false },
            },
          },
        });
        const app = await connectApp(config, silentLogger(), { jobs: [...ALL_JOBS, ...fixtureJobs] });
        const slow = fixtureJobs.find((j) => j.name === 'slow')!;
        const run = runJob({ db: app.db, config, log: silentLogger() }, slow, {
          trigger: 'manual',
          dryRun: false,
          scheduledFor: new Date(Date.UTC(2026, 5, 1)),
        });
        // Stall once the job itself is at work (its SLEEP statements on the server), not while the run is set up.
        await poll(
          'the slow job at work',
          async () =>
            Number(
              await one(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'SELECT SLEEP%'",
                [t.name],
              ),
            ) > 0
              ? true
              : undefined,
          10_000,
          20,
        );
        p.stall('all');
        const outcome = await Promise.race([run, sleep(25_000).then(() => null)]);
        expect(outcome, 'runJob still hanging 25 s after the stall').not.toBeNull();
        expect(outcome!.status).toBe('interrupted');
        expect(outcome!.error?.message).toMatch(/silent/);
        p.resume();
        await app.db.close();
      },
    ));
});
