import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionsJob } from '../../jobs/partitions/job.js';
import type { TableOutcome } from '../../jobs/table-maintenance/report.js';
import { tableMaintenanceJob } from '../../jobs/table-maintenance/job.js';
import type { App } from '../../src/app/bootstrap.js';
import type { AnyJob } from '../../src/job/job-contract.js';
import { runJob } from '../../src/runner/run-job.js';
import { testApp } from '../helpers/test-db.js';
import { startThrowawayServer, type ThrowawayServer } from '../helpers/throwaway-server.js';

/**
 * Issue 17, measured: a transaction held open on the tables; the rebuild and the partition run are skipped within the
 * bound, the holder named, and a writer on the tables never stalls past 1 s. The same runs without the pre-check
 * (mdlWaitSeconds 0) show the stall a bare DDL causes. A throwaway server: the coarse check (no metadata-lock view on
 * MariaDB without the plugin) counts every long transaction, and the shared server has other people's.
 */
const SCHEMA = 'booking';
const DIGITS =
  '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
const SEQ = `SELECT d0.d + d1.d * 10 + d2.d * 100 + d3.d * 1000 + d4.d * 10000 + d5.d * 100000 AS n
  FROM ${DIGITS} d0, ${DIGITS} d1, ${DIGITS} d2, ${DIGITS} d3, ${DIGITS} d4, ${DIGITS} d5`;

