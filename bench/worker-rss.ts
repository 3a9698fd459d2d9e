// Idle memory of the worker after start-up, beside a bare Node process measured in the same run.
// `npm run bench:worker-rss` (needs the local MariaDB; uses and drops its own schema).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BENCH_DB, benchConnection } from './bench-db.js';


const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DB = BENCH_DB;
const IDLE_MS = 10_000;
const metricsEnv = Object.fromEntries(
  ['DBKEEPER_METRICS_PORT', 'DBKEEPER_METRICS_TEXTFILE'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
);

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: +(kb('VmRSS') / 1024).toFixed(1), peak: +(kb('VmHWM') / 1024).toFixed(1) };
}

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((res, rej) => {
    child.on('message', (m) => m === 'ready' && res());
    child.on('exit', (code) => rej(new Error(`worker exited ${code} before ready`)));
  });
}

async function main() {
  const schema = `dbkeeper_b_${randomBytes(4).toString('hex')}`;
  const admin = await benchConnection();
  await admin.query(`CREATE SCHEMA \`${schema}\``);
  const dir = mkdtempSync(join(tmpdir(), 'dbkeeper-rss-'));
  const configPath = join(dir, 'config.json');
  // Every job with its default schedule: the worker as operators run it, just on an empty schema.
  writeFileSync(configPath, JSON.stringify({ db: { ...DB, database: schema }, report: { outboxDir: join(dir, 'outbox') } }));
  const { apps } = (await import(pathToFileURL(join(ROOT, 'ecosystem.config.js')).href)) as { apps: { node_args?: string[] }[] };
  const pm2Args = apps[0]?.node_args ?? [];
  const startWorker = (args: string[]) =>
    spawn(process.execPath, [...args, join(ROOT, 'dist/src/worker.js')], {
      cwd: ROOT,
      // DBKEEPER_METRICS_PORT=0 npm run bench:worker-rss measures the worker with the metrics listener on.
      env: { PATH: process.env.PATH ?? '', DBKEEPER_CONFIG: configPath, ...metricsEnv },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
  // Both on one schema: they race for the same slots (harmless); memory is per process.
  const plain = startWorker([]);
  const underPm2 = startWorker(pm2Args);
  const peer = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await Promise.all([waitReady(plain), waitReady(underPm2)]);
    await sleep(IDLE_MS);
    const a = rssMb(plain.pid!);
    const b = rssMb(underPm2.pid!);
    const p = rssMb(peer.pid!);
    console.log(
      JSON.stringify(
        {
          bench: 'worker-idle-rss',
          node: process.version,
          idleSecondsAfterReady: IDLE_MS / 1000,
          metrics: Object.keys(metricsEnv).length ? metricsEnv : 'off',
          nodeDefaults: { nodeArgs: [], rssMb: a.rss, peakRssMb: a.peak },
          asShipped: { nodeArgs: pm2Args, usedBy: ['ecosystem.config.js node_args', 'npm start'], rssMb: b.rss, peakRssMb: b.peak },
          peer: 'bare node process (setInterval)',
          peerRssMb: p.rss,
          ratioNodeDefaults: +(a.rss / p.rss).toFixed(2),
          ratioAsShipped: +(b.rss / p.rss).toFixed(2),
          targetRssMb: 80,
          metAsShipped: b.rss <= 80,
          metWithNodeDefaults: a.rss <= 80,
        },
        null,
        2,
      ),
    );
  } finally {
    for (const w of [plain, underPm2]) w.kill('SIGTERM');
    peer.kill('SIGKILL');
    await Promise.all([plain, underPm2].map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await admin.query(`DROP SCHEMA IF EXISTS \`${schema}\``);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
