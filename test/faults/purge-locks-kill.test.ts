import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';
import { cliConfig } from './helpers/cli-config.js';
import { FaultRecorder } from './helpers/fault-results.js';
import { killCliAt } from './helpers/kill-at-point.js';
import { msUntilLockFree } from './helpers/named-lock-free.js';
import { rowChecksum } from './helpers/row-checksum.js';
import { runRowFacts } from './helpers/run-rows.js';

// kill -9 of the real CLI at named points of a purge, then the next start: the rows outside the purge predicate
// (not expired, or no expiry) are unchanged by checksum, the lock is free, no row stays running, the next run
// finishes the work.
const JOB = 'purge-locks';
const COLUMNS = ['id', 'company_id', 'slot_starts_at', 'lock_token', 'expires_at'];
const SURVIVORS = "expires_at IS NULL OR expires_at > '2090-01-01'";
const LOCK_BOUND_MS = 5_000;

const recorder = new FaultRecorder('purge-locks-kill');
let s: TestSchema;
let env: Record<string, string>;

beforeAll(async () => {
  s = await createTestSchema();
  await s.admin.query(`CREATE TABLE appointment_locks (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, company_id INT UNSIGNED NOT NULL,
    slot_starts_at DATETIME NOT NULL, lock_token CHAR(32) NOT NULL, expires_at DATETIME NULL,
    KEY idx_expires (expires_at)) ENGINE=InnoDB`);
  ({ env } = cliConfig(
    s.name,
    {
      [JOB]: {
        targets: [{ table: 'appointment_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'server' }],
        chunk: { minRows: 100, startRows: 100, maxRows: 100, targetMs: 100, restRatio: 0 },
        throttle: { maxThreadsRunning: 1000, pollMs: 100 },
      },
    },
    { guards: { lockWaitTimeoutSeconds: 2, innodbLockWaitTimeoutSeconds: 2, statementTimeoutSeconds: 20 } },
  ));
});
afterAll(async () => {
  recorder.write();
  await s?.drop();
});

/** 1,000 expired rows (10 chunks of 100), 300 that expire in 2099, 50 without expiry. */
async function seed(): Promise<void> {
  await s.admin.query('TRUNCATE TABLE appointment_locks');
  const rows: unknown[][] = [];
  for (let i = 0; i < 1350; i += 1) {
    const expires =
      i < 1000
        ? new Date(Date.UTC(2020, 0, 1) + i * 1000)
        : i < 1300
          ? new Date(Date.UTC(2099, 0, 1) + i * 1000)
          : null;
    rows.push([1 + (i % 7), new Date(Date.UTC(2030, 0, 1) + i * 60_000), `tok${i}`, expires]);
  }
  await s.admin.query('INSERT INTO appointment_locks (company_id, slot_starts_at, lock_token, expires_at) VALUES ?', [
    rows,
  ]);
}

const expiredLeft = async () => {
  const [r] = await s.admin.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM appointment_locks WHERE expires_at < '2090-01-01'",
  );
  return Number(r[0]!.n);
};

const POINTS = [
  'before-lock',
  'after-run-row',
  'purge-before-commit:2', // inside a chunk's transaction, after its DELETE
  'purge-between-chunks:3',
  'before-finish-row', // the end-of-run write
  'after-finish-row',
];

describe('purge-locks: kill -9 of the CLI, then the next start', () => {
  it.each(POINTS)('killed at %s', async (point) => {
    await seed();
    const before = await rowChecksum(s.admin, 'appointment_locks', COLUMNS, SURVIVORS);
    const killed = await killCliAt([JOB], env, { point });
    expect(killed.killedAtPoint, `reached ${point}: ${killed.stderr.slice(-400)}`).toBe(true);
    const expiredAtKill = await expiredLeft();

    const lockFreeMs = await msUntilLockFree(s.admin, s.name, JOB, LOCK_BOUND_MS);
    const next = await runCli([JOB, '--json'], env, 60_000);
    const after = await rowChecksum(s.admin, 'appointment_locks', COLUMNS, SURVIVORS);
    const runs = await runRowFacts(s.admin, s.name, JOB);
    const c = recorder.record({
      fault: 'kill -9',
      point,
      job: JOB,
      dataLost:
        after.rows === before.rows && after.crc === before.crc ? 0 : Math.max(1, Math.abs(before.rows - after.rows)),
      hangs: (lockFreeMs === null ? 1 : 0) + (next.code === null ? 1 : 0),
      duplicateRuns: runs.duplicateSlots,
      lostReports: 0,
    });

    expect(c).toMatchObject({ dataLost: 0, hangs: 0, duplicateRuns: 0 });
    expect(next.code, next.stderr).toBe(0);
    expect(runs.running).toBe(0);
    expect(await expiredLeft()).toBe(0);
    if (point.startsWith('purge-')) expect(expiredAtKill, 'the kill came mid-work').toBeGreaterThan(0);
    // A run row the killed process left behind is swept to interrupted by the next start, never left running.
    if (point !== 'before-lock' && point !== 'after-finish-row') expect(runs.statuses.interrupted).toBeGreaterThan(0);
  });
});
