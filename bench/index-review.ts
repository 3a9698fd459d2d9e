/** npm run bench:index-review — the index review vs pt-duplicate-key-checker on 2,000 tables × 8 indexes in a
 * scratch schema, timed in the same run; prints JSON with the ratio (target ≤ 0.25). BENCH_INDEX_TABLES scales it. */
import { runPeer } from './run-peer.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH_DB, benchConnection } from './bench-db.js';
import type { Connection } from 'mysql2/promise';
import { ALL_JOBS } from '../jobs/index.js';
import { indexReviewJob } from '../jobs/index-review/job.js';
import { connectApp } from '../src/app/bootstrap.js';
import { loadConfig } from '../src/config/load-config.js';
import type { Finding } from '../jobs/index-review/plan.js';
import { createLogger } from '../src/log/logger.js';
import { runJob } from '../src/runner/run-job.js';

const SCHEMA = 'dbkeeper_bench_index_review';
const META = 'dbkeeper_bench_index_review_meta';
const TABLES = Number(process.env.BENCH_INDEX_TABLES ?? 2000);
const RUNS = 3;
const BUILDERS = 8;
const PT = process.env.PT_DUPLICATE_KEY_CHECKER ?? '/usr/bin/pt-duplicate-key-checker';

const connect = benchConnection;
const DB = BENCH_DB;

/** 8 indexes each: PRIMARY + a left prefix, a duplicate, a prefix index, a primary-key suffix, healthy ones. */
function tableSql(i: number): string {
  return `CREATE TABLE t${String(i).padStart(5, '0')} (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    c1 INT NOT NULL, c2 INT NOT NULL, c3 VARCHAR(40) NOT NULL, c4 VARCHAR(100) NOT NULL, c5 DATETIME NOT NULL, c6 INT NOT NULL,
    KEY k_c1 (c1), KEY k_c1_c2 (c1, c2), KEY k_c3 (c3), KEY k_c3_copy (c3), KEY k_c4_10 (c4(10)), KEY k_c5_id (c5, id), KEY k_c6_c2 (c6, c2)
  ) ENGINE=InnoDB`;
}

async function build(): Promise<number> {
  const start = performance.now();
  const admin = await connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA}`);
  await admin.query(`DROP SCHEMA IF EXISTS ${META}`);
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  await admin.query(`CREATE SCHEMA ${META}`);
  await admin.end();
  let next = 0;
  await Promise.all(
    Array.from({ length: BUILDERS }, async () => {
      const c: Connection = await connect(SCHEMA);
      try {
        for (let i = next++; i < TABLES; i = next++) await c.query(tableSql(i));
      } finally {
        await c.end();
      }
    }),
  );
  return performance.now() - start;
}

/** The same review as an operator runs it: a whole `node dist/src/cli.js index-review --dry-run --json` process. */
function runCli(configFile: string): Promise<{ ms: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const env = {
      ...process.env,
      DBKEEPER_CONFIG: configFile,
      DBKEEPER_SCHEMA: META,
      DB_HOST: DB.host,
      DB_PORT: String(DB.port),
      DB_USERNAME: DB.user,
      DB_PASSWORD: DB.password,
      DB_DATABASE: SCHEMA,
      LOG_LEVEL: 'error',
    };
    const child = spawn(process.execPath, ['dist/src/cli.js', 'index-review', '--dry-run', '--json'], {
      env,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - start, code }));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function runPt(): Promise<{ ms: number; flagged: number; code: number | null; stderr: string }> {
  const r = await runPeer(
    PT,
    ['--host', DB.host, '--port', String(DB.port), '--user', DB.user, '--databases', SCHEMA],
    DB.password,
  );
  const flagged = r.stdout
    .split('\n')
    .filter((l) =>
      /^# \S+ is (a duplicate of|a left-prefix of)|^# Key \S+ ends with a prefix of the clustered index/.test(l),
    ).length;
  return { ms: r.ms, flagged, code: r.code, stderr: r.stderr.slice(0, 300) };
}

async function main(): Promise<void> {
  const buildMs = await build();
  const log = createLogger({ level: 'silent', secrets: [], stream: 'stderr', pretty: false });
  const config = loadConfig({
    jobs: ALL_JOBS,
    env: {},
    overrides: {
      db: { ...DB, database: SCHEMA, connectRetries: 0 },
      schema: META,
      log: { level: 'silent' },
      jobs: { 'index-review': { schemas: [SCHEMA] } },
    },
  });
  const app = await connectApp(config, log, { jobs: ALL_JOBS });
  try {
    const reviewMs: number[] = [];
    const cliMs: number[] = [];
    const ptMs: number[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'dbkeeper-bench-'));
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ jobs: { 'index-review': { schemas: [SCHEMA] } } }));
    let findings: Finding[] = [];
    let pt = { flagged: 0, code: 0 as number | null, stderr: '' };
    // Alternate the two so neither gets a warmer cache.
    for (let r = 0; r < RUNS; r += 1) {
      const s = performance.now();
      const outcome = await runJob({ db: app.db, config: app.config, log }, indexReviewJob, {
        trigger: 'manual',
        dryRun: true,
      });
      reviewMs.push(performance.now() - s);
      if (outcome.status === 'failed') throw new Error(`review failed: ${outcome.error?.message}`);
      findings = (outcome.result?.details as { findings: Finding[] }).findings;
      const cli = await runCli(configFile);
      if (cli.code !== 0) throw new Error(`the CLI review exited with ${cli.code}`);
      cliMs.push(cli.ms);
      const p = await runPt();
      ptMs.push(p.ms);
      pt = p;
    }
    const review = median(reviewMs);
    const peer = median(ptMs);
    rmSync(dir, { recursive: true, force: true });
    const ratio = Math.round((review / peer) * 1000) / 1000;
    const cliMedian = median(cliMs);
    const byKind: Record<string, number> = {};
    for (const f of findings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    console.log(
      JSON.stringify(
        {
          benchmark: 'index-review',
          server: app.db.dialect.raw,
          tables: TABLES,
          indexesPerTable: 8,
          buildMs: Math.round(buildMs),
          runs: RUNS,
          review: {
            what: 'runJob in the worker process (lock, run row, collect, plan, result row)',
            medianMs: Math.round(review),
            runsMs: reviewMs.map(Math.round),
            findings: findings.length,
            byKind,
          },
          reviewCli: {
            what: 'whole CLI process: node start, config, connect, migrations check, review, JSON out',
            medianMs: Math.round(cliMedian),
            runsMs: cliMs.map(Math.round),
          },
          peer: {
            name: 'pt-duplicate-key-checker 3.2.1',
            medianMs: Math.round(peer),
            runsMs: ptMs.map(Math.round),
            flagged: pt.flagged,
            exitCode: pt.code,
            ...(pt.stderr ? { stderr: pt.stderr } : {}),
          },
          ratio,
          ratioWholeCliProcess: Math.round((cliMedian / peer) * 1000) / 1000,
          target: '≤ 0.25',
          met: ratio <= 0.25,
        },
        null,
        2,
      ),
    );
  } finally {
    await app.db.close();
    const admin = await connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA}`);
    await admin.query(`DROP SCHEMA IF EXISTS ${META}`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
