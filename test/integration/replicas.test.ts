// Issue 16 against a real primary and replica (two throwaway mariadbd): lag made for real by stopping the replica's
// SQL thread or by MASTER_DELAY; dbkeeper reads the replica as a user with only the grants the docs list.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthJob } from '../../jobs/health/job.js';
import { indexReviewJob } from '../../jobs/index-review/job.js';
import type { Finding } from '../../jobs/index-review/plan.js';
import { partitionsJob } from '../../jobs/partitions/job.js';
import type { TableOutcome } from '../../jobs/table-maintenance/report.js';
import { tableMaintenanceJob } from '../../jobs/table-maintenance/job.js';
import type { PauseRecord, TargetOutcome } from '../../jobs/purge-locks/apply.js';
import { purgeLocksJob } from '../../jobs/purge-locks/job.js';
import { ALL_JOBS } from '../../jobs/index.js';
import { connectApp, type App } from '../../src/app/bootstrap.js';
import type { Plain } from '../../src/config/deep-merge.js';
import type { Figure } from '../../src/job/report-sections.js';
import type { AnyJob } from '../../src/job/job-contract.js';
import { runJob } from '../../src/runner/run-job.js';
import { startReplicationPair, type ReplicationPair } from '../helpers/replication-pair.js';
import { silentLogger, testConfig } from '../helpers/test-db.js';

const SCHEMA = 'booking_r';
const MON_USER = 'dbk_mon';
const MON_PASSWORD = 'mon-test-only';

let pair: ReplicationPair;
let primary: Connection;
let replica: Connection;
const apps: App[] = [];

beforeAll(async () => {
  pair = await startReplicationPair({ args: ['--userstat=1'] });
  primary = await pair.connect('primary');
  replica = await pair.connect('replica');
  await primary.query(`CREATE SCHEMA ${SCHEMA}`);
  // The replica user with exactly the grants docs/replicas.md lists (created on the primary: it replicates).
  await primary.query('CREATE USER ?@? IDENTIFIED BY ?', [MON_USER, '127.0.0.1', MON_PASSWORD]);
  await primary.query('GRANT SLAVE MONITOR ON *.* TO ?@?', [MON_USER, '127.0.0.1']);
  await primary.query(`GRANT SELECT ON ${SCHEMA}.* TO ?@?`, [MON_USER, '127.0.0.1']);
  await pair.caughtUp();
}, 90_000);

afterAll(async () => {
  for (const a of apps) await a.db.close();
  await primary?.end().catch(() => undefined);
  await replica?.end().catch(() => undefined);
  await pair?.stop();
}, 30_000);

async function app(overrides: Plain = {}): Promise<App> {
  const config = testConfig(SCHEMA, {
    db: {
      host: '127.0.0.1',
      port: pair.primary.port,
      user: 'root',
      password: '',
      database: SCHEMA,
      ssl: { mode: 'disabled', ca: null, cert: null, key: null },
    },
    replicas: {
      nodes: [
        {
          name: 'r1',
          host: '127.0.0.1',
          port: pair.replica.port,
          user: MON_USER,
          password: MON_PASSWORD,
          ssl: { mode: 'disabled', ca: null, cert: null, key: null },
        },
      ],
      maxLagSeconds: 1,
      waitSeconds: 2,
      pollMs: 200,
      heartbeatMs: 250,
    },
    ...overrides,
  });
  const a = await connectApp(config, silentLogger(), { jobs: ALL_JOBS });
  apps.push(a);
  await pair.caughtUp();
  return a;
}

let slot = Date.UTC(2026, 0, 1);
const run = (a: App, job: AnyJob, options: Record<string, string | boolean> = {}) => {
  slot += 60_000;
  return runJob({ db: a.db, config: a.config, log: silentLogger() }, job, {
    trigger: 'manual',
    dryRun: false,
    scheduledFor: new Date(slot),
    options,
  });
};
const count = async (c: Connection, sql: string) =>
  Number(((await c.query<RowDataPacket[]>(sql))[0] as RowDataPacket[])[0]!.n);
