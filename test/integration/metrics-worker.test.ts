import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMigrations } from '../../src/db/migrations.js';
import { runHistoryMigrations } from '../../src/db/run-history.js';
import { checkExposition, type Family } from '../helpers/exposition-check.js';
import { tcpProxy } from '../helpers/tcp-proxy.js';
import { createTestSchema, TEST_DB, type TestSchema } from '../helpers/test-db.js';
import { poll, spawnWorker, workerEnv, writeWorkerConfig, type WorkerProcess } from '../fixtures/worker-process.js';

let t: TestSchema;
let worker: WorkerProcess | undefined;
let port = 0;
let textfile = '';
const WEIRD_TABLE = 'log "book"\\2\nx';
const FAR = { schedule: '0 0 1 1 *', catchUp: false };

/** A stored result as the job would leave it (the metrics read results from dbkeeper_runs, whoever ran them). */
async function storeResult(job: string, details: Record<string, unknown>): Promise<void> {
  const at = new Date(Date.now() - 60_000);
  await t.admin.query(
    `INSERT INTO dbkeeper_runs (job, scheduled_for, \`trigger\`, dry_run, evaluated_at, host, pid, started_at, finished_at, status, summary)
     VALUES (?, ?, 'schedule', 0, ?, 'other-host', 1, ?, ?, 'ok', ?)`,
    [job, at, at, at, new Date(at.getTime() + 2500), JSON.stringify({ status: 'ok', summary: 'stored', details })],
  );
}

const scrape = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};

function value(families: Map<string, Family>, name: string, labels: Record<string, string>): number | undefined {
  const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ''));
  return family?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

beforeAll(async () => {
  t = await createTestSchema();
  await ensureMigrations(t.admin, t.name, runHistoryMigrations);
  const coveredUntil = Math.floor(Date.now() / 1000) + 40 * 86_400;
  await storeResult('partitions', {
    dryRun: false,
    tables: [{ table: WEIRD_TABLE, monthsAhead: 1, coveredUntil, rowsInPmax: 0 }],
  });
  await storeResult('purge-locks', { targets: [{ table: 'locks', rowsDeleted: 1234, backlogLeft: 0 }] });
  await storeResult('index-review', {
    tables: [{ schema: 'app', reclaimableBytes: 65536 }],
    findings: [{ schema: 'app', action: 'drop' }],
  });
  await storeResult('health', {
    figures: [{ label: 'Connection use, now', value: 12, unit: '%', status: 'ok' }],
    limits: { 'Connection use, now': { warn: 80, fail: 95, worse: 'above' } },
  });
  const { path, dir } = writeWorkerConfig(t.name, {
    ping: { enabled: true, schedule: '*/2 * * * * *', catchUp: false },
    partitions: { enabled: true, ...FAR },
    'purge-locks': { enabled: true, ...FAR },
    'index-review': { enabled: true, ...FAR },
    health: { enabled: true, ...FAR },
  });
  textfile = join(dir, 'dbkeeper.prom');
  worker = spawnWorker(workerEnv(path, { DBKEEPER_METRICS_PORT: '0', DBKEEPER_METRICS_TEXTFILE: textfile }));
  const line = await worker.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('metrics listening'));
  port = Number(line.port);
  await worker.ready;
}, 40_000);

afterAll(async () => {
  if (worker) {
    worker.child.kill('SIGTERM');
    await worker.exited;
  }
  await t?.drop();
});

