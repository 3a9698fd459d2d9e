import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyStep, ensureMigrations } from '../../src/db/migrations.js';
import { recentRuns, runHistoryMigrations } from '../../src/db/run-history.js';
import { outcomeOfRow } from '../../src/runner/run-record.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';

let t: TestSchema;
beforeAll(async () => {
  t = await createTestSchema();
});
afterAll(async () => {
  await t?.drop();
});

/** dbkeeper_runs as core-001..003 left it (frozen here: the shape installed sites have today). */
const OLD_DDL = `CREATE TABLE dbkeeper_runs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job VARCHAR(64) NOT NULL,
  scheduled_for DATETIME(3) NOT NULL,
  \`trigger\` VARCHAR(16) NOT NULL,
  dry_run TINYINT(1) NOT NULL DEFAULT 0,
  evaluated_at DATETIME(3) NOT NULL,
  host VARCHAR(255) NOT NULL,
  pid INT UNSIGNED NOT NULL,
  connection_id BIGINT UNSIGNED NULL,
  started_at DATETIME(3) NOT NULL,
  finished_at DATETIME(3) NULL,
  status ENUM('running','ok','failed','skipped','interrupted') NOT NULL,
  summary LONGTEXT NULL,
  error TEXT NULL,
  skip_reason VARCHAR(255) NULL,
  UNIQUE KEY uq_job_slot (job, scheduled_for),
  KEY ix_status (status, job)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

const OLD_IDS = ['core-001-runs', 'core-002-runs-skip-reason', 'core-003-runs-utf8mb4'];
const warningResult = JSON.stringify({
  status: 'warning',
  summary: 'read_only is ON',
  warnings: ['read_only is ON'],
  clock: { host: '2026-01-01T03:15:00.000Z', server: '2026-01-01T03:15:00.000Z', skewMs: 0 },
});

/** [status, summary, error, skip_reason] of each old row, and what the new record says of it. */
const ROWS: [
  string,
  string | null,
  string | null,
  string | null,
  { status: string; error_class: string | null; error_message: string | null },
][] = [
  [
    'ok',
    JSON.stringify({ status: 'ok', summary: 'up 3 h' }),
    null,
    null,
    { status: 'ok', error_class: null, error_message: null },
  ],
  ['ok', warningResult, null, null, { status: 'warning', error_class: null, error_message: null }],
  // Not JSON (never written by dbkeeper, but a migration must not stop on it): stays ok.
  ['ok', 'not json {', null, null, { status: 'ok', error_class: null, error_message: null }],
  [
    'failed',
    null,
    'TypeError: table appointment_locks has no expiry index: see docs',
    null,
    {
      status: 'failed',
      error_class: 'TypeError',
      error_message: 'table appointment_locks has no expiry index: see docs',
    },
  ],
  // Masked literals stay masked; text past the BMP survives.
  [
    'failed',
    null,
    "Error: Duplicate entry '?' for key '?' ≥ 😀",
    null,
    { status: 'failed', error_class: 'Error', error_message: "Duplicate entry '?' for key '?' ≥ 😀" },
  ],
  [
    'failed',
    null,
    'ClockSkew: host clock 2026-01-01T03:25:00.000Z is 600.000 s ahead of the server clock',
    null,
    {
      status: 'failed',
      error_class: 'ClockSkew',
      error_message: 'host clock 2026-01-01T03:25:00.000Z is 600.000 s ahead of the server clock',
    },
  ],
  [
    'failed',
    null,
    'connection lost',
    null,
    { status: 'failed', error_class: 'Error', error_message: 'connection lost' },
  ],
  [
    'interrupted',
    null,
    'worker stopped before the run finished (found running with its lock free)',
    null,
    {
      status: 'interrupted',
      error_class: 'Orphaned',
      error_message: 'worker stopped before the run finished (found running with its lock free)',
    },
  ],
  [
    'interrupted',
    null,
    'did not stop within the drain time (shutdown.drainSeconds); the worker exited',
    null,
    {
      status: 'interrupted',
      error_class: 'DrainTimeout',
      error_message: 'did not stop within the drain time (shutdown.drainSeconds); the worker exited',
    },
  ],
  [
    'interrupted',
    null,
    'Error: stopped after 3 of 300 chunks (aborted: worker shutting down (SIGINT/SIGTERM))',
    null,
    {
      status: 'interrupted',
      error_class: 'Error',
      error_message: 'stopped after 3 of 300 chunks (aborted: worker shutting down (SIGINT/SIGTERM))',
    },
  ],
  [
    'skipped',
    null,
    null,
    JSON.stringify({ kind: 'covered-by-manual', runId: 7 }),
    { status: 'skipped', error_class: null, error_message: null },
  ],
  ['running', null, null, null, { status: 'running', error_class: null, error_message: null }],
];

async function oldShapeWithRows(): Promise<void> {
  await t.admin.query('DROP TABLE IF EXISTS dbkeeper_runs');
  await t.admin.query('DROP TABLE IF EXISTS dbkeeper_migrations');
  await t.admin.query(OLD_DDL);
  await t.admin.query(
    'CREATE TABLE dbkeeper_migrations (id VARCHAR(100) NOT NULL PRIMARY KEY, applied_at DATETIME(3) NOT NULL) ENGINE=InnoDB',
  );
  for (const id of OLD_IDS) await t.admin.query('INSERT INTO dbkeeper_migrations VALUES (?, NOW(3))', [id]);
  let hour = 0;
  for (const [status, summary, error, skip] of ROWS) {
    const at = new Date(Date.UTC(2026, 0, 1, hour++, 15));
    await t.admin.query(
      `INSERT INTO dbkeeper_runs (job, scheduled_for, \`trigger\`, dry_run, evaluated_at, host, pid, started_at, finished_at, status, summary, error, skip_reason)
       VALUES ('ping', ?, 'schedule', 0, ?, 'old-host', 1, ?, ?, ?, ?, ?, ?)`,
      [at, at, at, status === 'running' ? null : at, status, summary, error, skip],
    );
  }
}

