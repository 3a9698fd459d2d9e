// Idle memory of the worker as shipped (`npm start`, the same node args as ecosystem.config.js), once start-up has
// settled, beside a bare Node process measured in the same run. `npm run bench:worker-rss`
// (needs the local MariaDB; uses and drops its own schema). Also: node's defaults, and the shipped worker with
// prom-client and a metrics listener preloaded (the headroom a later metrics feature needs), and with --lite-mode.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BENCH_DB, benchConnection } from './bench-db.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER = 'dist/src/worker.js';
const TARGET_MB = 60;
/** Settled: the last SETTLE_SAMPLES samples (1 s apart) lie within SETTLE_SPREAD_MB, and at least MIN_IDLE_S passed
 * (V8 gives start-up garbage back some 8 s after the last allocations; 10 s after ready was not settled). */
const SETTLE_SAMPLES = 10;
const SETTLE_SPREAD_MB = 0.5;
const MIN_IDLE_S = 20;
const MAX_IDLE_S = 90;

interface Mem {
  rss: number;
  peak: number;
  anon: number;
  file: number;
}

function memMb(pid: number): Mem {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  const mb = (key: string) => +(kb(key) / 1024).toFixed(1);
  return { rss: mb('VmRSS'), peak: mb('VmHWM'), anon: mb('RssAnon'), file: mb('RssFile') };
}

/** The node args of `npm start` (package.json), which the bench measures as "as shipped". */
function startScriptArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = (pkg.scripts.start ?? '').trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== WORKER) throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  return words.slice(1, -1);
}

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((res, rej) => {
    child.on('message', (m) => m === 'ready' && res());
    child.on('exit', (code) => rej(new Error(`worker exited ${code} before ready`)));
  });
}

/** Sample every second until settled (or MAX_IDLE_S); the figure is the last sample. */
async function settledMem(pids: number[]): Promise<{ mems: Mem[]; seconds: number; settled: boolean }> {
  const series: Mem[][] = pids.map(() => []);
  for (let s = 1; s <= MAX_IDLE_S; s += 1) {
    await sleep(1000);
    pids.forEach((pid, i) => series[i]!.push(memMb(pid)));
    const stable = series.every((xs) => {
      const last = xs.slice(-SETTLE_SAMPLES).map((m) => m.rss);
      return last.length === SETTLE_SAMPLES && Math.max(...last) - Math.min(...last) <= SETTLE_SPREAD_MB;
    });
    if (s >= MIN_IDLE_S && stable) return { mems: series.map((xs) => xs.at(-1)!), seconds: s, settled: true };
  }
  return { mems: series.map((xs) => xs.at(-1)!), seconds: MAX_IDLE_S, settled: false };
}

async function main() {
  const admin = await benchConnection();
  const dir = mkdtempSync(join(tmpdir(), 'dbkeeper-rss-'));
  const schemas: string[] = [];
  /** Every job with its default schedule: the worker as operators run it, on an empty schema of its own. */
  const configFor = async (name: string) => {
    const schema = `dbkeeper_b_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE SCHEMA \`${schema}\``);
    schemas.push(schema);
    const path = join(dir, `${name}.json`);
    const config = { db: { ...BENCH_DB, database: schema }, report: { outboxDir: join(dir, `outbox-${name}`) } };
    writeFileSync(path, JSON.stringify(config));
    return path;
  };
  const { apps } = (await import(pathToFileURL(join(ROOT, 'ecosystem.config.js')).href)) as {
    apps: { node_args?: string[] }[];
  };
  const pm2Args = apps[0]?.node_args ?? [];
  const shipped = startScriptArgs();
  const startWorker = async (name: string, args: string[], env: Record<string, string> = {}) =>
    spawn(process.execPath, [...args, join(ROOT, WORKER)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DBKEEPER_CONFIG: await configFor(name), ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
  const workers = {
    asShipped: await startWorker('shipped', shipped),
    nodeDefaults: await startWorker('defaults', []),
    // The real metrics listener (src/metrics), on a free loopback port.
    asShippedWithMetrics: await startWorker('metrics', shipped, { DBKEEPER_METRICS_PORT: '0' }),
    // Not shipped: V8 without its optimising compilers (a candidate flag; jobs' CPU-bound parts run slower).
    asShippedPlusLiteMode: await startWorker('lite', [...shipped, '--lite-mode']),
  };
  const peer = spawn(process.execPath, [...shipped, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const all = [...Object.values(workers), peer];
  try {
    await Promise.all(Object.values(workers).map(waitReady));
    const { mems, seconds, settled } = await settledMem(all.map((c) => c.pid!));
    const [a, d, p, lite, bare] = mems as [Mem, Mem, Mem, Mem, Mem];
    const ratio = (m: Mem) => +(m.rss / bare.rss).toFixed(2);
    const fig = (m: Mem) => ({ rssMb: m.rss, peakRssMb: m.peak, rssAnonMb: m.anon, rssFileMb: m.file });
    console.log(
      JSON.stringify(
        {
          bench: 'worker-idle-rss',
          node: process.version,
          idleSecondsAfterReady: seconds,
          settled,
          settleRule: `${SETTLE_SAMPLES} samples 1 s apart within ${SETTLE_SPREAD_MB} MB, after >= ${MIN_IDLE_S} s`,
          asShipped: { command: `node ${shipped.join(' ')} ${WORKER}`, nodeArgs: shipped, ...fig(a) },
          pm2NodeArgsSameAsNpmStart: JSON.stringify(pm2Args) === JSON.stringify(shipped),
          nodeDefaults: { nodeArgs: [], ...fig(d) },
          asShippedWithMetrics: {
            what: 'DBKEEPER_METRICS_PORT=0: prom-client, default metrics and the /metrics listener on loopback',
            ...fig(p),
            costMb: +(p.rss - a.rss).toFixed(1),
          },
          asShippedPlusLiteMode: { nodeArgs: [...shipped, '--lite-mode'], shipped: false, ...fig(lite) },
          peer: `bare node process (node ${shipped.join(' ')} -e setInterval)`,
          peerRssMb: bare.rss,
          ratioAsShipped: ratio(a),
          ratioNodeDefaults: ratio(d),
          targetRssMb: TARGET_MB,
          metAsShipped: a.rss <= TARGET_MB,
          headroomMb: +(TARGET_MB - a.rss).toFixed(1),
          metAsShippedWithMetrics: p.rss <= TARGET_MB,
          metWithLiteMode: lite.rss <= TARGET_MB,
        },
        null,
        2,
      ),
    );
  } finally {
    for (const w of Object.values(workers)) w.kill('SIGTERM');
    peer.kill('SIGKILL');
    const exited = (w: ChildProcess) =>
      new Promise((r) => (w.exitCode !== null || w.signalCode ? r(null) : w.once('exit', r)));
    await Promise.all(all.map(exited));
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS \`${schema}\``);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
