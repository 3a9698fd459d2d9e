import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeLocksJob } from '../../jobs/purge-locks/job.js';
import type { App } from '../../src/app/bootstrap.js';
import type { Plain } from '../../src/config/deep-merge.js';
import type { TargetOutcome } from '../../jobs/purge-locks/apply.js';
import { runJob, type RunRequest } from '../../src/runner/run-job.js';
import { adminConnection, createTestSchema, silentLogger, testApp, type TestSchema } from '../helpers/test-db.js';

let t: TestSchema;
const apps: App[] = [];
let slot = Date.UTC(2026, 0, 1);

beforeAll(async () => {
  t = await createTestSchema();
});
afterAll(async () => {
  for (const a of apps) await a.db.close();
  await t?.drop();
});

const LOCKS_DDL = (name: string, type = 'DATETIME', index = true) => `CREATE TABLE ${name} (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  company_id INT UNSIGNED NOT NULL,
  staff_id INT UNSIGNED NOT NULL,
  slot_starts_at DATETIME NOT NULL,
  lock_token CHAR(32) NOT NULL,
  expires_at ${type} NULL,
  UNIQUE KEY uq_slot (company_id, staff_id, slot_starts_at)
  ${index ? ', KEY idx_expires (expires_at)' : ''}
) ENGINE=InnoDB`;

/** Wall clock (UTC fields) of a JS instant, as the application would write it into a UTC DATETIME. */
const wall = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

async function seed(table: string, rows: { expires: string | null }[]): Promise<void> {
  const [r] = await t.admin.query<RowDataPacket[]>(`SELECT COALESCE(MAX(id), 0) AS m FROM ${table}`);
  let n = Number(r[0]!.m);
  for (let i = 0; i < rows.length; i += 2000) {
    const batch = rows.slice(i, i + 2000).map((row) => {
      n += 1;
      return [1 + (n % 20), 1 + (n % 50), `2030-01-01 00:00:00`, `tok${n}`, row.expires];
    });
    // slot_starts_at unique per (company, staff): shift by n minutes.
    await t.admin.query(
      `INSERT INTO ${table} (company_id, staff_id, slot_starts_at, lock_token, expires_at) VALUES ?`,
      [
        batch.map((b, k) => [
          b[0],
          b[1],
          new Date(Date.UTC(2030, 0, 1) + (n - batch.length + k + 1) * 60_000),
          b[3],
          b[4],
        ]),
      ],
    );
  }
}

