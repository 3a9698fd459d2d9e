import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthJob } from '../../jobs/health/job.js';
import type { App } from '../../src/app/bootstrap.js';
import type { Figure, ReportSection } from '../../src/job/report-sections.js';
import { runJob } from '../../src/runner/run-job.js';
import { runJobForTest } from '../helpers/run-job-for-test.js';
import { adminConnection, createTestSchema, silentLogger, testApp, type TestSchema } from '../helpers/test-db.js';

let ts: TestSchema;
let app: App;

beforeAll(async () => {
  ts = await createTestSchema();
  app = await testApp(ts.name);
  await ts.admin.query('CREATE TABLE booking (id INT PRIMARY KEY, seats INT NOT NULL) ENGINE=InnoDB');
  await ts.admin.query('INSERT INTO booking VALUES (1, 0), (2, 0)');
});

afterAll(async () => {
  await app?.db.close();
  await ts?.drop();
});

function runHealth(overrides: Record<string, unknown> = {}) {
  const config = {
    ...app.config,
    jobs: { ...app.config.jobs, health: { ...(app.config.jobs.health as Record<string, unknown>), ...overrides } },
  };
  return runJobForTest({ db: app.db, config, log: silentLogger() }, healthJob, { trigger: 'manual', dryRun: false });
}

function figure(sections: ReportSection[] | undefined, label: string): Figure {
  for (const s of sections ?? []) if (s.kind === 'figures') for (const f of s.figures) if (f.label === label) return f;
  throw new Error(`no figure ${label}`);
}

async function provokeDeadlock(schema: string): Promise<string> {
  const a = await adminConnection(schema);
  const b = await adminConnection(schema);
  try {
    await a.query('SET SESSION innodb_lock_wait_timeout = 10');
    await b.query('SET SESSION innodb_lock_wait_timeout = 10');
    await a.beginTransaction();
    await b.beginTransaction();
    await a.query('UPDATE booking SET seats = seats + 1 WHERE id = 1');
    await b.query('UPDATE booking SET seats = seats + 1 WHERE id = 2');
    const waitingA = a.query('UPDATE booking SET seats = seats + 1 WHERE id = 2').then(
      () => null,
      (e: { code?: string }) => e.code ?? 'error',
    );
    // Let A start waiting on B's row lock before B closes the cycle.
    await new Promise((r) => setTimeout(r, 200));
    const fromB = await b.query('UPDATE booking SET seats = seats + 1 WHERE id = 1').then(
      () => null,
      (e: { code?: string }) => e.code ?? 'error',
    );
    const fromA = await waitingA;
    return [fromA, fromB].filter(Boolean).join(',');
  } finally {
    await a.rollback().catch(() => {});
    await b.rollback().catch(() => {});
    await a.end();
    await b.end();
  }
}

describe('health job on the real MariaDB', () => {
  it('first run stores a snapshot and says per-day figures start with the next run', async () => {
    const resultRun = await runHealth();
    expect(resultRun.outcome.error).toBeUndefined();
    const result = resultRun.result!;
    expect(result.details?.snapshotId).toEqual(expect.any(Number));
    expect(result.details?.previousSnapshotId).toBeNull();
    expect(figure(result.sections, 'Deadlocks')).toMatchObject({ value: null, status: 'n/a' });
    const [rows] = await ts.admin.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM dbkeeper_snapshots');
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('stores the daily index usage snapshot the monthly review sums, when the server counts usage', async () => {
    const resultRun = await runHealth();
    expect(resultRun.outcome.error).toBeUndefined();
    const result = resultRun.result!;
    const [v] = await ts.admin.query<RowDataPacket[]>('SELECT @@global.userstat AS on_');
    const counting = Number(v[0]!.on_) === 1;
    const indexUsage = result.details?.indexUsage as { stored: number; enabled: boolean; error?: string };
    expect(indexUsage.error).toBeUndefined();
    expect(indexUsage.enabled).toBe(counting);
    if (counting) expect(indexUsage.stored).toBeGreaterThan(0);
    else expect(indexUsage.stored).toBe(0);
    const offRun = await runHealth({ indexUsageSnapshot: false });
    expect(offRun.outcome.error).toBeUndefined();
    const off = offRun.result!;
    expect(off.details?.indexUsage).toBeNull();
  });

  it('a real deadlock between two connections counts in the daily figure and turns it fail', async () => {
    const quietRun = await runHealth();
    expect(quietRun.outcome.error).toBeUndefined();
    const quiet = quietRun.result!;
    const before = figure(quiet.sections, 'Deadlocks');
    expect(before.value).toEqual(expect.any(Number));

    expect(await provokeDeadlock(ts.name)).toBe('ER_LOCK_DEADLOCK');
    const resultRun = await runHealth();
    expect(resultRun.outcome.error).toBeUndefined();
    const result = resultRun.result!;
    const deadlocks = figure(result.sections, 'Deadlocks');
    expect(deadlocks.value).toBeGreaterThanOrEqual(1);
    expect(deadlocks.status).toBe('fail');
    expect(result.status).toBe('warning');
    // Failing figures come first in the report.
    const first = result.sections![0]!;
    expect(first).toMatchObject({ kind: 'figures', title: 'Health: needs attention' });
    if (first.kind === 'figures') expect(first.figures[0]!.status).toBe('fail');
    // MariaDB with performance_schema OFF: average query time is not available, with the reason, not 0.
    const avg = figure(result.sections, 'Average query time');
    expect(avg.value).toBeNull();
    expect(avg.note).toMatch(/performance_schema is OFF/);
  });

  it('held connections push connection use over the limit and the figure turns warn', async () => {
    const baselineRun = await runHealth();
    expect(baselineRun.outcome.error).toBeUndefined();
    const baseline = baselineRun.result!;
    const facts = baseline.details!.facts as { threadsConnected: number; maxConnections: number };
    const held = 20;
    const limit = Math.floor((100 * (facts.threadsConnected + held / 2)) / facts.maxConnections);
    const thresholds = { connectionUsePercentWarn: limit, connectionUsePercentFail: 100 };
    const calmRun = await runHealth(thresholds);
    expect(calmRun.outcome.error).toBeUndefined();
    const calm = calmRun.result!;
    expect(figure(calm.sections, 'Connection use, now').status).toBe('ok');

    const conns: Connection[] = [];
    try {
      for (let i = 0; i < held; i += 1) conns.push(await adminConnection());
      const busyRun = await runHealth(thresholds);
      expect(busyRun.outcome.error).toBeUndefined();
      const busy = busyRun.result!;
      const use = figure(busy.sections, 'Connection use, now');
      expect(use.value).toBeGreaterThan(limit);
      expect(use.status).toBe('warn');
      expect(use.threshold).toBe(`≤ ${limit} % (fail above 100 %)`);
    } finally {
      await Promise.all(conns.map((c) => c.end()));
    }
  });

  it('dry run reports against the previous snapshot and stores nothing', async () => {
    const [before] = await ts.admin.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM dbkeeper_snapshots');
    const outcome = await runJob({ db: app.db, config: app.config, log: silentLogger() }, healthJob, {
      trigger: 'manual',
      dryRun: true,
    });
    expect(outcome.result?.summary).toContain('dry run');
    expect(outcome.result?.details?.snapshotId).toBeNull();
    const [after] = await ts.admin.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM dbkeeper_snapshots');
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
  });
});