async function records(): Promise<{ status: string; error_class: string | null; error_message: string | null }[]> {
  const [rows] = await t.admin.query<RowDataPacket[]>(
    'SELECT status, error_class, error_message FROM dbkeeper_runs ORDER BY id',
  );
  return rows.map((r) => ({
    status: String(r.status),
    error_class: r.error_class as string | null,
    error_message: r.error_message as string | null,
  }));
}

async function columns(): Promise<string[]> {
  const [rows] = await t.admin.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [t.name, 'dbkeeper_runs'],
  );
  return rows.map((r) => String(r.name));
}

const expected = ROWS.map((r) => r[4]);
const record = runHistoryMigrations.find((m) => m.id === 'core-005-runs-record')!;
const steps = record.statements('`any`').length;

describe('core-005-runs-record on dbkeeper_runs in the shape of today', () => {
  beforeEach(oldShapeWithRows);

  it('stores warnings as warning, splits "Class: message" into error_class and error_message, and drops error', async () => {
    const applied = await ensureMigrations(t.admin, t.name, runHistoryMigrations);
    expect(applied).toContain('core-005-runs-record');
    expect(await records()).toEqual(expected);
    const cols = await columns();
    expect(cols).toEqual(expect.arrayContaining(['status', 'summary', 'skip_reason', 'error_class', 'error_message']));
    expect(cols).not.toContain('error');
    const [type] = await t.admin.query<RowDataPacket[]>(
      "SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'dbkeeper_runs' AND COLUMN_NAME = 'status'",
      [t.name],
    );
    expect(String(type[0]!.t)).toBe("enum('running','ok','failed','skipped','interrupted','warning')");
    // The readers see the record: the warning row is a warning outcome, the failed one has its class.
    const outcomes = (await recentRuns(t.admin, t.name, 'ping', { limit: 20 })).reverse().map(outcomeOfRow);
    expect(outcomes[1]).toMatchObject({ status: 'warning', result: { status: 'warning', summary: 'read_only is ON' } });
    expect(outcomes[1]!.result).not.toHaveProperty('clock');
    expect(outcomes[3]!.error).toEqual({
      class: 'TypeError',
      message: 'table appointment_locks has no expiry index: see docs',
    });
    expect(outcomes[10]!.skip).toEqual({ kind: 'covered-by-manual', runId: 7 });
  });

  it('running every step again after it finished changes nothing', async () => {
    await ensureMigrations(t.admin, t.name, runHistoryMigrations);
    for (const step of record.statements(`\`${t.name}\``)) await applyStep(t.admin, t.name, step);
    expect(await records()).toEqual(expected);
  });

  // A crash after k steps (the migration id is recorded only after the last): the next start runs it all again.
  it.each(Array.from({ length: steps - 1 }, (_, i) => i + 1))(
    'a crash after step %i: the next start completes it',
    async (k) => {
      for (const step of record.statements(`\`${t.name}\``).slice(0, k)) await applyStep(t.admin, t.name, step);
      const applied = await ensureMigrations(t.admin, t.name, runHistoryMigrations);
      expect(applied).toContain('core-005-runs-record');
      expect(await records()).toEqual(expected);
      expect(await columns()).not.toContain('error');
    },
  );
});
