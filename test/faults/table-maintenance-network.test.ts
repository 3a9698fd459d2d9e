import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestSchema, TEST_DB, type TestSchema } from '../helpers/test-db.js';
import { cliConfig } from './helpers/cli-config.js';
import { FaultRecorder } from './helpers/fault-results.js';
import { msUntilLockFree } from './helpers/named-lock-free.js';
import { networkConfig, runCliWithNetworkFault, type NetworkFault } from './helpers/network-fault.js';
import { rowChecksum } from './helpers/row-checksum.js';
import { runRowFacts } from './helpers/run-rows.js';

// Network faults through a TCP proxy during table-maintenance (ANALYZE + OPTIMIZE of `appointments`), then the next
// start: the CLI ended within its bound, every row unchanged by checksum, the lock free, no row left running.
const JOB = 'table-maintenance';
const COLUMNS = ['id', 'company_id', 'note'];
const recorder = new FaultRecorder('table-maintenance-network');
let s: TestSchema;
let env: Record<string, string>;
let proxy: TcpProxy;

beforeAll(async () => {
  s = await createTestSchema();
  await s.admin.query(
    'CREATE TABLE appointments (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, company_id INT UNSIGNED NOT NULL, note VARCHAR(200) NOT NULL) ENGINE=InnoDB',
  );
  const rows = Array.from({ length: 3000 }, (_, i) => [1 + (i % 9), `note ${i} ${'x'.repeat(150)}`]);
  await s.admin.query('INSERT INTO appointments (company_id, note) VALUES ?', [rows]);
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
    networkConfig(s.name),
  ));
  proxy = await tcpProxy(TEST_DB.host, TEST_DB.port);
  expect((await runCli(['status'], env)).code).toBe(0);
});
afterAll(async () => {
  recorder.write();
  await proxy?.close();
  await s?.drop();
});

const FAULTS: NetworkFault[] = ['cut', 'reset', 'stall'];
const POINTS = ['before-lock', 'maintenance-before-analyze', 'maintenance-before-optimize', 'before-finish-row'];
const CASES: [string, NetworkFault][] = [
  ...POINTS.flatMap((p) => FAULTS.map((f): [string, NetworkFault] => [p, f])),
  ['maintenance-before-optimize', 'slow'],
];

describe('table-maintenance: a network fault at a point, then the next start', () => {
  it.each(CASES)('at %s: %s', async (point, fault) => {
    // Free space for OPTIMIZE to reclaim, every case.
    await s.admin.query('DELETE FROM appointments WHERE id % 3 = 0');
    await s.admin.query(
      'INSERT INTO appointments (company_id, note) SELECT company_id, note FROM appointments LIMIT 500',
    );
    const before = await rowChecksum(s.admin, 'appointments', COLUMNS);
    const faulted = await runCliWithNetworkFault([JOB, '--json'], env, proxy, point, fault);
    expect(faulted.reachedPoint, faulted.stderr.slice(-600)).toBe(true);
    const lockFreeMs = await msUntilLockFree(s.admin, s.name, JOB, 5_000);
    const next = await runCli([JOB, '--json'], env, 60_000);
    const after = await rowChecksum(s.admin, 'appointments', COLUMNS);
    const runs = await runRowFacts(s.admin, s.name, JOB);
    const rec = recorder.record({
      fault: `network ${fault}`,
      point,
      job: JOB,
      dataLost:
        after.rows === before.rows && after.crc === before.crc ? 0 : Math.max(1, Math.abs(before.rows - after.rows)),
      hangs: (faulted.hung ? 1 : 0) + (lockFreeMs === null ? 1 : 0) + (next.code === null ? 1 : 0),
      duplicateRuns: runs.duplicateSlots,
      lostReports: 0,
    });
    expect(rec, faulted.stderr.slice(-1500)).toMatchObject({ dataLost: 0, hangs: 0, duplicateRuns: 0 });
    if (fault === 'slow') expect(faulted.code, faulted.stderr.slice(-1500)).toBe(0);
    expect(next.code, `${next.stdout.slice(0, 600)}${next.stderr.slice(-600)}`).toBe(0);
    expect(runs.running).toBe(0);
  });
});