const monthStart = (offset: number) => {
  const d = new Date();
  return Math.floor(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1) / 1000);
};
const pname = (sec: number) => {
  const d = new Date(sec * 1000);
  return `p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};

/** Inserts one row into each table in a loop; the longest single insert is the writer's worst stall. */
function startWriter(conn: Connection) {
  let stop = false;
  let maxMs = 0;
  let count = 0;
  const done = (async () => {
    while (!stop) {
      for (const sql of [
        'INSERT INTO appointments (company_id, note) VALUES (1, ?)',
        'INSERT INTO api_call_logs (company_id) VALUES (1)',
      ]) {
        const t0 = performance.now();
        await conn.query(sql, ['writer']);
        maxMs = Math.max(maxMs, performance.now() - t0);
        count += 1;
      }
      await sleep(20);
    }
  })();
  return {
    async finish() {
      stop = true;
      await done;
      return { maxStallMs: Math.round(maxMs), inserts: count };
    },
  };
}

describe('DDL never queues behind a transaction (throwaway MariaDB, coarse check)', () => {
  let server: ThrowawayServer;
  let admin: Connection;
  let app: App;
  const figures: Record<string, unknown> = {};
  const connect = () =>
    mysql.createConnection({ host: server.host, port: server.port, user: 'root', password: '', database: SCHEMA });

  const run = (job: AnyJob, section: string, config: Record<string, unknown>) =>
    runJob(
      {
        db: app.db,
        config: {
          ...app.config,
          jobs: {
            ...app.config.jobs,
            [section]: { ...(app.config.jobs as Record<string, object>)[section], ...config },
          },
        },
        log: app.log,
      },
      job,
      { trigger: 'manual', dryRun: false },
    );
  const MAINT = {
    analyzeTables: [],
    optimizeTables: ['appointments'],
    minReclaimBytes: 0,
    bloatThresholdPercent: 1,
    longTransactionSeconds: 1,
    ddlLockWaitSeconds: 2,
  };
  const PARTS = { tables: ['api_call_logs'], lockWaitTimeoutSeconds: 2, longTransactionSeconds: 1 };

  beforeAll(async () => {
    server = await startThrowawayServer({ label: 'mdl' });
    admin = await mysql.createConnection({ host: server.host, port: server.port, user: 'root', password: '' });
    await admin.query(`CREATE SCHEMA ${SCHEMA}`);
    await admin.query(`USE ${SCHEMA}`);
    await admin.query(`CREATE TABLE appointments (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, company_id INT UNSIGNED NOT NULL,
      note VARCHAR(200) NOT NULL, KEY idx_company (company_id)) ENGINE=InnoDB`);
    await admin.query(
      `INSERT INTO appointments (company_id, note) SELECT n % 1000, REPEAT('x', 100 + n % 50) FROM (${SEQ}) seq WHERE n < 400000`,
    );
    await admin.query('DELETE FROM appointments WHERE id % 5 IN (1, 2, 3)');
    const parts = [];
    for (let m = -8; m <= 0; m += 1)
      parts.push(`PARTITION ${pname(monthStart(m))} VALUES LESS THAN (${monthStart(m + 1)})`);
    await admin.query(`CREATE TABLE api_call_logs (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, company_id INT UNSIGNED NOT NULL,
      created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (id, created_at)) ENGINE=InnoDB
      PARTITION BY RANGE (UNIX_TIMESTAMP(created_at)) (${parts.join(', ')}, PARTITION pmax VALUES LESS THAN MAXVALUE)`);
    await admin.query(
      'INSERT INTO api_call_logs (company_id, created_at) SELECT 1, FROM_UNIXTIME(? + n * 60) FROM (SELECT 0 n UNION ALL SELECT 1) x',
      [monthStart(-8)],
    );
    app = await testApp(SCHEMA, { db: { host: server.host, port: server.port, database: SCHEMA } });
  }, 120_000);
  afterAll(async () => {
    process.stdout.write(`writer stall figures: ${JSON.stringify(figures)}\n`);
    await app?.db.close();
    await admin?.end();
    await server?.stop();
  });

  /** A session that read both tables and keeps its transaction open: what an idle-in-transaction app connection does.
   */
  async function holdTables(): Promise<{ conn: Connection; id: number }> {
    const conn = await connect();
    await conn.query('START TRANSACTION');
    await conn.query('SELECT COUNT(*) FROM appointments');
    await conn.query('SELECT COUNT(*) FROM api_call_logs');
    const [[row]] = await conn.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    await sleep(1500); // older than longTransactionSeconds (1 s)
    return { conn, id: Number(row!.id) };
  }

  it('with the pre-check: both runs skip within the bound naming the holder; the writer never stalls past 1 s', async () => {
    const holder = await holdTables();
    const writerConn = await connect();
    const writer = startWriter(writerConn);
    try {
      const started = performance.now();
      const maint = await run(tableMaintenanceJob, 'table-maintenance', { ...MAINT, mdlWaitSeconds: 2 });
      const parts = await run(partitionsJob, 'partitions', { ...PARTS, mdlWaitSeconds: 2 });
      const tookMs = performance.now() - started;
      const w = await writer.finish();
      figures.withCheck = { ...w, runsMs: Math.round(tookMs) };

      const skip = maint.result!.skipped!.find((x) => x.target === 'appointments')!;
      expect(skip).toMatchObject({
        kind: 'contended',
        culprits: [expect.objectContaining({ connectionId: holder.id, user: 'root', host: expect.any(String) })],
      });
      expect(skip.reason).toMatch(
        new RegExp(`^contended: connection ${holder.id} \\(root@\\S+, transaction open \\d+ s\\) \\(coarse check`),
      );
      expect((maint.result!.details!.tables as TableOutcome[])[0]!.optimize).toMatchObject({
        outcome: 'contended',
        contention: { when: 'before' },
      });
      const partSkips = parts.result!.skipped!.filter((x) => x.kind === 'contended' || /^stopped/.test(x.reason));
      expect(partSkips[0]).toMatchObject({
        kind: 'contended',
        culprits: [expect.objectContaining({ connectionId: holder.id })],
      });
      expect(
        partSkips
          .slice(1)
          .every((x) => /^stopped: not run: an earlier statement on api_call_logs was contended/.test(x.reason)),
      ).toBe(true);
      // Each run waited its bound (2 s) once, then skipped.
      expect(maint.durationMs).toBeLessThan(8000);
      expect(parts.durationMs).toBeLessThan(8000);
      expect(w.maxStallMs).toBeLessThan(1000);
    } finally {
      await writer.finish().catch(() => undefined);
      await writerConn.end();
      await holder.conn.query('ROLLBACK');
      await holder.conn.end();
    }
  });

  it('without the pre-check (mdlWaitSeconds 0): the bare DDL queues behind the holder and the writer stalls behind it', async () => {
    const holder = await holdTables();
    const writerConn = await connect();
    const writer = startWriter(writerConn);
    try {
      const maint = await run(tableMaintenanceJob, 'table-maintenance', { ...MAINT, mdlWaitSeconds: 0 });
      const parts = await run(partitionsJob, 'partitions', { ...PARTS, mdlWaitSeconds: 0 });
      const w = await writer.finish();
      figures.withoutCheck = w;
      expect((maint.result!.details!.tables as TableOutcome[])[0]!.optimize).toMatchObject({
        outcome: 'contended',
        contention: { when: 'wait' },
      });
      const partSkip = parts.result!.skipped!.find((x) => x.kind === 'contended');
      // No pre-check: the ALTER's own lock wait ran out, and the holder was looked up then and named.
      expect(partSkip?.culprits?.map((c) => c.connectionId)).toContain(holder.id);
      expect(partSkip?.reason).toContain(`connection ${holder.id} (`);
      // The stall the pre-check avoids: the writer queued behind the waiting DDL.
      expect(w.maxStallMs).toBeGreaterThan(1000);
    } finally {
      await writer.finish().catch(() => undefined);
      await writerConn.end();
      await holder.conn.query('ROLLBACK');
      await holder.conn.end();
    }
  });

  it('a transaction opened mid-rebuild: the rebuild is rolled back at its final lock upgrade, reported with the holder and the work lost', async () => {
    await admin.query(
      `INSERT INTO appointments (company_id, note) SELECT n % 1000, REPEAT('y', 150) FROM (${SEQ}) seq WHERE n < 600000`,
    );
    await admin.query('DELETE FROM appointments WHERE id % 3 = 0');
    const pending = run(tableMaintenanceJob, 'table-maintenance', {
      ...MAINT,
      mdlWaitSeconds: 2,
      ddlLockWaitSeconds: 1,
    });
    // Once the ALTER is copying rows (past its first exclusive lock), a session reads the table and stays in its
    // transaction.
    let altering = false;
    for (const until = performance.now() + 60_000; performance.now() < until && !altering;) {
      const [rows] = await admin.query<RowDataPacket[]>(
        "SELECT 1 FROM information_schema.PROCESSLIST WHERE INFO LIKE '%ALTER TABLE%FORCE%' AND STATE = 'altering table'",
      );
      altering = rows.length > 0;
      if (!altering) await sleep(25);
    }
    expect(altering).toBe(true);
    const late = await connect();
    try {
      await late.query('START TRANSACTION');
      await late.query('SELECT id FROM appointments LIMIT 1');
      const [[row]] = await late.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
      const outcome = await pending;
      const t = (outcome.result!.details!.tables as TableOutcome[])[0]!;
      figures.midRebuild = { workLostMs: t.optimize?.contention?.workLostMs ?? null };
      expect(t.optimize).toMatchObject({ outcome: 'contended', contention: { when: 'mid-rebuild' } });
      const skip = outcome.result!.skipped!.find((x) => x.target === 'appointments')!;
      expect(skip.reason).toMatch(
        /^contended mid-rebuild: a transaction opened during the rebuild held the table .* rolled back after \d+\.\d s of work \(lost\); connection \d+/,
      );
      expect(skip.culprits?.map((c) => c.connectionId)).toContain(Number(row!.id));
      expect(t.optimize!.contention!.workLostMs).toBeGreaterThan(1500);
    } finally {
      await late.query('ROLLBACK');
      await late.end();
    }
  }, 180_000);
});
