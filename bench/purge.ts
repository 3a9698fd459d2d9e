/** npm run bench:purge — dbkeeper's purge-locks vs pt-archiver vs one DELETE, on 1,000,000 locks (90 % expired),
 * each under the same booking-like traffic; prints JSON with the ratios. BENCH_PURGE_ROWS scales the table.
 * Then the replica leg (bench/purge-replica.ts; BENCH_PURGE_ONLY=replica runs it alone, BENCH_PURGE_REPLICA=0 skips
 * it). */
import { purgeOnce } from './purge-once.js';
import { runPeer } from './run-peer.js';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { appointmentLocksTableSql } from '../src/demo/platform-tables.js';
import { BENCH_DB, benchConnection } from './bench-db.js';
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { ALL_JOBS } from '../jobs/index.js';
import { loadConfig } from '../src/config/load-config.js';

const DB = BENCH_DB;
const SCHEMA = 'dbkeeper_bench_purge';
const ROWS = Number(process.env.BENCH_PURGE_ROWS ?? 1_000_000);
const TRAFFIC_CONNECTIONS = 8;
const BEFORE_MS = 8000;
const PT_ARCHIVER = process.env.PT_ARCHIVER ?? '/usr/bin/pt-archiver';

const connect = benchConnection;

/** The same table each time: 1 row in 10 live (1 h to 8 days ahead), the rest expired within 30 days. */
async function seed(admin: Connection, t0: string): Promise<void> {
  await admin.query('DROP TABLE IF EXISTS locks');
  await admin.query(appointmentLocksTableSql('locks'));
  for (let from = 0; from < ROWS; from += 200_000) {
    const to = Math.min(ROWS, from + 200_000) - 1;
    await admin.query(
      `INSERT INTO locks (id, company_id, staff_id, slot_starts_at, lock_token, expires_at)
       SELECT seq + 1, 1 + seq % 500, 1 + (seq DIV 500) % 50, ? + INTERVAL seq MINUTE, MD5(seq),
         IF(seq % 10 = 0, ? + INTERVAL (3600 + (seq * 104729) % 604800) SECOND, ? - INTERVAL (1 + (seq * 7919) % 2592000) SECOND)
       FROM seq_${from}_to_${to}`,
      ['2030-01-01 00:00:00', t0, t0],
    );
  }
}

interface Phase {
  latencies: number[];
  errors: number;
  errorSample: string[];
}
const newPhase = (): Phase => ({ latencies: [], errors: 0, errorSample: [] });

/** 8 connections taking a lock (INSERT, 10 min expiry) and releasing it (DELETE by id), paced like a booking app. */
function startTraffic(conns: Connection[], t0: string) {
  const state = { phase: newPhase(), stop: false };
  let slot = 0;
  const loops = conns.map(async (c, w) => {
    while (!state.stop) {
      const phase = state.phase;
      const timed = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
        const s = performance.now();
        try {
          const r = await fn();
          phase.latencies.push(performance.now() - s);
          return r;
        } catch (err) {
          phase.errors += 1;
          if (phase.errorSample.length < 3) phase.errorSample.push((err as Error).message);
          return undefined;
        }
      };
      slot += 1;
      const [ins] =
        (await timed(() =>
          c.query<ResultSetHeader>(
            'INSERT INTO locks (company_id, staff_id, slot_starts_at, lock_token, expires_at) VALUES (?, ?, ? + INTERVAL ? MINUTE, MD5(?), ? + INTERVAL 10 MINUTE)',
            [100_000 + w, 1, '2040-01-01 00:00:00', slot, slot, t0],
          ),
        )) ?? [];
      await sleep(2);
      if (ins) await timed(() => c.query('DELETE FROM locks WHERE id = ?', [ins.insertId]));
      await sleep(3);
    }
  });
  return {
    state,
    /** Starts a new measurement phase and returns the previous one. */
    next(): Phase {
      const p = state.phase;
      state.phase = newPhase();
      return p;
    },
    async stop(): Promise<Phase> {
      state.stop = true;
      await Promise.all(loops);
      return state.phase;
    },
  };
}

