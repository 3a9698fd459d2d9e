import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointmentLocksTableSql } from '../../src/demo/platform-tables.js';
import { runWorker } from '../../src/scheduler/run-worker.js';
import { jobs as fixtureJobs } from '../fixtures/test-jobs.mjs';
import { workerEnv, writeWorkerConfig } from '../fixtures/worker-process.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';

let t: TestSchema;
const user = `dbkw_${randomBytes(4).toString('hex')}`;
const account = `'${user}'@'127.0.0.1'`;
const password = `pw-${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  t = await createTestSchema();
  await t.admin.query(appointmentLocksTableSql('appointment_locks'));
  await t.admin.query(
    `INSERT INTO appointment_locks (company_id, staff_id, slot_starts_at, lock_token, expires_at)
     VALUES (1, 1, '2020-01-01 10:00:00', REPEAT('a', 32), '2020-01-01 10:05:00'),
            (1, 2, '2020-01-01 10:00:00', REPEAT('b', 32), '2020-01-01 10:05:00')`,
  );
  await t.admin.query(`CREATE USER ${account} IDENTIFIED BY '${password}'`);
  // Everything purge-locks needs but DELETE; its own schema is the test schema.
  await t.admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER ON \`${t.name}_own\`.* TO ${account}`);
  await t.admin.query(`GRANT SELECT ON \`${t.name}\`.appointment_locks TO ${account}`);
  await t.admin.query(`GRANT SLAVE MONITOR ON *.* TO ${account}`);
});
afterAll(async () => {
  await t?.admin.query(`DROP USER IF EXISTS ${account}`);
  await t?.admin.query(`DROP SCHEMA IF EXISTS \`${t.name}_own\``);
  await t?.drop();
});

describe('worker start-up probes', () => {
  it('a job missing a right fails each run naming the GRANT; the others run, ping lists it', async () => {
    const every = { enabled: true, schedule: '* * * * * *', catchUp: false };
    const { path } = writeWorkerConfig(t.name, {
      ping: every,
      'purge-locks': {
        ...every,
        targets: [{ table: 'appointment_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'UTC' }],
      },
    });
    const lines: Record<string, unknown>[] = [];
    const stop = new AbortController();
    const worker = runWorker({
      env: workerEnv(path, { DB_USERNAME: user, DB_PASSWORD: password, DBKEEPER_SCHEMA: `${t.name}_own` }),
      extraJobs: fixtureJobs,
      makeReporter: () => ({
        sendSummary: async () => {},
        sendAlert: async () => {},
        sendOutageAlert: async () => {},
        retryPending: async () => {},
      }),
      logSink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
      stopSignal: stop.signal,
      stderr: (text) => lines.push({ level: 60, msg: text }),
    });
    const runs = async () => {
      const [r] = await t.admin.query<RowDataPacket[]>(
        `SELECT job, status, error_class, error_message, summary FROM \`${t.name}_own\`.dbkeeper_runs ORDER BY id`,
      );
      return r;
    };
    try {
      for (let i = 0; i < 100; i++) {
        const r = await runs().catch(() => []);
        if (
          r.some((x) => x.job === 'ping' && x.status !== 'running') &&
          r.some((x) => x.job === 'purge-locks' && x.status !== 'running')
        )
          break;
        await sleep(100);
      }
    } finally {
      stop.abort();
      expect(await worker, JSON.stringify(lines.filter((l) => Number(l.level) >= 40))).toBe(0);
    }
    const rows = await runs();
    const purge = rows.find((r) => r.job === 'purge-locks' && r.status !== 'running')!;
    expect(purge.status).toBe('failed');
    expect(purge.error_class).toBe('MissingPrivilegeError');
    expect(String(purge.error_message)).toContain(
      `run GRANT DELETE ON \`${t.name}\`.\`appointment_locks\` TO \`${user}\`@\`127.0.0.1\`;`,
    );
    const ping = rows.find((r) => r.job === 'ping' && r.status !== 'running')!;
    expect(ping.status).toBe('warning');
    expect(String(ping.summary)).toContain('1 privilege missing for purge-locks (1 stop a job)');
    // Logged once at start, before the first run.
    expect(lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('missing DELETE on'))).toHaveLength(1);
    const [left] = await t.admin.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM appointment_locks');
    expect(Number(left[0]!.n)).toBe(2);
  }, 30_000);
});
