import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { performanceReviewJob } from '../../jobs/performance-review/job.js';
import type { App } from '../../src/app/bootstrap.js';
import { findBaseline, storeBaseline, type DigestRow } from '../../jobs/performance-review/digest-baseline.js';
import type { RankedStatement } from '../../jobs/performance-review/plan.js';
import { renderReport } from '../../src/report/render-report.js';
import { runJob } from '../../src/runner/run-job.js';
import { runJobForTest } from '../helpers/run-job-for-test.js';
import { adminConnection, createTestSchema, silentLogger, testApp, type TestSchema } from '../helpers/test-db.js';

let ts: TestSchema;
let app: App;
let saved: { slow_query_log: number; log_output: string; long_query_time: number } | null = null;
const probe = `probe_${randomBytes(4).toString('hex')}`;

/** Server-wide settings other engineers' tests share: read first, restore after each window. */
async function restoreGlobals(): Promise<void> {
  if (!saved) return;
  await ts.admin.query('SET GLOBAL slow_query_log = ?', [saved.slow_query_log]);
  await ts.admin.query('SET GLOBAL long_query_time = ?', [saved.long_query_time]);
  await ts.admin.query('SET GLOBAL log_output = ?', [saved.log_output]);
}

beforeAll(async () => {
  ts = await createTestSchema();
  app = await testApp(ts.name);
  const [rows] = await ts.admin.query<RowDataPacket[]>(
    'SELECT @@global.slow_query_log AS sql_on, @@global.log_output AS lo, @@global.long_query_time AS lqt, @@performance_schema AS ps',
  );
  saved = {
    slow_query_log: Number(rows[0]!.sql_on),
    log_output: String(rows[0]!.lo),
    long_query_time: Number(rows[0]!.lqt),
  };
  // performance_schema is OFF on this MariaDB and needs a restart to change: the slow-log paths are what runs here.
  expect(Number(rows[0]!.ps)).toBe(0);
  await ts.admin.query(`CREATE TABLE ${probe} (id INT PRIMARY KEY) ENGINE=InnoDB`);
  await ts.admin.query(`INSERT INTO ${probe} VALUES (1), (2), (3)`);
});

afterAll(async () => {
  if (ts) await restoreGlobals();
  await app?.db.close();
  await ts?.drop();
});

const thisMonth = () => new Date().toISOString().slice(0, 7);

function review() {
  const config = {
    ...app.config,
    jobs: {
      ...app.config.jobs,
      'performance-review': {
        ...(app.config.jobs['performance-review'] as Record<string, unknown>),
        topStatements: 100,
      },
    },
  };
  return runJobForTest({ db: app.db, config, log: silentLogger() }, performanceReviewJob, {
    trigger: 'manual',
    dryRun: false,
    options: { month: thisMonth() },
  });
}

/** Slow statements on a fresh session (long_query_time is read at connect). */
async function runSlowStatements(): Promise<void> {
  const c = await adminConnection(ts.name);
  try {
    for (const id of [1, 2, 3]) await c.query(`SELECT SLEEP(0.12) AS s FROM ${probe} WHERE id = ${id}`);
    await c.query(`SELECT SLEEP(0.3) AS s FROM ${probe} WHERE id IN (1)`);
  } finally {
    await c.end();
  }
}

const mine = (list: RankedStatement[]) => list.filter((s) => s.fingerprint.includes(probe));