const figuresOf = (o: Awaited<ReturnType<typeof run>>): Figure[] =>
  o.result!.sections!.flatMap((s) => (s.kind === 'figures' ? s.figures : []));

describe('replicas: writes wait for the replica', () => {
  it('the purge pauses while the replica cannot apply (SQL thread stopped), deletes nothing meanwhile, then resumes; the rows go on the replica too', async () => {
    await primary.query(`CREATE TABLE ${SCHEMA}.appointment_locks (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, expires_at DATETIME NULL, KEY idx_expires (expires_at)) ENGINE=InnoDB`);
    const rows = Array.from({ length: 3000 }, (_, i) => [i < 2500 ? '2020-01-01 00:00:00' : '2099-01-01 00:00:00']);
    await primary.query(`INSERT INTO ${SCHEMA}.appointment_locks (expires_at) VALUES ?`, [rows]);
    const a = await app({
      jobs: {
        'purge-locks': {
          targets: [
            { table: 'appointment_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'Etc/UTC' },
          ],
          chunk: { minRows: 50, startRows: 200, maxRows: 500, targetMs: 100, restRatio: 0 },
          throttle: { maxThreadsRunning: 1000, pollMs: 200 },
        },
      },
    });
    expect(await count(replica, `SELECT COUNT(*) AS n FROM ${SCHEMA}.appointment_locks`)).toBe(3000);

    await replica.query('STOP SLAVE SQL_THREAD');
    const running = run(a, purgeLocksJob);
    await sleep(2_500);
    // Lag is unknown (Seconds_Behind_Master NULL): nothing deleted on the primary while it lasts.
    expect(await count(primary, `SELECT COUNT(*) AS n FROM ${SCHEMA}.appointment_locks`)).toBe(3000);
    await replica.query('START SLAVE SQL_THREAD');
    const o = await running;
    expect(o.status, JSON.stringify(o.error ?? o.result?.warnings)).toBe('ok');
    const target = (o.result!.details as { targets: TargetOutcome[] }).targets[0]!;
    expect(target).toMatchObject({ rowsDeleted: 2500, stopReason: 'done', stoppedWaitingForReplica: false });
    const pauses = (o.result!.details as { pauses: (PauseRecord & { table: string })[] }).pauses;
    const unknown = pauses.find((p) => p.reason === 'replica r1 lag unknown');
    expect(unknown, JSON.stringify(pauses)).toMatchObject({ replica: true, afterRows: 0 });
    expect(unknown!.seconds).toBeGreaterThanOrEqual(2);
    expect(target.pauseReasons.join('\n')).toMatch(/r1: lag unknown, the SQL thread is stopped/);
    await pair.caughtUp();
    expect(await count(replica, `SELECT COUNT(*) AS n FROM ${SCHEMA}.appointment_locks`)).toBe(500);
    expect(await count(replica, `SELECT COUNT(*) AS n FROM ${SCHEMA}.dbkeeper_heartbeat`)).toBe(1);
  }, 60_000);

  it('a partition run waits for a delayed replica (MASTER_DELAY), then skips the statement with the figure', async () => {
    const now = new Date();
    const month = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) / 1000;
    const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) / 1000;
    await primary.query(`CREATE TABLE ${SCHEMA}.api_call_logs (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (id, created_at)) ENGINE=InnoDB
      PARTITION BY RANGE (UNIX_TIMESTAMP(created_at)) (PARTITION pcur VALUES LESS THAN (${next}), PARTITION pmax VALUES LESS THAN MAXVALUE)`);
    expect(month).toBeLessThan(next);
    const a = await app({ jobs: { partitions: { tables: ['api_call_logs'], premakeMonths: 1, retentionMonths: 6 } } });
    await replica.query('STOP SLAVE');
    await replica.query('CHANGE MASTER TO MASTER_DELAY = 30');
    await replica.query('START SLAVE');
    try {
      // Real lag: a write the replica holds back for 30 s; Seconds_Behind_Master grows from here.
      await primary.query(`INSERT INTO ${SCHEMA}.api_call_logs (created_at) VALUES (CURRENT_TIMESTAMP)`);
      await sleep(2_000);
      const started = performance.now();
      const o = await run(a, partitionsJob);
      const tookMs = performance.now() - started;
      expect(o.status, JSON.stringify(o.error)).toBe('warning');
      const skipped = o.result!.skipped ?? [];
      expect(skipped, JSON.stringify(o.result)).toHaveLength(1);
      expect(skipped[0]!.reason).toMatch(
        /^replica-lagging: waited \d+(\.\d)? s; r1: lag [\d.]+ s > 1 s \(status \d+ s, heartbeat [\d.]+ s\)$/,
      );
      // It waited about waitSeconds (2 s) before giving up.
      expect(tookMs).toBeGreaterThanOrEqual(2_000);
      const [parts] = await primary.query<RowDataPacket[]>(
        'SELECT PARTITION_NAME AS name FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY PARTITION_ORDINAL_POSITION',
        [SCHEMA, 'api_call_logs'],
      );
      expect(parts.map((p) => p.name)).toEqual(['pcur', 'pmax']);
    } finally {
      await replica.query('STOP SLAVE');
      await replica.query('CHANGE MASTER TO MASTER_DELAY = 0');
      await replica.query('START SLAVE');
      await pair.caughtUp(40_000);
    }
  }, 90_000);
});

