// A throwaway mariadbd for tests that need a server of their own (TLS only, a primary and a replica): its own
// datadir under a temp dir, a free loopback port, started and stopped in bounded time, removed afterwards.
// Recipe: ../shared/DESIGN.md "Throwaway servers for tests".
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';

const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = 'mariadb-install-db';

export interface ThrowawayServerOptions {
  /** Extra mariadbd options, e.g. `--log-bin=mysql-bin`, `--require-secure-transport=ON`. */
  args?: readonly string[];
  /** Bound on install + start until the server answers. */
  startTimeoutMs?: number;
  /** Prefix of the temp dir, to tell servers apart in `ps`. */
  label?: string;
  /** The readiness probe connects with TLS (needed with `--require-secure-transport=ON`). */
  probeTls?: boolean;
}

export interface ThrowawayServer {
  host: '127.0.0.1';
  port: number;
  /** The temp dir holding data, socket and error log; removed by stop(). */
  dir: string;
  pid: number;
  /** root with an empty password over TCP, as the recipe leaves it. */
  user: 'root';
  password: '';
  errorLog(): string;
  /** SIGTERM, then SIGKILL after `timeoutMs`; removes the dir. Safe to call twice. */
  stop(timeoutMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A temp dir the mysql user owns (mariadbd drops root to it), for data and for files the server must read. */
export function mysqlOwnedTempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `dbkeeper-${label}-`));
  if (userInfo().uid === 0) chownRecursive(dir);
  return dir;
}

export function chownRecursive(path: string): void {
  if (userInfo().uid !== 0) return;
  const r = spawnSync('chown', ['-R', 'mysql:mysql', path]);
  if (r.status !== 0) chownSync(path, 0, 0);
}

async function answers(port: number, timeoutMs: number, tls: boolean): Promise<boolean> {
  const conn = await mysql
    .createConnection({
      host: '127.0.0.1',
      port,
      user: 'root',
      password: '',
      connectTimeout: timeoutMs,
      ...(tls ? { ssl: { rejectUnauthorized: false } } : {}),
    })
    .catch(() => null);
  if (!conn) return false;
  await conn.end().catch(() => conn.destroy());
  return true;
}

export async function startThrowawayServer(opts: ThrowawayServerOptions = {}): Promise<ThrowawayServer> {
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + startTimeoutMs;
  const dir = mysqlOwnedTempDir(opts.label ?? 'mariadbd');
  const data = join(dir, 'data');
  const install = spawnSync(
    INSTALL_DB,
    ['--user=mysql', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db'],
    { encoding: 'utf8', timeout: startTimeoutMs },
  );
  if (install.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${INSTALL_DB} failed (${install.status}): ${install.stderr || install.stdout}`.slice(0, 2000));
  }
  const port = await freeLoopbackPort();
  const errorLogPath = join(dir, 'error.log');
  const child = spawn(
    MARIADBD,
    [
      '--no-defaults',
      '--user=mysql',
      `--datadir=${data}`,
      `--socket=${join(dir, 'sock')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--innodb-buffer-pool-size=64M',
      `--log-error=${errorLogPath}`,
      ...(opts.args ?? []),
    ],
    { stdio: 'ignore' },
  );
  running.add(child);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      running.delete(child);
      resolve();
    }),
  );
  const errorLog = () => {
    try {
      return readFileSync(errorLogPath, 'utf8');
    } catch {
      return '';
    }
  };
  let stopped = false;
  const stop = async (timeoutMs = 10_000) => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => true), sleep(timeoutMs).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await Promise.race([exit, sleep(2_000)]);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  while (!(await answers(port, 1_000, opts.probeTls ?? false))) {
    if (exited || Date.now() > deadline) {
      const log = errorLog().split('\n').slice(-15).join('\n');
      await stop(2_000);
      throw new Error(
        `throwaway mariadbd on port ${port} ${exited ? 'exited' : 'did not answer'} within ${startTimeoutMs} ms:\n${log}`,
      );
    }
    await sleep(100);
  }
  return { host: '127.0.0.1', port, dir, pid: child.pid!, user: 'root', password: '', errorLog, stop };
}