/** Traffic runs in a worker thread: the purge's own work in the main thread cannot delay its timings. */
async function trafficWorker(t0: string): Promise<void> {
  const conns: Connection[] = [];
  for (let i = 0; i < TRAFFIC_CONNECTIONS; i += 1) conns.push(await connect(SCHEMA));
  const traffic = startTraffic(conns, t0);
  parentPort!.postMessage({ kind: 'ready' });
  parentPort!.on('message', async (m: { kind: 'next' | 'stop' }) => {
    if (m.kind === 'next') parentPort!.postMessage({ kind: 'phase', phase: traffic.next() });
    else {
      const last = await traffic.stop();
      for (const c of conns) await c.end();
      parentPort!.postMessage({ kind: 'phase', phase: last });
      parentPort!.close();
    }
  });
}

function trafficThread(t0: string) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { traffic: true, t0 } });
  const replies: ((m: { kind: string; phase?: Phase }) => void)[] = [];
  worker.on('message', (m: { kind: string; phase?: Phase }) => replies.shift()?.(m));
  const ask = (kind: 'next' | 'stop' | null) =>
    new Promise<Phase>((resolve, reject) => {
      replies.push((m) => resolve(m.phase ?? newPhase()));
      worker.once('error', reject);
      if (kind) worker.postMessage({ kind });
    });
  return { ready: ask(null), next: () => ask('next'), stop: () => ask('stop'), kill: () => worker.terminate() };
}

function pct(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const r2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
function summarize(p: Phase) {
  const s = [...p.latencies].sort((a, b) => a - b);
  return {
    ops: s.length,
    p50_ms: r2(pct(s, 50)),
    p99_ms: r2(pct(s, 99)),
    max_ms: r2(s.at(-1) ?? null),
    errors: p.errors,
    ...(p.errorSample.length ? { error_sample: p.errorSample } : {}),
  };
}
const ratio = (a: number | null, b: number | null) =>
  a === null || b === null || b === 0 ? null : Math.round((a / b) * 1000) / 1000;

async function countExpired(admin: Connection, cutoff: string): Promise<number> {
  const [r] = await admin.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM locks WHERE expires_at < ?', [cutoff]);
  return Number(r[0]!.n);
}

/** After seeding, let InnoDB write back the seed's dirty pages so "before" measures traffic, not the seed:
 * until under 5 % dirty, or no progress for 5 s (idle MariaDB keeps some dirty pages), at most 60 s. */
async function settle(admin: Connection): Promise<{ seconds: number; dirty_pct: number }> {
  const s = performance.now();
  const history: number[] = [];
  for (;;) {
    const [r] = await admin.query<RowDataPacket[]>(
      "SELECT VARIABLE_NAME AS k, VARIABLE_VALUE AS v FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('INNODB_BUFFER_POOL_PAGES_DIRTY', 'INNODB_BUFFER_POOL_PAGES_TOTAL')",
    );
    const get = (k: string) => Number(r.find((x) => String(x.k).toUpperCase() === k)?.v ?? 0);
    const pct = (100 * get('INNODB_BUFFER_POOL_PAGES_DIRTY')) / Math.max(1, get('INNODB_BUFFER_POOL_PAGES_TOTAL'));
    history.push(pct);
    const seconds = (performance.now() - s) / 1000;
    const stalled = history.length > 10 && pct >= history[history.length - 11]! - 0.5;
    if (pct < 5 || stalled || seconds > 60) return { seconds: r2(seconds)!, dirty_pct: r2(pct)! };
    await sleep(500);
  }
}

/** Seeds, warms up traffic, measures BEFORE_MS of traffic, then runs `purge` under the same traffic. */
async function measure<T extends { rows: number }>(
  name: string,
  admin: Connection,
  t0: string,
  purge: () => Promise<T>,
) {
  process.stderr.write(`[bench:purge] ${name}: seeding ${ROWS.toLocaleString('en-US')} rows\n`);
  await seed(admin, t0);
  const expiredBefore = await countExpired(admin, t0);
  const settled = await settle(admin);
  const traffic = trafficThread(t0);
  await traffic.ready;
  let before: Phase, during: Phase, res: T, seconds: number;
  try {
    await sleep(1000);
    await traffic.next(); // warm-up discarded
    await sleep(BEFORE_MS);
    before = await traffic.next();
    process.stderr.write(`[bench:purge] ${name}: purging\n`);
    const s = performance.now();
    res = await purge();
    seconds = (performance.now() - s) / 1000;
    during = await traffic.next();
    await traffic.stop();
  } catch (err) {
    await traffic.kill();
    throw err;
  }
  const expiredLeft = await countExpired(admin, t0);
  const [live] = await admin.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM locks WHERE expires_at >= ? AND company_id < 100000',
    [t0],
  );
  process.stderr.write(`[bench:purge] ${name}: ${res.rows} rows in ${seconds.toFixed(1)} s\n`);
  return {
    ...res,
    seconds: r2(seconds),
    rows_per_s: Math.round(res.rows / seconds),
    settle_after_seed: settled,
    expired_before: expiredBefore,
    expired_left: expiredLeft,
    live_rows_left: Number(live[0]!.n),
    traffic: { before: summarize(before), during: summarize(during) },
  };
}