describe('replicas: a rebuild replays on the replica as one event', () => {
  it('a rebuild predicted longer than maxReplicatedRebuildSeconds waits for --maintenance-window; its speed is kept for the next prediction', async () => {
    await primary.query(
      `CREATE TABLE ${SCHEMA}.bloated (id INT UNSIGNED NOT NULL PRIMARY KEY, note VARCHAR(200) NOT NULL) ENGINE=InnoDB`,
    );
    const digits =
      '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
    await primary.query(
      `INSERT INTO ${SCHEMA}.bloated SELECT 1 + d0.d + d1.d * 10 + d2.d * 100 + d3.d * 1000 + d4.d * 10000, REPEAT('x', 150) FROM ${digits} d0, ${digits} d1, ${digits} d2, ${digits} d3, ${digits} d4`,
    );
    const job = {
      analyzeTables: ['bloated'],
      optimizeTables: ['bloated'],
      minReclaimBytes: 1048576,
      bloatThresholdPercent: 20,
      maxReplicatedRebuildSeconds: 60,
      assumedRebuildBytesPerSecond: 1024,
    };
    const a = await app({ jobs: { 'table-maintenance': job } });
    await run(a, tableMaintenanceJob); // first sight: the dense baseline
    await primary.query(`DELETE FROM ${SCHEMA}.bloated WHERE id % 5 IN (1, 2, 3)`);
    await pair.caughtUp();
    const tableOf = (o: Awaited<ReturnType<typeof run>>) =>
      (o.result!.details!.tables as TableOutcome[]).find((t) => t.table === 'bloated')!;

    const held = tableOf(await run(a, tableMaintenanceJob));
    expect(held.optimize).toMatchObject({
      action: 'skip',
      reason: expect.stringMatching(
        /^replica-lagging: a rebuild replays on the replicas as one event; predicted \d+ s \(no rebuild measured yet: assumed 0\.0 MiB\/s \(assumedRebuildBytesPerSecond\)\) > maxReplicatedRebuildSeconds 60 s; allowed only with --maintenance-window$/,
      ),
    });

    const windowed = tableOf(await run(a, tableMaintenanceJob, { 'maintenance-window': true }));
    expect(windowed.optimize).toMatchObject({ action: 'rebuild', outcome: 'ok' });
    const [speed] = await primary.query<RowDataPacket[]>(
      `SELECT bytes, duration_ms FROM ${SCHEMA}.dbkeeper_rebuild_speed WHERE table_name = 'bloated'`,
    );
    expect(Number(speed[0]!.bytes)).toBeGreaterThan(1048576);
    expect(Number(speed[0]!.duration_ms)).toBeGreaterThan(0);
  }, 90_000);
});

