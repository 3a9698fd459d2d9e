// Busy memory of the real worker over a soak: every job on the demo schema every 15 s, memory sampled every few
// seconds. `npm run bench:soak [-- --minutes=10 --every=15 --sample=5 --warmup=60 --gc --snapshots]`.
// --gc: the worker runs with --expose-gc and every sample follows a full GC, so heapUsed is what is retained
// (a leak rises there), not garbage waiting for the next collection. --snapshots: heap snapshots after the warm-up
// and at the end, and what grew between them (kept in bench/results/). Needs the local MariaDB; its own schema.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RowDataPacket } from 'mysql2/promise';
import { ALL_JOBS } from '../jobs/index.js';
import { createDemoSchema } from '../src/demo/demo-schema.js';
import { BENCH_DB, benchConnection } from './bench-db.js';
import { heapGrowth } from './heap-snapshot-diff.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER = 'dist/src/worker.js';
const MAX_MINUTES = 120;

function arg(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
  return n;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

interface Sample {
  t: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
}
type Metric = Exclude<keyof Sample, 't'>;

const mb = (bytes: number) => +(bytes / 1048576).toFixed(2);
const r2 = (n: number) => +n.toFixed(2);

function rssMbOf(pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return +(kb / 1024).toFixed(1);
}

/** The shipped node args (`npm start`), as bench:worker-rss reads them. */
function startScriptArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = (pkg.scripts.start ?? '').trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== WORKER) throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  return words.slice(1, -1);
}

function ask<T>(child: ChildProcess, message: Record<string, unknown>, kind: string): Promise<T> {
  return new Promise((res) => {
    const on = (m: { soak?: string }) => {
      if (m?.soak !== kind) return;
      child.off('message', on);
      res(m as T);
    };
    child.on('message', on);
    child.send(message);
  });
}

/** Least-squares slope of a metric against time, in MB per hour. */
function slopePerHour(samples: Sample[], metric: Metric): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mt = samples.reduce((s, x) => s + x.t, 0) / n;
  const mv = samples.reduce((s, x) => s + x[metric], 0) / n;
  const num = samples.reduce((s, x) => s + (x.t - mt) * (x[metric] - mv), 0);
  const den = samples.reduce((s, x) => s + (x.t - mt) ** 2, 0);
  return r2((num / den) * 3600);
}

function stats(samples: Sample[], metric: Metric) {
  const v = samples.map((s) => s[metric]);
  return { min: r2(Math.min(...v)), max: r2(Math.max(...v)), mean: r2(v.reduce((a, b) => a + b, 0) / v.length) };
}

