import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionsJob } from '../../jobs/partitions/job.js';
import { pingJob } from '../../jobs/ping/job.js';
import { purgeLocksJob } from '../../jobs/purge-locks/job.js';
import { tableMaintenanceJob } from '../../jobs/table-maintenance/job.js';
import type { App } from '../../src/app/bootstrap.js';
import type { Plain } from '../../src/config/deep-merge.js';
import type { AnyJob } from '../../src/job/job-contract.js';
import { runJob, type RunRequest } from '../../src/runner/run-job.js';
import { createTestSchema, silentLogger, testApp, type TestSchema } from '../helpers/test-db.js';

// The worker host's clock runs fast; the server's clock is the real one. Nothing here fakes the server.
const MINUTE = 60_000;
const DAY = 86_400_000;

let t: TestSchema;
const apps: App[] = [];
let slot = Date.UTC(2026, 0, 1);

beforeAll(async () => {
  t = await createTestSchema();
  await t.admin.query("SET SESSION time_zone = '+00:00'");
});
afterAll(async () => {
  for (const a of apps) await a.db.close();
  await t?.drop();
});

async function app(overrides: Plain): Promise<App> {
  const a = await testApp(t.name, overrides);
  apps.push(a);
  return a;
}

/** A run through the real runner with the host clock `fastByMs` ahead of the real time. */
function run(a: App, job: AnyJob, fastByMs: number, req: Partial<RunRequest> = {}) {
  slot += 60_000;
  return runJob(
    { db: a.db, config: a.config, log: silentLogger(), clock: () => new Date(Date.now() + fastByMs) },
    job,
    {
      trigger: 'manual',
      dryRun: false,
      scheduledFor: new Date(slot),
      ...req,
    },
  );
}

async function ids(table: string): Promise<number[]> {
  const [rows] = await t.admin.query<RowDataPacket[]>(`SELECT id FROM ${table} ORDER BY id`);
  return rows.map((r) => Number(r.id));
}

async function runRow(runId: number): Promise<RowDataPacket> {
  const [rows] = await t.admin.query<RowDataPacket[]>('SELECT * FROM dbkeeper_runs WHERE id = ?', [runId]);
  return rows[0]!;
}