describe('metrics: a real worker with the listener on port 0', () => {
  it('logs the chosen port and serves /metrics in a strictly valid exposition format', async () => {
    expect(port).toBeGreaterThan(0);
    await worker!.waitForLine((l) => l.msg === 'run finished' && l.job === 'ping', 15_000);
    await sleep(300);
    const res = await scrape('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const { problems, families } = checkExposition(res.text);
    expect(problems).toEqual([]);
    for (const f of families.values()) expect(f.help, `${f.name} has HELP`).not.toBeNull();
    // Default process metrics.
    expect(families.get('process_resident_memory_bytes')?.samples[0]?.value).toBeGreaterThan(1e6);
    expect(families.has('nodejs_eventloop_lag_seconds')).toBe(true);
    // Per job, from dbkeeper_runs (also runs this worker did not make).
    const last = value(families, 'dbkeeper_job_last_success_timestamp_seconds', { dbkeeper_job: 'ping' })!;
    expect(Math.abs(last - Date.now() / 1000)).toBeLessThan(30);
    expect(
      value(families, 'dbkeeper_job_last_success_timestamp_seconds', { dbkeeper_job: 'partitions' }),
    ).toBeGreaterThan(0);
    expect(value(families, 'dbkeeper_job_last_run_status', { dbkeeper_job: 'ping', status: 'ok' })).toBe(1);
    expect(value(families, 'dbkeeper_job_last_run_status', { dbkeeper_job: 'ping', status: 'failed' })).toBe(0);
    expect(
      value(families, 'dbkeeper_job_runs_recorded', { dbkeeper_job: 'ping', status: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(value(families, 'dbkeeper_job_next_run_timestamp_seconds', { dbkeeper_job: 'ping' })).toBeGreaterThan(
      Date.now() / 1000 - 1,
    );
    expect(value(families, 'dbkeeper_job_period_seconds', { dbkeeper_job: 'ping' })).toBe(2);
    expect(value(families, 'dbkeeper_job_period_seconds', { dbkeeper_job: 'partitions' })).toBe(365 * 86_400);
    expect(value(families, 'dbkeeper_status_grace_seconds', {})).toBe(3600);
    expect(value(families, 'dbkeeper_scheduling', {})).toBe(1);
    expect(value(families, 'dbkeeper_database_up', {})).toBe(1);
    // This worker's own runs as a histogram.
    expect(families.get('dbkeeper_job_duration_seconds')?.type).toBe('histogram');
    expect(
      value(families, 'dbkeeper_job_duration_seconds_count', { dbkeeper_job: 'ping', status: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    // The jobs' figures, through their metrics.ts; the odd table name escaped and read back intact.
    expect(value(families, 'dbkeeper_partitions_months_ahead', { table: WEIRD_TABLE })).toBe(1);
    const untilFull = value(families, 'dbkeeper_partitions_seconds_until_full', { table: WEIRD_TABLE })!;
    expect(untilFull).toBeGreaterThan(39 * 86_400);
    expect(untilFull).toBeLessThanOrEqual(40 * 86_400);
    expect(res.text).toContain('table="log \\"book\\"\\\\2\\nx"');
    expect(value(families, 'dbkeeper_purge_rows_deleted', { table: 'locks' })).toBe(1234);
    expect(value(families, 'dbkeeper_index_review_droppable_bytes', { schema: 'app' })).toBe(65536);
    expect(value(families, 'dbkeeper_health_figure_value', { figure: 'Connection use, now' })).toBe(12);
    expect(value(families, 'dbkeeper_health_figure_warn_threshold', { figure: 'Connection use, now' })).toBe(80);
    expect(value(families, 'dbkeeper_health_figure_fail_threshold', { figure: 'Connection use, now' })).toBe(95);
  }, 30_000);

  it('/healthz: 200 while scheduling and the database answers; anything else 404', async () => {
    const ok = await scrape('/healthz');
    expect(ok).toMatchObject({ status: 200, text: 'ok\n' });
    expect((await scrape('/nope')).status).toBe(404);
  });

  it('the textfile is always whole while runs rewrite it (a reader loop over several runs)', async () => {
    const [before] = await t.admin.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM dbkeeper_runs WHERE job = 'ping'");
    const end = Date.now() + 7_000;
    let reads = 0;
    const seen = new Set<number>();
    while (Date.now() < end) {
      const text = readFileSync(textfile, 'utf8');
      const { problems, families } = checkExposition(text);
      expect(problems).toEqual([]);
      expect(families.has('dbkeeper_job_last_run_timestamp_seconds')).toBe(true);
      seen.add(value(families, 'dbkeeper_metrics_refresh_timestamp_seconds', {}) ?? 0);
      reads += 1;
      await new Promise((r) => setImmediate(r));
    }
    const [after] = await t.admin.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM dbkeeper_runs WHERE job = 'ping'");
    expect(Number(after[0]!.n) - Number(before[0]!.n)).toBeGreaterThanOrEqual(2);
    expect(seen.size).toBeGreaterThanOrEqual(2);
    expect(reads).toBeGreaterThan(100);
  }, 20_000);

  it('stops cleanly on SIGTERM', async () => {
    worker!.child.kill('SIGTERM');
    expect(await worker!.exited).toBe(0);
    worker = undefined;
  }, 20_000);
});

describe('/healthz when the database goes away', () => {
  it('503 naming the database while it does not answer, 200 again once it does', async () => {
    const proxy = await tcpProxy(TEST_DB.host, TEST_DB.port);
    const { path } = writeWorkerConfig(
      t.name,
      {},
      {
        db: {
          ...TEST_DB,
          port: proxy.port,
          database: t.name,
          connectRetries: 0,
          connectBackoffMs: 200,
          connectTimeoutMs: 1000,
        },
      },
    );
    const w = spawnWorker(workerEnv(path, { DBKEEPER_METRICS_PORT: '0' }));
    try {
      const line = await w.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('metrics listening'));
      port = Number(line.port);
      await w.ready;
      expect(await scrape('/healthz')).toMatchObject({ status: 200, text: 'ok\n' });
      proxy.cut();
      await proxy.close();
      const down = await scrape('/healthz');
      expect(down.status).toBe(503);
      expect(down.text).toMatch(/^database does not answer: /);
      await proxy.open();
      await poll(
        'healthz 200 again',
        async () => ((await scrape('/healthz')).status === 200 ? true : undefined),
        15_000,
        200,
      );
    } finally {
      w.child.kill('SIGTERM');
      await w.exited;
      await proxy.close();
    }
  }, 40_000);
});

describe('metrics options that cannot be used: exit 78 before connecting, nothing created', () => {
  it.each([
    ['a port that is not a number', { DBKEEPER_METRICS_PORT: 'abc' }, /metrics\.port \(from DBKEEPER_METRICS_PORT\)/],
    [
      'a textfile in a folder that does not exist',
      { DBKEEPER_METRICS_TEXTFILE: '/nonexistent-dir/x.prom' },
      /metrics\.textfile \(DBKEEPER_METRICS_TEXTFILE\): cannot write \/nonexistent-dir\/x\.prom \(ENOENT\)/,
    ],
    [
      'a textfile node_exporter would not read',
      { DBKEEPER_METRICS_TEXTFILE: '/tmp/x.txt' },
      /metrics\.textfile \(from DBKEEPER_METRICS_TEXTFILE\): must end in \.prom/,
    ],
  ])(
    '%s',
    async (_what, env, message) => {
      const fresh = await createTestSchema();
      try {
        const { path } = writeWorkerConfig(fresh.name, { ping: { enabled: true } });
        const w = spawnWorker(workerEnv(path, env));
        w.ready.catch(() => undefined);
        expect(await w.exited).toBe(78);
        expect(w.stderr.join('')).toMatch(message);
        const [tables] = await fresh.admin.query<RowDataPacket[]>(
          'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
          [fresh.name],
        );
        expect(tables).toHaveLength(0);
      } finally {
        await fresh.drop();
      }
    },
    20_000,
  );

  it('a port already taken', async () => {
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const taken = (busy.address() as { port: number }).port;
    try {
      const { path } = writeWorkerConfig(t.name, { ping: { enabled: true } });
      const w = spawnWorker(workerEnv(path, { DBKEEPER_METRICS_PORT: String(taken) }));
      w.ready.catch(() => undefined);
      expect(await w.exited).toBe(78);
      expect(w.stderr.join('')).toContain(
        `metrics.port (DBKEEPER_METRICS_PORT): cannot listen on 127.0.0.1:${taken} (EADDRINUSE)`,
      );
    } finally {
      busy.close();
    }
  }, 20_000);
});
