import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';
import { cliConfig } from './helpers/cli-config.js';
import { FaultRecorder } from './helpers/fault-results.js';
import { killCliAt } from './helpers/kill-at-point.js';
import { msUntilLockFree } from './helpers/named-lock-free.js';
import { rowChecksum } from './helpers/row-checksum.js';
import { runRowFacts } from './helpers/run-rows.js';

// kill -9 of the real CLI during table-maintenance (ANALYZE + OPTIMIZE of `appointments`), then the next start:
// every row unchanged by checksum, the lock free, no row left running.
const JOB = 'table-maintenance';
const COLUMNS = ['id', 'company_id', 'note'];
const recorder = new FaultRecorder('table-maintenance-kill');
let s: TestSchema;
let env: Record<string, string>;

beforeAll(async () => {
  s = await createTestSchema();
  await s.admin.query(
    'CREATE TABLE appointments (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, company_id INT UNSIGNED NOT NULL, note VARCHAR(200) NOT NULL) ENGINE=InnoDB',
  );
  const rows = Array.from({ length: 3000 }, (_, i) => [1 + (i % 9), `note ${i} ${'x'.repeat(150)}`]);
  await s.admin.query('INSERT INTO appointments (company_id, note) VALUES ?', [rows]);
  await s.admin.query('DELETE FROM appointments WHERE id % 2 = 0'); // free space for OPTIMIZE to reclaim
  ({ env } = cliConfig(
    s.name,
    {
      [JOB]: {
        schema: s.name,
        analyzeTables: ['appointments'],
        optimizeTables: ['appointments'],
        bloatThresholdPercent: 1,
        minReclaimBytes: 1,
      },
    },
    { guards: { lockWaitTimeoutSeconds: 20, innodbLockWaitTimeoutSeconds: 2, statementTimeoutSeconds: 30 } },
  ));
});
afterAll(async () => {
  recorder.write();
  await s?.drop();
});

describe('table-maintenance: kill -9 of the CLI, then the next start', () => {
  it.each(['before-lock', 'after-run-row', 'before-finish-row'])('killed at %s', async (point) => {
    const before = await rowChecksum(s.admin, 'appointments', COLUMNS);
    const killed = await killCliAt([JOB], env, { point });
    expect(killed.killedAtPoint, killed.stderr.slice(-400)).toBe(true);
    const lockFreeMs = await msUntilLockFree(s.admin, s.name, JOB, 5_000);
    const next = await runCli([JOB, '--json'], env, 60_000);
    const after = await rowChecksum(s.admin, 'appointments', COLUMNS);
    const runs = await runRowFacts(s.admin, s.name, JOB);
    const rec = recorder.record({
      fault: 'kill -9',
      point,
      job: JOB,
      dataLost:
        after.rows === before.rows && after.crc === before.crc ? 0 : Math.max(1, Math.abs(before.rows - after.rows)),
      hangs: (lockFreeMs === null ? 1 : 0) + (next.code === null ? 1 : 0),
      duplicateRuns: runs.duplicateSlots,
      lostReports: 0,
    });
    expect(rec).toMatchObject({ dataLost: 0, hangs: 0, duplicateRuns: 0 });
    expect(next.code, `${next.stdout.slice(0, 600)}${next.stderr.slice(-600)}`).toBe(0);
    expect(runs.running).toBe(0);
    if (point !== 'before-lock') expect(runs.statuses.interrupted).toBeGreaterThan(0);
  });
});