describe('performance-review on the real MariaDB', () => {
  it('with every source off: says not available, why, and how to turn the slow log on', async () => {
    await ts.admin.query('SET GLOBAL slow_query_log = OFF');
    try {
      const run = await review();
      expect(run.outcome.error).toBeUndefined();
      const result = run.result!;
      expect(result.details?.source).toBeNull();
      expect(result.status).toBe('warning');
      const text = result.sections!.find((s) => s.kind === 'text' && s.title === 'Statement review: not available');
      expect(text).toBeDefined();
      if (text?.kind === 'text') {
        expect(text.lines.join('\n')).toContain('performance_schema is OFF');
        expect(text.lines.join('\n')).toContain('slow_query_log is OFF');
        expect(text.lines.join('\n')).toContain('long_query_time = 1 s (DB_SLOW_QUERY_TIME)');
      }
      const sql = result.sections!.find((s) => s.kind === 'sql');
      expect(sql).toMatchObject({
        statements: expect.arrayContaining(['SET GLOBAL long_query_time = 1', 'SET GLOBAL slow_query_log = ON']),
      });
      // Pool advice does not depend on a statement source.
      expect(result.sections!.some((s) => s.title === 'Connection pool')).toBe(true);
    } finally {
      await restoreGlobals();
    }
  });

  it('slow log to TABLE with a tiny long_query_time: slow statements grouped by fingerprint', async () => {
    let run;
    try {
      await ts.admin.query("SET GLOBAL log_output = 'TABLE'");
      await ts.admin.query('SET GLOBAL long_query_time = 0.1');
      await ts.admin.query('SET GLOBAL slow_query_log = ON');
      await runSlowStatements();
      run = await review();
    } finally {
      await restoreGlobals();
    }
    expect(run.outcome.error).toBeUndefined();
    const result = run.result!;
    expect(result.details?.source).toBe('slow_log_table');
    const byTotal = mine(result.details!.byTotal as RankedStatement[]);
    expect(byTotal.map((s) => [s.fingerprint, s.count])).toEqual([
      [`select sleep(?) as s from ${probe} where id = ?`, 3],
      [`select sleep(?) as s from ${probe} where id in(?+)`, 1],
    ]);
    const [three, one] = byTotal as [RankedStatement, RankedStatement];
    expect(three.schema).toBe(ts.name);
    expect(three.totalSeconds).toBeGreaterThanOrEqual(0.36);
    expect(three.p95Seconds).toBeGreaterThanOrEqual(0.12);
    expect(three.sharePercent).toBeGreaterThan(0);
    // By average the single 0.3 s statement ranks above the three 0.12 s ones.
    const byAvg = mine(result.details!.byAverage as RankedStatement[]);
    expect(byAvg[0]!.fingerprint).toBe(one.fingerprint);
    expect(result.sections!.some((s) => s.kind === 'table' && s.title.includes('by total time'))).toBe(true);
  });

  it('slow log to FILE on the worker host: read from the file and grouped the same way', async () => {
    let run;
    try {
      await ts.admin.query("SET GLOBAL log_output = 'FILE'");
      await ts.admin.query('SET GLOBAL long_query_time = 0.1');
      await ts.admin.query('SET GLOBAL slow_query_log = ON');
      await runSlowStatements();
      run = await review();
    } finally {
      await restoreGlobals();
    }
    expect(run.outcome.error).toBeUndefined();
    const result = run.result!;
    expect(result.details?.source).toBe('slow_log_file');
    const byTotal = mine(result.details!.byTotal as RankedStatement[]);
    expect(byTotal.map((s) => [s.fingerprint, s.count])).toEqual([
      [`select sleep(?) as s from ${probe} where id = ?`, 3],
      [`select sleep(?) as s from ${probe} where id in(?+)`, 1],
    ]);
    expect(byTotal[0]!.schema).toBe(ts.name);
  });

  it('customer data in slow statements stays out of the result, the run row and the report; rawSamples puts it in a 0600 file only', async () => {
    const email = 'ann@example.com';
    const token = `rst_${randomBytes(8).toString('hex')}`;
    const rawDir = await mkdtemp(join(tmpdir(), 'dbkeeper-raw-'));
    const run = async (extra: Record<string, unknown>) => {
      const config = {
        ...app.config,
        jobs: {
          ...app.config.jobs,
          'performance-review': {
            ...(app.config.jobs['performance-review'] as Record<string, unknown>),
            topStatements: 100,
            ...extra,
          },
        },
      };
      const outcome = await runJob({ db: app.db, config, log: silentLogger() }, performanceReviewJob, {
        trigger: 'manual',
        dryRun: false,
        options: { month: thisMonth() },
      });
      expect(outcome.error).toBeUndefined();
      const [rows] = await ts.admin.query<RowDataPacket[]>('SELECT summary FROM dbkeeper_runs WHERE id = ?', [
        outcome.runId,
      ]);
      const report = renderReport({
        environment: 'test',
        period: 'monthly',
        kind: 'summary',
        generatedAt: new Date(),
        timezone: 'UTC',
        jobs: [{ outcome, previous: null }],
      });
      return { outcome, row: String(rows[0]!.summary), report };
    };
    try {
      await ts.admin.query("SET GLOBAL log_output = 'TABLE'");
      await ts.admin.query('SET GLOBAL long_query_time = 0.1');
      await ts.admin.query('SET GLOBAL slow_query_log = ON');
      const c = await adminConnection(ts.name);
      try {
        await c.query(`SELECT SLEEP(0.12) AS s FROM ${probe} WHERE id = 1 AND '${email}' <> '${token}'`);
      } finally {
        await c.end();
      }
      const off = await run({});
      const on = await run({ rawSamples: true, rawSamplesDir: rawDir });
      for (const { outcome, row, report } of [off, on]) {
        const fp = mine(outcome.result!.details!.byTotal as RankedStatement[]).map((s) => s.fingerprint);
        expect(fp).toContain(`select sleep(?) as s from ${probe} where id = ? and ? <> ?`);
        for (const text of [JSON.stringify(outcome.result), row, report.text, report.html, report.json]) {
          expect(text).not.toContain(email);
          expect(text).not.toContain(token);
        }
      }
      expect(off.outcome.result!.details!.rawSamples).toEqual({ enabled: false, file: null, count: 0 });
      const written = on.outcome.result!.details!.rawSamples as { file: string; count: number };
      expect(written.file.startsWith(rawDir)).toBe(true);
      expect((await stat(written.file)).mode & 0o777).toBe(0o600);
      const samples = JSON.parse(await readFile(written.file, 'utf8')) as { fingerprint: string; sample: string }[];
      expect(samples).toContainEqual({
        fingerprint: `select sleep(?) as s from ${probe} where id = ? and ? <> ?`,
        sample: expect.stringContaining(`'${email}' <> '${token}'`),
      });
      expect(await readdir(rawDir)).toHaveLength(1);
    } finally {
      await restoreGlobals();
      await rm(rawDir, { recursive: true, force: true });
    }
  });

  it('digest baselines: stored in chunks, read back, only the latest two kept per server', async () => {
    const db = {
      schema: ts.name,
      query: async <T>(sql: string, values?: unknown[]) => (await app.db.pool.query(sql, values))[0] as T,
    };
    const first = new Date('2026-09-01T00:00:00.123Z');
    const rows: DigestRow[] = Array.from({ length: 1203 }, (_, i) => ({
      schema: i % 2 ? 'booking' : null,
      digest: `d${i}`,
      text: `select ${i}`,
      count: i + 1,
      sumUs: 1000 * (i + 1),
      maxUs: 1,
      p95Us: null,
      rowsExamined: i,
      firstSeen: first,
      lastSeen: null,
    }));
    const signal = new AbortController().signal;
    const at = (d: string) => new Date(`${d}T04:30:00.000Z`);
    await storeBaseline(db, 'db1:3306/1', at('2026-09-01'), rows.slice(0, 2), signal);
    await storeBaseline(db, 'db1:3306/1', at('2026-10-01'), rows, signal);
    await storeBaseline(db, 'db1:3306/1', at('2026-11-01'), rows.slice(0, 1), signal);
    const [kept] = await ts.admin.query<RowDataPacket[]>(
      'SELECT taken_at, COUNT(*) AS n FROM dbkeeper_digest_baselines GROUP BY taken_at ORDER BY taken_at',
    );
    expect(kept.map((r) => [(r.taken_at as Date).toISOString(), Number(r.n)])).toEqual([
      ['2026-10-01T04:30:00.000Z', 1203],
      ['2026-11-01T04:30:00.000Z', 1],
    ]);
    const b = await findBaseline(db, 'db1:3306/1', new Date('2026-09-29T00:00:00Z'), new Date('2026-10-03T00:00:00Z'));
    expect(b?.takenAt).toEqual(at('2026-10-01'));
    expect(b?.entries.size).toBe(1203);
    expect(b?.entries.get('booking\u0000d1')).toEqual({
      count: 2,
      sumUs: 2000,
      rowsExamined: 1,
      firstSeenMs: first.getTime(),
    });
    expect(b?.entries.get('\u0000d0')).toMatchObject({ count: 1 });
    expect(
      await findBaseline(db, 'other:3306/2', new Date('2026-09-29T00:00:00Z'), new Date('2026-10-03T00:00:00Z')),
    ).toBeNull();
  });

  it('leaves the server settings as it found them', async () => {
    const [rows] = await ts.admin.query<RowDataPacket[]>(
      'SELECT @@global.slow_query_log AS sql_on, @@global.log_output AS lo, @@global.long_query_time AS lqt',
    );
    expect({
      slow_query_log: Number(rows[0]!.sql_on),
      log_output: String(rows[0]!.lo),
      long_query_time: Number(rows[0]!.lqt),
    }).toEqual(saved);
  });
});