async function runDbkeeper(t0: Date) {
  const config = loadConfig({
    jobs: ALL_JOBS,
    env: {},
    overrides: {
      db: { ...DB, database: SCHEMA },
      schema: null,
      log: { level: 'warn' },
      jobs: {
        'purge-locks': {
          targets: [{ table: 'locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'Etc/UTC' }],
          // Experiments only: e.g. BENCH_PURGE_JOB='{"chunk":{...}}'. The printed config says what ran.
          ...(process.env.BENCH_PURGE_JOB ? (JSON.parse(process.env.BENCH_PURGE_JOB) as object) : {}),
        },
      },
    },
  });
  const r = await purgeOnce(config, () => t0);
  return {
    rows: r.rowsDeleted,
    chunks: r.chunks,
    slowest_chunk_ms: r2(r.slowestChunkMs),
    chunk_rows: r.chunkRows,
    job_rows_per_s: r.rowsPerSecond,
    paused_ms: Math.round(r.pausedMs),
    retries: r.retries,
    stop_reason: r.stopReason,
    config: { chunk: (config.jobs as Record<string, { chunk: unknown }>)['purge-locks']!.chunk },
    rested_ms: Math.round(r.restedMs),
  };
}

async function runPtArchiver(cutoff: string): Promise<{ rows: number; command: string }> {
  const args = [
    '--source',
    `h=${DB.host},P=${DB.port},u=${DB.user},D=${SCHEMA},t=locks,i=idx_locks_expires`,
    '--where',
    `expires_at < '${cutoff}'`,
    '--purge',
    '--bulk-delete',
    '--commit-each',
    '--limit',
    '1000',
    '--no-safe-auto-increment',
    '--no-check-charset',
    '--statistics',
  ];
  const r = await runPeer(PT_ARCHIVER, args, DB.password);
  if (r.code !== 0) throw new Error(`pt-archiver exited ${r.code}: ${r.stderr.trim()}`);
  const deleted = /DELETE\s+(\d+)/.exec(r.stdout);
  return { rows: deleted ? Number(deleted[1]) : NaN, command: `pt-archiver ${args.join(' ')}` };
}

async function runSingleDelete(cutoff: string) {
  const c = await connect(SCHEMA);
  try {
    await c.query('SET SESSION innodb_lock_wait_timeout = 600');
    const [r] = await c.query<ResultSetHeader>('DELETE FROM locks WHERE expires_at < ?', [cutoff]);
    return { rows: r.affectedRows, statement: 'DELETE FROM locks WHERE expires_at < ? (autocommit, REPEATABLE READ)' };
  } finally {
    await c.end();
  }
}

async function main() {
  // The replica leg (issue 16) on its own: BENCH_PURGE_ONLY=replica.
  if (process.env.BENCH_PURGE_ONLY === 'replica') {
    const { replicaLeg } = await import('./purge-replica.js');
    process.stdout.write(`${JSON.stringify(await replicaLeg(), null, 2)}\n`);
    return;
  }
  const admin = await connect();
  const [v] = await admin.query<RowDataPacket[]>(
    'SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp, @@innodb_flush_log_at_trx_commit AS flush',
  );
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA}`);
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  await admin.query(`USE ${SCHEMA}`);
  // One fixed instant for seeding and every purge: the same rows are expired in all three runs.
  const t0Date = new Date();
  t0Date.setUTCMilliseconds(0);
  const t0 = t0Date.toISOString().replace('T', ' ').replace('.000Z', '');
  const started = performance.now();
  try {
    const dbkeeper = await measure('dbkeeper purge-locks', admin, t0, () => runDbkeeper(t0Date));
    if (process.env.BENCH_PURGE_ONLY === 'dbkeeper') {
      process.stdout.write(`${JSON.stringify(dbkeeper, null, 2)}\n`);
      return;
    }
    const pt = await measure('pt-archiver', admin, t0, () => runPtArchiver(t0));
    const single = await measure('single DELETE', admin, t0, () => runSingleDelete(t0));
    const p99 = (x: { traffic: typeof dbkeeper.traffic }) =>
      [x.traffic.during.p99_ms, x.traffic.before.p99_ms] as const;
    const timeRatio = ratio(dbkeeper.seconds, pt.seconds);
    const trafficRatio = ratio(...p99(dbkeeper));
    const out = {
      bench: 'purge',
      rows_seeded: ROWS,
      expired_share: 0.9,
      traffic: `${TRAFFIC_CONNECTIONS} connections in a worker thread, each: INSERT a lock (10 min expiry), 2 ms, DELETE it by id, 3 ms; latency per statement`,
      server: {
        version: String(v[0]!.v),
        innodb_buffer_pool_mb: Number(v[0]!.bp) / 1048576,
        innodb_flush_log_at_trx_commit: Number(v[0]!.flush),
        cpus: cpus().length,
      },
      caveat: 'shared MariaDB on a 2-core machine with other test runs going on; figures may be noisy',
      dbkeeper,
      pt_archiver: pt,
      single_delete: single,
      ratios: {
        dbkeeper_time_vs_pt_archiver: timeRatio,
        dbkeeper_time_vs_single_delete: ratio(dbkeeper.seconds, single.seconds),
        dbkeeper_traffic_p99_during_vs_before: trafficRatio,
        pt_archiver_traffic_p99_during_vs_before: ratio(...p99(pt)),
        single_delete_traffic_p99_during_vs_before: ratio(...p99(single)),
        single_delete_traffic_max_during_ms: single.traffic.during.max_ms,
      },
      targets: {
        time_le_0_8_x_pt_archiver: timeRatio !== null && timeRatio <= 0.8,
        traffic_p99_during_le_1_5_x_before: trafficRatio !== null && trafficRatio <= 1.5,
        slowest_chunk_le_250_ms: dbkeeper.slowest_chunk_ms !== null && dbkeeper.slowest_chunk_ms <= 250,
      },
      bench_seconds: r2((performance.now() - started) / 1000),
      replica_leg:
        process.env.BENCH_PURGE_REPLICA === '0'
          ? 'skipped (BENCH_PURGE_REPLICA=0)'
          : await (await import('./purge-replica.js')).replicaLeg(),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA}`);
    await admin.end();
  }
}

const run = isMainThread ? main() : trafficWorker((workerData as { t0: string }).t0);
run.catch((err: unknown) => {
  process.stderr.write(`bench:purge failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
