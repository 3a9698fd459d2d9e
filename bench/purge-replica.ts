/** The replica leg of `npm run bench:purge` (issue 16): a primary and a replica (two throwaway mariadbd), the same
 * locks table and booking-like traffic, dbkeeper's purge-locks (replicas.maxLagSeconds 1) against
 * `pt-archiver --check-slave-lag … --max-lag 1` in the same run. Replica lag is sampled every 100 ms by a probe of
 * the bench's own (a beat written on the primary, read on the replica), independent of both tools. */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import mysql, { type Connection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { ALL_JOBS } from '../jobs/index.js';
import { loadConfig } from '../src/config/load-config.js';
import { appointmentLocksTableSql } from '../src/demo/platform-tables.js';
import { startReplicationPair } from '../test/helpers/replication-pair.js';
import { purgeOnce } from './purge-once.js';
import { runPeer } from './run-peer.js';

const SCHEMA = 'bench_replica';
const ROWS = Number(process.env.BENCH_PURGE_REPLICA_ROWS ?? 200_000);
const TRAFFIC_CONNECTIONS = 8;
const PT_ARCHIVER = process.env.PT_ARCHIVER ?? '/usr/bin/pt-archiver';

const connectTo = (port: number, database?: string) =>
  mysql.createConnection({
    host: '127.0.0.1',
    port,
    user: 'root',
    password: '',
    timezone: 'Z',
    ...(database ? { database } : {}),
  });

async function seed(admin: Connection, t0: string): Promise<void> {
  await admin.query(`DROP TABLE IF EXISTS ${SCHEMA}.locks`);
  await admin.query(appointmentLocksTableSql(`${SCHEMA}.locks`));
  for (let from = 0; from < ROWS; from += 50_000) {
    const to = Math.min(ROWS, from + 50_000) - 1;
    await admin.query(
      `INSERT INTO ${SCHEMA}.locks (id, company_id, staff_id, slot_starts_at, lock_token, expires_at)
       SELECT seq + 1, 1 + seq % 500, 1 + (seq DIV 500) % 50, ? + INTERVAL seq MINUTE, MD5(seq),
         IF(seq % 10 = 0, ? + INTERVAL (3600 + (seq * 104729) % 604800) SECOND, ? - INTERVAL (1 + (seq * 7919) % 2592000) SECOND)
       FROM ${SCHEMA}.seq_${from}_to_${to}`,
      ['2030-01-01 00:00:00', t0, t0],
    );
  }
}

/** Traffic in a worker thread: INSERT a lock, 2 ms, DELETE it by id, 3 ms, on 8 connections. */
async function trafficWorker(port: number, t0: string): Promise<void> {
  const conns: Connection[] = [];
  for (let i = 0; i < TRAFFIC_CONNECTIONS; i += 1) conns.push(await connectTo(port, SCHEMA));
  const latencies: number[] = [];
  let errors = 0;
  let stop = false;
  let slot = 0;
  const loops = conns.map(async (c, w) => {
    while (!stop) {
      slot += 1;
      const s = performance.now();
      try {
        const [ins] = await c.query<ResultSetHeader>(
          'INSERT INTO locks (company_id, staff_id, slot_starts_at, lock_token, expires_at) VALUES (?, ?, ? + INTERVAL ? MINUTE, MD5(?), ? + INTERVAL 10 MINUTE)',
          [100_000 + w, 1, '2040-01-01 00:00:00', slot, slot, t0],
        );
        latencies.push(performance.now() - s);
        await sleep(2);
        const d = performance.now();
        await c.query('DELETE FROM locks WHERE id = ?', [ins.insertId]);
        latencies.push(performance.now() - d);
      } catch {
        errors += 1;
      }
      await sleep(3);
    }
  });
  parentPort!.postMessage({ kind: 'ready' });
  parentPort!.once('message', async () => {
    stop = true;
    await Promise.all(loops);
    for (const c of conns) await c.end();
    parentPort!.postMessage({ kind: 'done', latencies, errors });
  });
}

function startTraffic(port: number, t0: string) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { traffic: true, port, t0 } });
  const next = () =>
    new Promise<{ kind: string; latencies?: number[]; errors?: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  const ready = next();
  return {
    ready,
    async stop() {
      const done = next();
      worker.postMessage('stop');
      const r = await done;
      await worker.terminate();
      return { latencies: r.latencies ?? [], errors: r.errors ?? 0 };
    },
  };
}