describe('replicas: health', () => {
  it('fails the figures of a stopped replica, and passes them when it runs', async () => {
    const a = await app();
    const ok = await run(a, healthJob);
    const live = figuresOf(ok).filter((f) => f.label.startsWith('Replica r1'));
    expect(live.find((f) => f.label === 'Replica r1 threads')).toMatchObject({
      value: 'IO Yes, SQL Yes',
      status: 'ok',
    });
    expect(live.find((f) => f.label === 'Replica r1 lag (replica status)')).toMatchObject({ status: 'ok' });
    expect(live.find((f) => f.label === 'Replica r1 lag (heartbeat)')).toMatchObject({ status: 'ok' });
    expect(live.find((f) => f.label === 'Replica r1 read_only')).toMatchObject({ value: 'ON', status: 'ok' });

    await replica.query('STOP SLAVE');
    try {
      const o = await run(a, healthJob);
      const f = figuresOf(o);
      expect(o.result!.status).toBe('warning');
      expect(f.find((x) => x.label === 'Replica r1 threads')).toMatchObject({ value: 'IO No, SQL No', status: 'fail' });
      expect(f.find((x) => x.label === 'Replica r1 lag (replica status)')).toMatchObject({
        value: null,
        status: 'fail',
      });
      expect(o.result!.summary).toMatch(/failing/);
    } finally {
      await replica.query('START SLAVE');
      await pair.caughtUp();
    }
  }, 60_000);
});

describe('replicas: index review', () => {
  it('an index read only on the replica is not called unused; one read nowhere still is', async () => {
    await primary.query(`CREATE TABLE ${SCHEMA}.bookings (id INT UNSIGNED NOT NULL PRIMARY KEY, a INT NOT NULL, b INT NOT NULL,
      KEY idx_read_on_replica (a), KEY idx_read_nowhere (b)) ENGINE=InnoDB`);
    await primary.query(`INSERT INTO ${SCHEMA}.bookings VALUES ?`, [
      Array.from({ length: 200 }, (_, i) => [i + 1, i % 17, i % 13]),
    ]);
    const a = await app({ jobs: { 'index-review': { minEvidenceDays: 0 }, health: { indexUsageSchemas: [SCHEMA] } } });
    // First snapshot of both servers' counters (health stores the replica's too), then reads on the replica only.
    const h = await run(a, healthJob);
    expect(
      (h.result!.details as { replicaIndexUsage: { node: string; stored: number }[] }).replicaIndexUsage[0],
    ).toMatchObject({ node: 'r1' });
    await sleep(1_100);
    for (let i = 0; i < 20; i += 1)
      await replica.query(`SELECT id FROM ${SCHEMA}.bookings FORCE INDEX (idx_read_on_replica) WHERE a = ?`, [i % 17]);
    const o = await run(a, indexReviewJob);
    expect(o.status, JSON.stringify(o.error)).not.toBe('failed');
    const findings = (o.result!.details as { findings: Finding[] }).findings.filter((f) => f.table === 'bookings');
    const unused = findings.filter((f) => f.kind === 'unused').map((f) => f.index);
    expect(unused).toContain('idx_read_nowhere');
    expect(unused).not.toContain('idx_read_on_replica');
    const table = o.result!.sections!.find(
      (s) => s.kind === 'table' && s.title.startsWith('Indexes read only on replicas'),
    );
    const row = (table && table.kind === 'table' ? table.rows : []).find((r) => r[1] === 'idx_read_on_replica');
    expect(row?.[0]).toBe(`${SCHEMA}.bookings`);
    // Reads: none on the primary, some on r1.
    expect(row?.[2]).toBe(0);
    expect(Number(row?.[3])).toBeGreaterThan(0);
  }, 60_000);
});
