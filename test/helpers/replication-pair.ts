// A primary and a replica: two throwaway mariadbd on loopback ports, binary log (ROW) on the primary, the replica
// following it by GTID. Started and stopped within bounded time. Recipe: ../shared/DESIGN.md "Throwaway servers".
import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { startThrowawayServer, type ThrowawayServer } from './throwaway-server.js';

export interface ReplicationPair {
  primary: ThrowawayServer;
  replica: ThrowawayServer;
  /** root on one of them (the pair's own servers; root has an empty password there). */
  connect(which: 'primary' | 'replica', database?: string): Promise<Connection>;
  /** Until the replica has applied everything the primary wrote so far (GTID), within timeoutMs. */
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ReplicationPairOptions {
  /** Extra options for both servers, e.g. `--userstat=1`. */
  args?: readonly string[];
  startTimeoutMs?: number;
}

const REPL_USER = 'dbk_repl';
const REPL_PASSWORD = 'repl-test-only';

function rootConnection(server: ThrowawayServer, database?: string): Promise<Connection> {
  return mysql.createConnection({
    host: server.host,
    port: server.port,
    user: 'root',
    password: '',
    connectTimeout: 5_000,
    timezone: 'Z',
    ...(database ? { database } : {}),
  });
}

export async function startReplicationPair(opts: ReplicationPairOptions = {}): Promise<ReplicationPair> {
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  const extra = opts.args ?? [];
  const [p, r] = await Promise.allSettled([
    startThrowawayServer({
      label: 'primary',
      startTimeoutMs,
      args: ['--log-bin=mysql-bin', '--server-id=1', '--binlog-format=ROW', ...extra],
    }),
    startThrowawayServer({
      label: 'replica',
      startTimeoutMs,
      args: ['--server-id=2', '--read-only=1', '--relay-log=relay-bin', ...extra],
    }),
  ]);
  if (p.status === 'rejected' || r.status === 'rejected') {
    if (p.status === 'fulfilled') await p.value.stop();
    if (r.status === 'fulfilled') await r.value.stop();
    throw (p.status === 'rejected' ? p.reason : (r as PromiseRejectedResult).reason) as Error;
  }
  const primary = p.value;
  const replica = r.value;
  const stop = async () => {
    await Promise.all([replica.stop(), primary.stop()]);
  };
  try {
    const pc = await rootConnection(primary);
    await pc.query('CREATE USER ?@? IDENTIFIED BY ?', [REPL_USER, '127.0.0.1', REPL_PASSWORD]);
    await pc.query('GRANT REPLICATION SLAVE ON *.* TO ?@?', [REPL_USER, '127.0.0.1']);
    await pc.end();
    const rc = await rootConnection(replica);
    await rc.query(
      `CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${Number(primary.port)}, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1`,
      [REPL_USER, REPL_PASSWORD],
    );
    await rc.query('START SLAVE');
    await rc.end();
  } catch (err) {
    await stop();
    throw err;
  }
  const pair: ReplicationPair = {
    primary,
    replica,
    connect: (which, database) => rootConnection(which === 'primary' ? primary : replica, database),
    async caughtUp(timeoutMs = 20_000) {
      const pc = await rootConnection(primary);
      const rc = await rootConnection(replica);
      try {
        const [[pos]] = (await pc.query('SELECT @@global.gtid_binlog_pos AS g')) as unknown as [RowDataPacket[]];
        const target = String(pos!.g);
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          // MASTER_GTID_WAIT returns 0 once applied, -1 on its own timeout (seconds).
          const [[w]] = (await rc.query('SELECT MASTER_GTID_WAIT(?, 1) AS w', [target])) as unknown as [
            RowDataPacket[],
          ];
          if (Number(w!.w) === 0) return;
          if (Date.now() > deadline) throw new Error(`replica did not reach ${target} within ${timeoutMs} ms`);
          await sleep(50);
        }
      } finally {
        await pc.end().catch(() => pc.destroy());
        await rc.end().catch(() => rc.destroy());
      }
    },
    stop,
  };
  await pair.caughtUp();
  return pair;
}