describe('purge-locks with a host clock 10 minutes fast', () => {
  // Minutes to live, on the server's clock: two expired, three live (2 and 5 minutes: the double-booking repro).
  const TTL = [-60, -1, 2, 5, 120];
  const live = (all: number[]) => all.filter((_, i) => TTL[i]! > 0);
  let dt: number[];
  let ts: number[];
  const purgeConfig = (maxClockSkewSeconds?: number): Plain => ({
    ...(maxClockSkewSeconds ? { guards: { maxClockSkewSeconds } } : {}),
    jobs: {
      'purge-locks': {
        targets: [
          // The application writes DATETIME in its session zone, here UTC: named explicitly.
          { table: 'dt_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'Etc/UTC' },
          { table: 'ts_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'server' },
        ],
      },
    },
  });

  beforeAll(async () => {
    for (const [table, type, now] of [
      ['dt_locks', 'DATETIME(6)', 'UTC_TIMESTAMP(6)'],
      ['ts_locks', 'TIMESTAMP(6)', 'NOW(6)'],
    ] as const) {
      await t.admin.query(
        `CREATE TABLE ${table} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, expires_at ${type} NOT NULL, KEY idx_expires (expires_at)) ENGINE=InnoDB`,
      );
      for (const m of TTL)
        await t.admin.query(`INSERT INTO ${table} (expires_at) VALUES (${now} + INTERVAL ? MINUTE)`, [m]);
    }
    dt = await ids('dt_locks');
    ts = await ids('ts_locks');
  });

  it('with the default limit (60 s) the run ends failed with ClockSkew naming both clocks, and deletes nothing', async () => {
    const o = await run(await app(purgeConfig()), purgeLocksJob, 10 * MINUTE);
    expect(o.status).toBe('failed');
    expect(o.error?.class).toBe('ClockSkew');
    expect(o.clock!.skewMs).toBeGreaterThan(10 * MINUTE - 5000);
    expect(o.clock!.skewMs).toBeLessThan(10 * MINUTE + 5000);
    expect(o.error!.message).toContain(`host clock ${o.clock!.host.toISOString()}`);
    expect(o.error!.message).toContain(`the server clock ${o.clock!.server.toISOString()}`);
    expect(o.error!.message).toMatch(/is (599|600)\.\d{3} s ahead of the server clock/);
    expect(o.result).toBeNull();
    expect(await ids('dt_locks')).toEqual(dt);
    expect(await ids('ts_locks')).toEqual(ts);
    expect(await runRow(o.runId!)).toMatchObject({
      error_class: 'ClockSkew',
      error_message: expect.stringMatching(/^host clock /),
    });
  });

  it('a dry run goes on with the warning; it counts only what the server clock says has expired', async () => {
    const o = await run(await app(purgeConfig()), purgeLocksJob, 10 * MINUTE, { dryRun: true });
    expect(o.status, JSON.stringify(o.error)).toBe('warning');
    expect(o.result!.warnings!.join('\n')).toMatch(/host clock .* is (599|600)\.\d{3} s ahead of the server clock/);
    const targets = (o.result!.details as { targets: { table: string; wouldDelete: number }[] }).targets;
    expect(targets.map((x) => [x.table, x.wouldDelete])).toEqual([
      ['dt_locks', 2],
      ['ts_locks', 2],
    ]);
    const zones = (o.result!.details as { targets: { zone: string }[] }).targets.map((x) => x.zone);
    expect(zones).toEqual(['Etc/UTC', 'UTC (TIMESTAMP holds instants; session time_zone +00:00)']);
  });

  it('with the limit raised, the cutoff comes from the server: locks with 2 and 5 minutes to live stay, expired ones go', async () => {
    const o = await run(await app(purgeConfig(3600)), purgeLocksJob, 10 * MINUTE);
    expect(o.status, JSON.stringify(o.error)).toBe('ok');
    expect(await ids('dt_locks')).toEqual(live(dt));
    expect(await ids('ts_locks')).toEqual(live(ts));
    expect(o.evaluatedAt).toEqual(o.clock!.server);
    const row = await runRow(o.runId!);
    expect(row.evaluated_at).toEqual(o.clock!.server);
    const stored = JSON.parse(String(row.summary)) as { clock: { host: string; server: string; skewMs: number } };
    expect(stored.clock).toEqual({
      host: o.clock!.host.toISOString(),
      server: o.clock!.server.toISOString(),
      skewMs: o.clock!.skewMs,
    });
  });
});

describe('partitions with a host clock 240 days fast', () => {
  const pname = (sec: number) => {
    const d = new Date(sec * 1000);
    return `p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  };
  let month: (offset: number) => number;
  let fresh: number;

  const partitionNames = async () => {
    const [rows] = await t.admin.query<RowDataPacket[]>(
      'SELECT PARTITION_NAME AS name FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY PARTITION_ORDINAL_POSITION',
      [t.name, 'api_call_logs'],
    );
    return rows.map((r) => String(r.name));
  };
  const partitionConfig = (maxClockSkewSeconds?: number): Plain => ({
    ...(maxClockSkewSeconds ? { guards: { maxClockSkewSeconds } } : {}),
    // Cap raised so that a wrong cutoff would reach the current month.
    jobs: { partitions: { tables: ['api_call_logs'], retentionMonths: 6, premakeMonths: 3, maxDropsPerRun: 24 } },
  });

  beforeAll(async () => {
    const [[r]] = (await t.admin.query(
      'SELECT UNIX_TIMESTAMP(UTC_TIMESTAMP()) AS s, YEAR(UTC_TIMESTAMP()) AS y, MONTH(UTC_TIMESTAMP()) AS m',
    )) as unknown as [RowDataPacket[]];
    const y = Number(r!.y);
    const m = Number(r!.m);
    month = (offset) => Date.UTC(y, m - 1 + offset, 1) / 1000;
    const parts = [-1, 0, 1].map((o) => `PARTITION ${pname(month(o))} VALUES LESS THAN (${month(o + 1)})`);
    await t.admin
      .query(`CREATE TABLE api_call_logs (id BIGINT NOT NULL AUTO_INCREMENT, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (id, created_at)) ENGINE=InnoDB
      PARTITION BY RANGE (UNIX_TIMESTAMP(created_at)) (${parts.join(', ')}, PARTITION pmax VALUES LESS THAN MAXVALUE)`);
    await t.admin.query('INSERT INTO api_call_logs (created_at) VALUES (FROM_UNIXTIME(?))', [month(-1) + 3600]);
    // Written seconds before the run, by the server's clock.
    const [res] = (await t.admin.query('INSERT INTO api_call_logs (created_at) VALUES (NOW())')) as unknown as [
      { insertId: number },
    ];
    fresh = res.insertId;
  });

  it('with the default limit the run ends failed with ClockSkew and drops nothing', async () => {
    const before = await partitionNames();
    const o = await run(await app(partitionConfig()), partitionsJob, 240 * DAY);
    expect(o.status).toBe('failed');
    expect(o.error?.class).toBe('ClockSkew');
    expect(o.error!.message).toMatch(/is 2073(5999|6000)\.\d{3} s ahead of the server clock/);
    expect(await partitionNames()).toEqual(before);
  });

  it('with the limit raised, the current month (holding a row written seconds before) is not dropped', async () => {
    const o = await run(await app(partitionConfig(365 * 86_400)), partitionsJob, 240 * DAY);
    expect(o.status, JSON.stringify(o.error)).toBe('ok');
    const names = await partitionNames();
    expect(names.slice(0, 3)).toEqual([pname(month(-1)), pname(month(0)), pname(month(1))]);
    expect(names.at(-1)).toBe('pmax');
    const [[row]] = (await t.admin.query('SELECT COUNT(*) AS n FROM api_call_logs WHERE id = ?', [
      fresh,
    ])) as unknown as [RowDataPacket[]];
    expect(Number(row!.n)).toBe(1);
    expect(await ids('api_call_logs')).toHaveLength(2);
  });
});

describe('table-maintenance with a host clock 5 minutes slow', () => {
  it('ends failed with ClockSkew before its first statement: no ANALYZE, no baseline', async () => {
    await t.admin.query('CREATE TABLE appointments (id INT PRIMARY KEY, v INT) ENGINE=InnoDB');
    const a = await app({
      jobs: { 'table-maintenance': { analyzeTables: ['appointments'], optimizeTables: ['appointments'] } },
    });
    const o = await run(a, tableMaintenanceJob, -5 * MINUTE);
    expect(o.status).toBe('failed');
    expect(o.error?.class).toBe('ClockSkew');
    expect(o.error!.message).toMatch(/is (299|300)\.\d{3} s behind the server clock/);
    const [rows] = await t.admin.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM dbkeeper_table_baselines');
    expect(Number(rows[0]!.n)).toBe(0);
  });
});

describe('a read-only job with a big skew', () => {
  it('ping goes on and finishes with a warning naming the skew and both clocks', async () => {
    const o = await run(await app({}), pingJob, -3 * DAY);
    expect(o.status).toBe('warning');
    expect(o.clock!.skewMs).toBeLessThan(-3 * DAY + 5000);
    const warning = o.result!.warnings!.find((w) => w.includes('server clock'));
    expect(warning).toContain(`host clock ${o.clock!.host.toISOString()} is `);
    expect(warning).toMatch(/ is 259(199|200)\.\d{3} s behind the server clock /);
    expect(warning).toContain(`the server clock ${o.clock!.server.toISOString()}`);
  });
});