async function checksum(table: string, where: string, values: unknown[] = []): Promise<{ n: number; crc: string }> {
  const [r] = await t.admin.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n, COALESCE(SUM(CRC32(CONCAT_WS('|', id, company_id, staff_id, slot_starts_at, lock_token, IFNULL(expires_at, 'null')))), 0) AS crc FROM ${table} WHERE ${where}`,
    values,
  );
  return { n: Number(r[0]!.n), crc: String(r[0]!.crc) };
}

const baseJobConfig = {
  targets: [{ table: 'appointment_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'server' }],
  chunk: { minRows: 50, startRows: 200, maxRows: 1000, targetMs: 100, restRatio: 0 },
  maxRowsPerRun: 1_000_000,
  maxRunSeconds: 120,
  throttle: { maxThreadsRunning: 1000, pollMs: 100 },
  retry: { maxRetries: 5, backoffMs: 50 },
};

async function app(jobConfig: Plain = {}): Promise<App> {
  const a = await testApp(t.name, { jobs: { 'purge-locks': { ...baseJobConfig, ...jobConfig } } });
  apps.push(a);
  return a;
}

/** Runs the job through the runner with the evaluation time fixed at `now` (both clocks: no skew). */
function run(a: App, now: Date, req: Partial<RunRequest> = {}) {
  slot += 60_000;
  return runJob(
    { db: a.db, config: a.config, log: silentLogger(), clock: () => now, serverClock: () => now },
    purgeLocksJob,
    {
      trigger: 'manual',
      dryRun: false,
      scheduledFor: new Date(slot),
      ...req,
    },
  );
}
const outcomeOf = (o: Awaited<ReturnType<typeof run>>) =>
  (o.result!.details as { targets: TargetOutcome[]; stopped: string }).targets[0]!;

describe('purge-locks on MariaDB', () => {
  it('deletes only rows that expired before the cutoff; rows expiring later and live rows stay byte for byte', async () => {
    await t.admin.query('DROP TABLE IF EXISTS appointment_locks');
    await t.admin.query(LOCKS_DDL('appointment_locks'));
    // The job evaluates at `now`, an hour behind the server clock: rows that expired since then on the
    // server's clock must stay, which they do only if the cutoff is a value and not NOW().
    const now = new Date(Date.now() - 3_600_000);
    now.setUTCMilliseconds(0);
    const at = (sec: number) => wall(new Date(now.getTime() + sec * 1000));
    const expired = Array.from({ length: 4000 }, (_, i) => ({ expires: at(-1 - ((i * 37) % 86_400)) }));
    const boundary = Array.from({ length: 30 }, () => ({ expires: at(0) }));
    const expiredOnServerClock = Array.from({ length: 500 }, (_, i) => ({ expires: at(1 + i) }));
    const live = Array.from({ length: 1000 }, (_, i) => ({ expires: at(7200 + i) }));
    const noExpiry = Array.from({ length: 5 }, () => ({ expires: null }));
    await seed(
      'appointment_locks',
      [...expired, ...boundary, ...expiredOnServerClock, ...live, ...noExpiry].sort(() => Math.random() - 0.5),
    );
    const keepBefore = await checksum('appointment_locks', 'expires_at >= ? OR expires_at IS NULL', [at(0)]);
    expect(keepBefore.n).toBe(1535);

    const o = await run(await app(), now);
    expect(o.status, JSON.stringify(o.error)).toBe('ok');
    const r = outcomeOf(o);
    expect(r).toMatchObject({
      rowsDeleted: 4000,
      rowsKept: 0,
      backlogLeft: 0,
      stopReason: 'done',
      cutoff: `${at(0)}000`,
      index: 'idx_expires',
    });
    expect(r.chunks).toBeGreaterThan(4);
    expect(r.slowestChunkMs).toBeGreaterThan(0);
    expect(await checksum('appointment_locks', 'expires_at < ?', [at(0)])).toEqual({ n: 0, crc: '0' });
    expect(await checksum('appointment_locks', '1 = 1')).toEqual(keepBefore);
    expect(o.result!.summary).toBe('4,000 expired rows deleted from appointment_locks; backlog cleared');
    const figures = o.result!.sections!.flatMap((s) => (s.kind === 'figures' ? s.figures : []));
    expect(figures.find((f) => f.label === 'appointment_locks: rows deleted')!.value).toBe(4000);
    expect(figures.find((f) => f.label === 'appointment_locks: stop reason')!.value).toBe('done');
    expect((o.result!.details as { replica: string }).replica).toBe('not a replica');
    // datetimeZone "server": the result says what it resolved to.
    const [[z]] = (await t.admin.query('SELECT @@global.time_zone AS tz, @@system_time_zone AS sys')) as unknown as [
      RowDataPacket[],
    ];
    const resolved =
      z!.tz === 'SYSTEM'
        ? `"server" = global time_zone SYSTEM = system_time_zone ${String(z!.sys)}`
        : `"server" = global time_zone ${String(z!.tz)}`;
    expect(r.zone).toBe(resolved);
    const text = o.result!.sections!.flatMap((s) => (s.kind === 'text' ? s.lines : []));
    expect(text).toContain(`values read in: ${resolved}`);
  });

  it('purges several targets: a TIMESTAMP column in UTC and a DATETIME column written in New York time, with grace', async () => {
    await t.admin.query('DROP TABLE IF EXISTS hold_locks');
    await t.admin.query('DROP TABLE IF EXISTS ny_locks');
    await t.admin.query(LOCKS_DDL('hold_locks', 'TIMESTAMP'));
    await t.admin.query(LOCKS_DDL('ny_locks', 'DATETIME'));
    const now = new Date('2026-07-01T12:00:00Z'); // 08:00 in New York (EDT)
    // TIMESTAMP: the admin session is UTC too (timezone Z); grace 600 s → cutoff 11:50 UTC.
    await seed('hold_locks', [
      { expires: '2026-07-01 11:49:59' },
      { expires: '2026-07-01 11:50:00' },
      { expires: '2026-07-01 11:55:00' },
      { expires: '2026-06-30 09:00:00' },
    ]);
    // DATETIME in New York wall clock: 07:59:59 has expired, 08:00:00 and 11:00 (already past in UTC terms) have not.
    await seed('ny_locks', [
      { expires: '2026-07-01 07:59:59' },
      { expires: '2026-07-01 08:00:00' },
      { expires: '2026-07-01 11:00:00' },
      { expires: '2026-06-30 23:00:00' },
    ]);
    const a = await app({
      targets: [
        { table: 'hold_locks', expiryColumn: 'expires_at', graceSeconds: 600, datetimeZone: 'server' },
        { table: 'ny_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'America/New_York' },
      ],
    });
    const o = await run(a, now);
    expect(o.status, JSON.stringify(o.error)).toBe('ok');
    const [hold, ny] = (o.result!.details as { targets: TargetOutcome[] }).targets;
    expect(hold).toMatchObject({ rowsDeleted: 2, cutoff: '2026-07-01 11:50:00.000000' });
    expect(ny).toMatchObject({ rowsDeleted: 2, cutoff: '2026-07-01 08:00:00.000000' });
    const [h] = await t.admin.query<RowDataPacket[]>(
      "SELECT DATE_FORMAT(expires_at, '%H:%i:%s') AS e FROM hold_locks ORDER BY expires_at",
    );
    expect(h.map((x) => x.e)).toEqual(['11:50:00', '11:55:00']);
    const [n] = await t.admin.query<RowDataPacket[]>(
      "SELECT DATE_FORMAT(expires_at, '%H:%i:%s') AS e FROM ny_locks ORDER BY expires_at",
    );
    expect(n.map((x) => x.e)).toEqual(['08:00:00', '11:00:00']);
  });

  it('dry run counts and explains, and changes nothing', async () => {
    await t.admin.query('DROP TABLE IF EXISTS appointment_locks');
    await t.admin.query(LOCKS_DDL('appointment_locks'));
    const now = new Date('2026-11-30T17:00:00Z');
    await seed('appointment_locks', [
      ...Array.from({ length: 700 }, (_, i) => ({ expires: wall(new Date(now.getTime() - (i + 1) * 60_000)) })),
      ...Array.from({ length: 300 }, (_, i) => ({ expires: wall(new Date(now.getTime() + (i + 1) * 60_000)) })),
    ]);
    const before = await checksum('appointment_locks', '1 = 1');
    const a = await app();
    const o = await run(a, new Date(), { dryRun: true, at: now });
    expect(o.status, JSON.stringify(o.error)).toBe('ok');
    expect(await checksum('appointment_locks', '1 = 1')).toEqual(before);
    const d = o.result!.details as {
      dryRun: boolean;
      targets: { wouldDelete: number; explain: { first: RowDataPacket[]; next: RowDataPacket[] } }[];
    };
    expect(d.dryRun).toBe(true);
    expect(d.targets[0]!.wouldDelete).toBe(700);
    for (const plan of [...d.targets[0]!.explain.first, ...d.targets[0]!.explain.next]) {
      expect(plan.key).toBe('idx_expires');
      expect(plan.type).toBe('range');
      expect(String(plan.Extra ?? '')).not.toMatch(/filesort/);
    }
    expect(o.result!.summary).toMatch(
      /^dry run: 700 expired rows would be deleted from appointment_locks; nothing deleted$/,
    );
  });

  it('stops between chunks on abort: a consistent table and stopped: aborted', async () => {
    await t.admin.query('DROP TABLE IF EXISTS appointment_locks');
    await t.admin.query(LOCKS_DDL('appointment_locks'));
    const now = new Date('2026-11-30T17:00:00Z');
    await seed(
      'appointment_locks',
      Array.from({ length: 5000 }, (_, i) => ({
        expires: wall(new Date(now.getTime() - (1 + ((i * 13) % 5000)) * 1000)),
      })),
    );
    const [ordered] = await t.admin.query<RowDataPacket[]>('SELECT id FROM appointment_locks ORDER BY expires_at, id');
    const ac = new AbortController();
    const a = await app({ chunk: { minRows: 50, startRows: 100, maxRows: 100, targetMs: 100, restRatio: 0 } });
    // The first progress line comes right after the first chunk.
    const o = await run(a, now, { signal: ac.signal, progress: () => ac.abort(new Error('test abort')) });
    expect(o.status).toBe('interrupted');
    expect((o.result!.details as { stopped: string }).stopped).toBe('aborted');
    const r = outcomeOf(o);
    expect(r).toMatchObject({ stopReason: 'aborted', rowsDeleted: 100, chunks: 1, backlogLeft: null });
    // Whole chunks only: exactly the first 100 rows of the walk are gone.
    const [left] = await t.admin.query<RowDataPacket[]>('SELECT id FROM appointment_locks ORDER BY expires_at, id');
    expect(left.map((x) => x.id)).toEqual(ordered.slice(100).map((x) => x.id));
    // No transaction left open by a session on this schema (other test files' sessions may have theirs).
    const [trx] = await t.admin.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX x JOIN information_schema.PROCESSLIST p ON p.ID = x.trx_mysql_thread_id WHERE p.DB = ?',
      [t.name],
    );
    expect(Number(trx[0]!.n)).toBe(0);
  });

  it('runs beside application traffic on the same table without errors on either side', async () => {
    await t.admin.query('DROP TABLE IF EXISTS appointment_locks');
    await t.admin.query(LOCKS_DDL('appointment_locks'));
    const now = new Date();
    now.setUTCMilliseconds(0);
    const expiredCount = 8000;
    await seed(
      'appointment_locks',
      Array.from({ length: expiredCount }, (_, i) => ({
        expires: wall(new Date(now.getTime() - (1 + (i % 7200)) * 1000)),
      })),
    );
    const conns: Connection[] = [];
    for (let i = 0; i < 4; i += 1) conns.push(await adminConnection(t.name));
    let stop = false;
    const errors: string[] = [];
    let appDeletedExpired = 0;
    let taken = 0;
    const traffic = conns.map(async (c, w) => {
      let k = 0;
      while (!stop) {
        k += 1;
        try {
          // Take a lock (expires in 10 min), release it, and release an old one that happens to be expired.
          const [ins] = await c.query<ResultSetHeader>(
            'INSERT INTO appointment_locks (company_id, staff_id, slot_starts_at, lock_token, expires_at) VALUES (?, ?, ?, ?, ?)',
            [
              900 + w,
              1,
              new Date(Date.UTC(2031, 0, 1) + k * 60_000),
              `app${w}-${k}`,
              wall(new Date(now.getTime() + 600_000)),
            ],
          );
          taken += 1;
          if (k % 2 === 0) await c.query('DELETE FROM appointment_locks WHERE id = ?', [ins.insertId]);
          const [del] = await c.query<ResultSetHeader>(
            'DELETE FROM appointment_locks WHERE id = ? AND expires_at < ?',
            [1 + ((k * 97 + w * 13) % expiredCount), wall(now)],
          );
          appDeletedExpired += del.affectedRows;
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    });
    const o = await run(
      await app({ chunk: { minRows: 50, startRows: 100, maxRows: 300, targetMs: 20, restRatio: 0.2 } }),
      now,
    );
    stop = true;
    await Promise.all(traffic);
    for (const c of conns) await c.end();
    expect(errors).toEqual([]);
    expect(o.status, JSON.stringify(o.error)).toBe('ok');
    const r = outcomeOf(o);
    expect(taken).toBeGreaterThan(0);
    expect(r.rowsDeleted + appDeletedExpired).toBe(expiredCount);
    expect(r.backlogLeft).toBe(0);
    const [left] = await t.admin.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM appointment_locks WHERE expires_at < ?',
      [wall(now)],
    );
    expect(Number(left[0]!.n)).toBe(0);
  });

  it.each([
    [
      'no index on the expiry column',
      LOCKS_DDL('appointment_locks', 'DATETIME', false),
      {},
      /appointment_locks\.expires_at: no index leads with it; a purge would scan and lock the whole table/,
    ],
    [
      'an index on the expiry column that the optimizer ignores',
      LOCKS_DDL('appointment_locks').replace('KEY idx_expires (expires_at)', 'KEY idx_expires (expires_at) IGNORED'),
      {},
      /appointment_locks\.expires_at: its index idx_expires is ignored\/invisible/,
    ],
    [
      'a column that is not a date/time',
      LOCKS_DDL('appointment_locks').replace('slot_starts_at DATETIME', 'slot_starts_at VARCHAR(30)'),
      { targets: [{ ...baseJobConfig.targets[0]!, expiryColumn: 'slot_starts_at' }] },
      /slot_starts_at is VARCHAR, not DATETIME or TIMESTAMP/,
    ],
    [
      'a column that does not exist',
      LOCKS_DDL('appointment_locks'),
      { targets: [{ ...baseJobConfig.targets[0]!, expiryColumn: 'valid_until' }] },
      /appointment_locks\.valid_until: no such column/,
    ],
    [
      'a table that does not exist',
      LOCKS_DDL('appointment_locks'),
      { targets: [{ ...baseJobConfig.targets[0]!, table: 'slot_locks' }] },
      /slot_locks: no such table/,
    ],
  ])('refuses %s with a clear error and deletes nothing', async (_what, ddl, jobConfig, message) => {
    await t.admin.query('DROP TABLE IF EXISTS appointment_locks');
    await t.admin.query(ddl);
    const now = new Date('2026-11-30T17:00:00Z');
    await seed(
      'appointment_locks',
      Array.from({ length: 50 }, (_, i) => ({ expires: wall(new Date(now.getTime() - (i + 1) * 60_000)) })),
    );
    const before = await checksum('appointment_locks', '1 = 1');
    const o = await run(await app(jobConfig), now);
    expect(o.status).toBe('failed');
    expect(o.error!.class).toBe('PurgeRefusedError');
    expect(o.error!.message).toMatch(/^refusing to purge, nothing deleted: /);
    expect(o.error!.message).toMatch(message);
    expect(await checksum('appointment_locks', '1 = 1')).toEqual(before);
  });
});