/** Lag as the bench sees it: a beat written on the primary every 100 ms, read on the replica every 100 ms. */
function startLagProbe(primary: Connection, replica: Connection) {
  const samples: number[] = [];
  let stop = false;
  const writer = (async () => {
    while (!stop) {
      await primary.query(
        `REPLACE INTO ${SCHEMA}.bench_beat (id, at_us) VALUES (1, CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS UNSIGNED))`,
      );
      await sleep(100);
    }
  })();
  const reader = (async () => {
    while (!stop) {
      const [[p]] = (await primary.query(
        'SELECT CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS UNSIGNED) AS now_us',
      )) as unknown as [RowDataPacket[]];
      const [rows] = await replica.query<RowDataPacket[]>(`SELECT at_us FROM ${SCHEMA}.bench_beat WHERE id = 1`);
      if (rows[0]) samples.push(Math.max(0, (Number(p!.now_us) - Number(rows[0].at_us)) / 1e6));
      await sleep(100);
    }
  })();
  return {
    async stop() {
      stop = true;
      await Promise.all([writer, reader]);
      return samples;
    },
  };
}

function pct(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const r3 = (n: number | null) => (n === null ? null : Math.round(n * 1000) / 1000);

async function measureLeg(
  name: string,
  pair: Awaited<ReturnType<typeof startReplicationPair>>,
  t0: string,
  purge: () => Promise<Record<string, unknown> & { rows: number }>,
) {
  const primary = await pair.connect('primary');
  const replica = await pair.connect('replica');
  try {
    process.stderr.write(`[bench:purge replica] ${name}: seeding ${ROWS.toLocaleString('en-US')} rows\n`);
    await seed(primary, t0);
    await pair.caughtUp(300_000);
    const traffic = startTraffic(pair.primary.port, t0);
    await traffic.ready;
    await sleep(1000);
    const lag = startLagProbe(primary, replica);
    await sleep(1000);
    const s = performance.now();
    const res = await purge();
    const seconds = (performance.now() - s) / 1000;
    const lags = (await lag.stop()).sort((a, b) => a - b);
    const t = await traffic.stop();
    const lat = t.latencies.sort((a, b) => a - b);
    await pair.caughtUp(300_000);
    const [[left]] = (await replica.query(`SELECT COUNT(*) AS n FROM ${SCHEMA}.locks WHERE expires_at < ?`, [
      t0,
    ])) as unknown as [RowDataPacket[]];
    process.stderr.write(`[bench:purge replica] ${name}: ${res.rows} rows in ${seconds.toFixed(1)} s\n`);
    return {
      ...res,
      purge_seconds: r3(seconds),
      replica_lag_s: {
        samples: lags.length,
        max: r3(lags.at(-1) ?? null),
        p99: r3(pct(lags, 99)),
        p50: r3(pct(lags, 50)),
      },
      traffic: { ops: lat.length, p99_ms: r3(pct(lat, 99)), max_ms: r3(lat.at(-1) ?? null), errors: t.errors },
      expired_left_on_replica: Number(left!.n),
    };
  } finally {
    await primary.end();
    await replica.end();
  }
}

async function runDbkeeper(port: number, replicaPort: number) {
  const config = loadConfig({
    jobs: ALL_JOBS,
    env: {},
    overrides: {
      db: {
        host: '127.0.0.1',
        port,
        user: 'root',
        password: '',
        database: SCHEMA,
        ssl: { mode: 'disabled', ca: null, cert: null, key: null },
      },
      schema: null,
      log: { level: 'warn' },
      replicas: {
        nodes: [
          {
            name: 'replica',
            host: '127.0.0.1',
            port: replicaPort,
            user: 'root',
            password: '',
            ssl: { mode: 'disabled', ca: null, cert: null, key: null },
          },
        ],
        maxLagSeconds: 1,
        pollMs: 250,
      },
      jobs: {
        'purge-locks': {
          targets: [{ table: 'locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'Etc/UTC' }],
          throttle: { pollMs: 250 },
        },
      },
    },
  });
  const r = await purgeOnce(config);
  return {
    rows: r.rowsDeleted,
    chunks: r.chunks,
    paused_for_replica_ms: Math.round(r.replicaPausedMs),
    pauses: r.pauses.length,
    stop_reason: r.stopReason,
  };
}

async function runPtArchiver(port: number, replicaPort: number, cutoff: string) {
  const args = [
    '--source',
    `h=127.0.0.1,P=${port},u=root,D=${SCHEMA},t=locks,i=idx_locks_expires`,
    '--where',
    `expires_at < '${cutoff}'`,
    '--purge',
    '--bulk-delete',
    '--commit-each',
    '--limit',
    '1000',
    '--check-slave-lag',
    `h=127.0.0.1,P=${replicaPort},u=root`,
    '--max-lag',
    '1',
    '--check-interval',
    '1',
    '--no-safe-auto-increment',
    '--no-check-charset',
    '--statistics',
  ];
  const r = await runPeer(PT_ARCHIVER, args);
  if (r.code !== 0) throw new Error(`pt-archiver exited ${r.code}: ${r.stderr.trim()}`);
  const deleted = /DELETE\s+(\d+)/.exec(r.stdout);
  return { rows: deleted ? Number(deleted[1]) : NaN, command: `pt-archiver ${args.join(' ')}` };
}

export async function replicaLeg(): Promise<Record<string, unknown>> {
  const started = performance.now();
  // A bigger buffer pool than the test servers' 64M: later options win.
  const pair = await startReplicationPair({ args: ['--innodb-buffer-pool-size=512M'], startTimeoutMs: 120_000 });
  try {
    const admin = await pair.connect('primary');
    await admin.query(`CREATE SCHEMA ${SCHEMA}`);
    await admin.query(
      `CREATE TABLE ${SCHEMA}.bench_beat (id TINYINT PRIMARY KEY, at_us BIGINT UNSIGNED NOT NULL) ENGINE=InnoDB`,
    );
    const [[v]] = (await admin.query('SELECT VERSION() AS v')) as unknown as [RowDataPacket[]];
    await admin.end();
    const t0Date = new Date();
    t0Date.setUTCMilliseconds(0);
    const t0 = t0Date.toISOString().replace('T', ' ').replace('.000Z', '');
    const dbkeeper = await measureLeg('dbkeeper purge-locks', pair, t0, () =>
      runDbkeeper(pair.primary.port, pair.replica.port),
    );
    const pt = await measureLeg('pt-archiver --check-slave-lag', pair, t0, () =>
      runPtArchiver(pair.primary.port, pair.replica.port, t0),
    );
    const ratio = (a: number | null, b: number | null) =>
      a === null || b === null || b === 0 ? null : Math.round((a / b) * 1000) / 1000;
    return {
      leg: 'replica',
      rows_seeded: ROWS,
      rows_note:
        ROWS === 1_000_000
          ? 'as the issue asks'
          : `${ROWS.toLocaleString('en-US')} rows, not the issue's 1,000,000 (BENCH_PURGE_REPLICA_ROWS sets it)`,
      servers: `two throwaway mariadbd ${String(v!.v)} on loopback (binlog ROW, GTID replica), 512M buffer pool each, on the same 2 cores as everything else`,
      lag_probe:
        'bench beat on the primary every 100 ms, read on the replica every 100 ms (includes up to 0.1 s of probe staleness)',
      dbkeeper,
      pt_archiver: pt,
      ratios: {
        purge_seconds_dbkeeper_vs_pt: ratio(dbkeeper.purge_seconds, pt.purge_seconds),
        max_lag_dbkeeper_vs_pt: ratio(dbkeeper.replica_lag_s.max, pt.replica_lag_s.max),
      },
      targets: {
        dbkeeper_max_lag_le_2_s: dbkeeper.replica_lag_s.max !== null && dbkeeper.replica_lag_s.max <= 2,
        dbkeeper_max_lag_le_pt_archiver:
          dbkeeper.replica_lag_s.max !== null &&
          pt.replica_lag_s.max !== null &&
          dbkeeper.replica_lag_s.max <= pt.replica_lag_s.max,
        purge_time_le_pt_archiver:
          dbkeeper.purge_seconds !== null && pt.purge_seconds !== null && dbkeeper.purge_seconds <= pt.purge_seconds,
      },
      bench_seconds: r3((performance.now() - started) / 1000),
    };
  } finally {
    await pair.stop();
  }
}

if (!isMainThread && (workerData as { traffic?: boolean })?.traffic) {
  const d = workerData as { port: number; t0: string };
  trafficWorker(d.port, d.t0).catch((err: unknown) => {
    process.stderr.write(`traffic worker failed: ${String(err)}\n`);
    process.exitCode = 1;
  });
}