async function main() {
  const minutes = arg('minutes', 10);
  if (minutes > MAX_MINUTES) throw new Error(`--minutes at most ${MAX_MINUTES}`);
  const every = arg('every', 15);
  const sampleEvery = arg('sample', 5);
  const warmup = arg('warmup', 60);
  const forceGc = flag('gc');
  const snapshots = flag('snapshots');

  const schema = `dbkeeper_soak_${randomBytes(4).toString('hex')}`;
  const admin = await benchConnection();
  await admin.query("SET SESSION time_zone = '+00:00'");
  await createDemoSchema(admin, new Date(), schema);
  const dir = mkdtempSync(join(tmpdir(), 'dbkeeper-soak-'));
  const resultsDir = join(ROOT, 'bench/results', `soak-${schema}`);
  const often = { enabled: true, schedule: `*/${every} * * * * *`, catchUp: false };
  const jobs: Record<string, Record<string, unknown>> = Object.fromEntries(ALL_JOBS.map((j) => [j.name, { ...often }]));
  // As `npm run demo` configures them: small tables may be rebuilt, the demo application writes DATETIME in UTC.
  Object.assign(jobs['table-maintenance']!, { minReclaimBytes: 0, optimizeTables: ['appointments', 'calls'] });
  Object.assign(jobs['purge-locks']!, {
    targets: [{ table: 'appointment_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'Etc/UTC' }],
  });
  const configPath = join(dir, 'config.json');
  const config = { db: { ...BENCH_DB, database: schema }, report: { outboxDir: join(dir, 'outbox') }, jobs };
  writeFileSync(configPath, JSON.stringify(config));

  const nodeArgs = [...startScriptArgs(), ...(forceGc ? ['--expose-gc'] : [])];
  const sampler = pathToFileURL(join(ROOT, 'dist/bench/soak-sampler.js')).href;
  const worker = spawn(process.execPath, [...nodeArgs, `--import=${sampler}`, join(ROOT, WORKER)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DBKEEPER_CONFIG: configPath },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const peerArgs = [...startScriptArgs(), '-e', 'setInterval(() => {}, 1000)'];
  const peer = spawn(process.execPath, peerArgs, { stdio: 'ignore' });
  const samples: Sample[] = [];
  const snapshot = async (name: string) =>
    (await ask<{ path: string }>(worker, { soak: 'snapshot', path: join(resultsDir, name) }, 'snapshot')).path;
  let early: string | null = null;
  let late: string | null = null;
  try {
    await new Promise<void>((res, rej) => {
      worker.on('message', (m) => m === 'ready' && res());
      worker.on('exit', (code) => rej(new Error(`worker exited ${code} before ready`)));
    });
    const t0 = performance.now();
    const endAt = minutes * 60;
    for (let next = 0; next <= endAt; next += sampleEvery) {
      await sleep(Math.max(0, t0 + next * 1000 - performance.now()));
      const { memory } = await ask<{ memory: NodeJS.MemoryUsage }>(worker, { soak: 'sample' }, 'sample');
      const t = r2((performance.now() - t0) / 1000);
      samples.push({
        t,
        rssMb: rssMbOf(worker.pid!),
        heapUsedMb: mb(memory.heapUsed),
        heapTotalMb: mb(memory.heapTotal),
        externalMb: mb(memory.external),
        arrayBuffersMb: mb(memory.arrayBuffers),
      });
      if (snapshots && early === null && t >= warmup) {
        mkdirSync(resultsDir, { recursive: true });
        early = await snapshot('early.heapsnapshot');
      }
    }
    if (snapshots) late = await snapshot('late.heapsnapshot');
    const peerRss = rssMbOf(peer.pid!);
    const [runs] = await admin.query<RowDataPacket[]>(
      `SELECT status, COUNT(*) AS n FROM \`${schema}\`.dbkeeper_runs GROUP BY status ORDER BY status`,
    );

    const busy = samples.filter((s) => s.t >= warmup);
    const q = Math.max(1, Math.floor(busy.length / 4));
    const first = busy.slice(0, q);
    const last = busy.slice(-q);
    const floor = (xs: Sample[], m: Metric) => r2(Math.min(...xs.map((s) => s[m])));
    const window = (xs: Sample[]) => ({
      fromS: xs[0]!.t,
      toS: xs.at(-1)!.t,
      rssFloorMb: floor(xs, 'rssMb'),
      heapUsedFloorMb: floor(xs, 'heapUsedMb'),
      externalFloorMb: floor(xs, 'externalMb'),
    });
    // Floors minute by minute: a leak keeps rising with the runs, warm-up (JIT, heap sizing) levels off.
    const perMinute = [...new Set(busy.map((s) => Math.floor(s.t / 60)))].map((m) => {
      const xs = busy.filter((s) => Math.floor(s.t / 60) === m);
      return { minute: m, rssFloorMb: floor(xs, 'rssMb'), heapUsedFloorMb: floor(xs, 'heapUsedMb') };
    });
    const rssRise = r2(floor(last, 'rssMb') - floor(first, 'rssMb'));
    const heapRise = r2(floor(last, 'heapUsedMb') - floor(first, 'heapUsedMb'));
    // Retained heap is the leak signal; RSS alone also moves with V8's heap sizing and the allocator.
    const heapFlat = heapRise <= 1;
    // Writing a heap snapshot leaves the process ~90 MB larger (malloc keeps it): RSS is not judged then.
    const rssFlat = snapshots || rssRise <= Math.max(3, 0.05 * floor(first, 'rssMb'));
    const heapVerdict = forceGc
      ? ' after forced GC: retained; see floorsPerMinute (levels off or not) and heapGrowth (what)'
      : ': run with --gc to tell garbage from retained';
    const verdict = heapFlat
      ? rssFlat
        ? 'flat: no growth of the floor beyond noise'
        : 'RSS floor rising while the heap floor is flat: V8/allocator sizing, not retained objects'
      : `heap floor rising ${heapRise} MB${heapVerdict}`;

    console.log(
      JSON.stringify(
        {
          bench: 'worker-soak',
          node: process.version,
          command: `node ${nodeArgs.join(' ')} ${WORKER}`,
          minutes,
          jobsEverySeconds: every,
          jobs: ALL_JOBS.map((j) => j.name),
          sampleEverySeconds: sampleEvery,
          forcedGcBeforeEachSample: forceGc,
          warmupSeconds: warmup,
          runs: Object.fromEntries(runs.map((r) => [String(r.status), Number(r.n)])),
          samples: samples.length,
          summary: {
            rssMb: stats(busy, 'rssMb'),
            heapUsedMb: stats(busy, 'heapUsedMb'),
            heapTotalMb: stats(busy, 'heapTotalMb'),
            externalMb: stats(busy, 'externalMb'),
            arrayBuffersMb: stats(busy, 'arrayBuffersMb'),
          },
          firstQuarter: window(first),
          lastQuarter: window(last),
          floorsPerMinute: perMinute,
          rssFloorRiseMb: rssRise,
          ...(snapshots
            ? { rssNote: 'inflated from the first heap snapshot on (malloc keeps what writing it took)' }
            : {}),
          heapUsedFloorRiseMb: heapRise,
          slopeMbPerHour: { rss: slopePerHour(busy, 'rssMb'), heapUsed: slopePerHour(busy, 'heapUsedMb') },
          peer: 'bare node process (same args, setInterval), same run',
          peerRssMb: peerRss,
          ratioBusyRssFloorToPeer: r2(floor(busy, 'rssMb') / peerRss),
          verdict,
          ...(early && late ? { heapSnapshots: { early, late }, heapGrowth: heapGrowth(early, late) } : {}),
        },
        null,
        2,
      ),
    );
  } finally {
    worker.kill('SIGTERM');
    peer.kill('SIGKILL');
    await Promise.all(
      [worker, peer].map(
        (c) => new Promise((r) => (c.exitCode !== null || c.signalCode ? r(null) : c.once('exit', r))),
      ),
    );
    await admin.query(`DROP SCHEMA IF EXISTS \`${schema}\``);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
