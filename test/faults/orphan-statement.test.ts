import { spawn } from 'node:child_process';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll } from '../fixtures/worker-process.js';
import { CLI_PATH, runCli } from '../helpers/run-cli.js';
import { createTestSchema, TEST_DB, type TestSchema } from '../helpers/test-db.js';
import { cliConfig } from './helpers/cli-config.js';
import { FaultRecorder } from './helpers/fault-results.js';
import { killCliAt } from './helpers/kill-at-point.js';
import { msUntilLockFree } from './helpers/named-lock-free.js';
import { rowChecksum } from './helpers/row-checksum.js';
import { runRowFacts } from './helpers/run-rows.js';

// kill -9 of the CLI while its purge DELETE waits on the server for a row lock (held here): the server keeps that
// statement (it only notices the dead client when it answers), so it would delete beside the next run once the lock
// goes. The run row keeps the job connection's id; the next start KILLs that session first, then marks the run
// interrupted.
const JOB = 'purge-locks';
const COLUMNS = ['id', 'lock_token', 'expires_at'];
const SURVIVORS = "expires_at > '2090-01-01'";
const LOCK_WAIT_SECONDS = 40;
const recorder = new FaultRecorder('orphan-statement');
let s: TestSchema;
let env: Record<string, string>;
let holder: PoolConnection | mysql.Connection | undefined;

beforeAll(async () => {
  s = await createTestSchema();
  await s.admin.query(`CREATE TABLE appointment_locks (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    lock_token CHAR(32) NOT NULL, expires_at DATETIME NULL, KEY idx_expires (expires_at)) ENGINE=InnoDB`);
  const rows = Array.from({ length: 300 }, (_, i) => [
    `tok${i}`,
    new Date(i < 200 ? Date.UTC(2020, 0, 1) + i * 1000 : Date.UTC(2099, 0, 1) + i * 1000),
  ]);
  await s.admin.query('INSERT INTO appointment_locks (lock_token, expires_at) VALUES ?', [rows]);
  ({ env } = cliConfig(
    s.name,
    {
      [JOB]: {
        targets: [{ table: 'appointment_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'server' }],
        chunk: { minRows: 100, startRows: 100, maxRows: 100, targetMs: 100, restRatio: 0 },
        throttle: { maxThreadsRunning: 1000, pollMs: 100 },
      },
    },
    {
      guards: {
        lockWaitTimeoutSeconds: LOCK_WAIT_SECONDS,
        innodbLockWaitTimeoutSeconds: LOCK_WAIT_SECONDS,
        statementTimeoutSeconds: 120,
        killWaitSeconds: 5,
      },
    },
  ));
});
afterAll(async () => {
  recorder.write();
  await holder?.query('ROLLBACK').catch(() => undefined);
  holder?.destroy();
  await s?.drop();
});

const sessionOnServer = async (id: number) => {
  const [r] = await s.admin.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?',
    [id],
  );
  return Number(r[0]!.n) === 1;
};

describe('a statement left on the server by a killed CLI', () => {
  it('the next start KILLs the job connection kept with the run, then marks the run interrupted', async () => {
    const before = await rowChecksum(s.admin, 'appointment_locks', COLUMNS, SURVIVORS);
    holder = await mysql.createConnection({ ...TEST_DB, database: s.name });
    await holder.query('START TRANSACTION');
    await holder.query(
      "SELECT id FROM appointment_locks WHERE expires_at < '2090-01-01' ORDER BY id LIMIT 1 FOR UPDATE",
    );

    // Kill -9 once the purge's DELETE waits for the row lock.
    let waiting = 0;
    const killed = await killCliAt([JOB], env, {
      until: async () => {
        const [r] = await s.admin.query<RowDataPacket[]>(
          "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'DELETE FROM%'",
          [s.name],
        );
        waiting = r[0] ? Number(r[0].id) : 0;
        return waiting > 0;
      },
    });
    expect(killed.killedAtPoint, killed.stderr.slice(-600)).toBe(true);
    // The kill closed the named lock's session, not the waiting statement.
    const lockFreeMs = await msUntilLockFree(s.admin, s.name, JOB, 5_000);
    expect(await sessionOnServer(waiting)).toBe(true);

    // The next start, with the row lock still held: the leftover statement is KILLed well before its lock wait ends.
    const next = spawn(process.execPath, [CLI_PATH, JOB, '--json'], {
      env: {
        PATH: process.env.PATH ?? '',
        DB_HOST: TEST_DB.host,
        DB_PORT: String(TEST_DB.port),
        DB_USERNAME: TEST_DB.user,
        DB_PASSWORD: TEST_DB.password,
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    next.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => next.on('close', (code) => r(code)));
    const goneWithin = await poll(
      'the leftover statement to leave the server',
      async () => ((await sessionOnServer(waiting)) ? undefined : true),
      15_000,
    ).catch(() => false);
    await holder.query('ROLLBACK');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000))]);
    if (code === 'hung') next.kill('SIGKILL');

    const runs = await runRowFacts(s.admin, s.name, JOB);
    const after = await rowChecksum(s.admin, 'appointment_locks', COLUMNS, SURVIVORS);
    const rec = recorder.record({
      fault: 'kill -9',
      point: 'DELETE waiting on a row lock (leftover statement)',
      job: JOB,
      dataLost:
        after.rows === before.rows && after.crc === before.crc ? 0 : Math.max(1, Math.abs(before.rows - after.rows)),
      hangs: (lockFreeMs === null ? 1 : 0) + (code === 'hung' ? 1 : 0) + (goneWithin ? 0 : 1),
      duplicateRuns: runs.duplicateSlots,
      lostReports: 0,
    });
    expect(
      goneWithin,
      `the leftover DELETE (session ${waiting}) was still on the server 15 s into the next start`,
    ).toBe(true);
    expect(stderr).toMatch(new RegExp(`KILL.*${waiting}`));
    expect(rec).toMatchObject({ dataLost: 0, hangs: 0, duplicateRuns: 0 });
    expect(code, stderr.slice(-1500)).toBe(0);
    expect(runs).toMatchObject({ running: 0, statuses: { interrupted: 1, ok: 1 } });
    const [row] = await s.admin.query<RowDataPacket[]>(
      'SELECT job_connection_id FROM dbkeeper_runs WHERE job = ? AND status = ?',
      [JOB, 'interrupted'],
    );
    expect(Number(row[0]?.job_connection_id), 'the run row kept the job connection id').toBe(waiting);
    const again = await runCli([JOB, '--json'], env);
    expect(again.code).toBe(0);
  });
});
