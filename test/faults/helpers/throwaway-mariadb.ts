import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type Connection } from 'mysql2/promise';

export interface ThrowawayServer {
  port: number;
  admin(database?: string): Promise<Connection>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A private mariadbd on loopback (recipe of DESIGN.md "Throwaway servers"), e.g. `--version=10.6.99-MariaDB`
 * to make dbkeeper take the paths of an older server. Stopped by its own pid; its directory removed. */
export async function startThrowawayMariadb(extra: string[] = []): Promise<ThrowawayServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dbkeeper-mariadb-'));
  const user = userInfo().username === 'root' ? 'mysql' : userInfo().username;
  if (user === 'mysql')
    chownSync(
      dir,
      Number(spawnSync('id', ['-u', 'mysql']).stdout.toString().trim()),
      Number(spawnSync('id', ['-g', 'mysql']).stdout.toString().trim()),
    );
  const install = spawnSync(
    'mariadb-install-db',
    [`--user=${user}`, `--datadir=${dir}/data`, '--auth-root-authentication-method=normal', '--skip-test-db'],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--user=${user}`,
      `--datadir=${dir}/data`,
      `--socket=${dir}/sock`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--innodb-buffer-pool-size=64M',
      `--log-error=${dir}/error.log`,
      ...extra,
    ],
    { stdio: 'ignore' },
  );
  const admin = (database?: string) =>
    mysql.createConnection({
      host: '127.0.0.1',
      port,
      user: 'root',
      password: '',
      timezone: 'Z',
      ...(database ? { database } : {}),
    });
  const until = Date.now() + 30_000;
  for (;;) {
    const c = await admin().catch(() => null);
    if (c) {
      await c.end();
      break;
    }
    if (Date.now() > until || child.exitCode !== null) throw new Error(`throwaway mariadbd did not answer on ${port}`);
    await sleep(200);
  }
  return {
    port,
    admin,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
