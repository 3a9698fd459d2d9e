import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { adminConnection, TEST_DB } from '../helpers/test-db.js';
import { cliConfig } from './helpers/cli-config.js';
import { FaultRecorder } from './helpers/fault-results.js';
import { msUntilLockFree } from './helpers/named-lock-free.js';
import { networkConfig, runCliWithNetworkFault, type NetworkFault } from './helpers/network-fault.js';
import { allRows, createLogTable, monthStart, pname, TABLE } from './helpers/partition-fixture.js';
import { monthPartitions, partitionShapeProblems } from './helpers/partition-shape.js';
import { runRowFacts } from './helpers/run-rows.js';
import { startThrowawayMariadb, type ThrowawayServer } from './helpers/throwaway-mariadb.js';

// Network faults through a TCP proxy during a partitions run that archives three months and premakes one, then
// the next start: the CLI ended within its bound, no row lost (log table + archive tables), every month covered once,
// no archive table beside its partition, the lock free, no row left running, and the next run finished the job.
// MariaDB 10.11 archives by CONVERT PARTITION; the EXCHANGE path (CREATE LIKE, REMOVE PARTITIONING, EXCHANGE, DROP)
// runs on a throwaway mariadbd reporting 10.6.
const JOB = 'partitions';
const recorder = new FaultRecorder('partitions-network');
afterAll(() => recorder.write());

const jobConfig = {
  tables: [TABLE],
  premakeMonths: 1,
  retentionMonths: 1,
  maxDropsPerRun: 3,
  pastRetention: 'archive',
  lockWaitTimeoutSeconds: 2,
};

async function networkCase(
  c: Connection,
  schema: string,
  env: Record<string, string>,
  proxy: TcpProxy,
  path: string,
  point: string,
  fault: NetworkFault,
): Promise<void> {
  await createLogTable(c, schema);
  expect((await runCli(['status'], env)).code).toBe(0); // dbkeeper's own tables, before the faulted run
  const before = await allRows(c, schema);
  const faulted = await runCliWithNetworkFault([JOB, '--json'], env, proxy, point, fault);
  expect(faulted.reachedPoint, `reached ${point}: ${faulted.stderr.slice(-600)}`).toBe(true);
  const lockFreeMs = await msUntilLockFree(c, schema, JOB, 5_000);
  const next = await runCli([JOB, '--json'], env, 60_000);
  const after = await allRows(c, schema);
  const shape = await partitionShapeProblems(c, schema, TABLE);
  const runs = await runRowFacts(c, schema, JOB);
  const rec = recorder.record({
    fault: `network ${fault}`,
    point,
    job: `${JOB} (${path})`,
    dataLost:
      after.rows === before.rows && after.crc === before.crc ? 0 : Math.max(1, Math.abs(before.rows - after.rows)),
    hangs: (faulted.hung ? 1 : 0) + (lockFreeMs === null ? 1 : 0) + (next.code === null ? 1 : 0),
    duplicateRuns: runs.duplicateSlots,
    lostReports: 0,
  });
  expect(rec, faulted.stderr.slice(-1500)).toMatchObject({ dataLost: 0, hangs: 0, duplicateRuns: 0 });
  if (fault === 'slow') expect(faulted.code, faulted.stderr.slice(-1500)).toBe(0);
  expect(next.code, `${next.stdout.slice(0, 1500)}\n${next.stderr.slice(-1500)}`).toBe(0);
  expect(shape).toEqual([]);
  expect(await monthPartitions(c, schema, TABLE)).toEqual([
    pname(monthStart(-1)),
    pname(monthStart(0)),
    pname(monthStart(1)),
  ]);
  const [archives] = await c.query<RowDataPacket[]>(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'api\\_call\\_logs\\_p%' ORDER BY 1",
    [schema],
  );
  expect(archives.map((a) => String(a.name))).toEqual([-4, -3, -2].map((m) => `${TABLE}_${pname(monthStart(m))}`));
  expect(runs.running).toBe(0);
}

const FAULTS: NetworkFault[] = ['cut', 'reset', 'stall'];
const cases = (points: string[], faults = FAULTS): [string, NetworkFault][] =>
  points.flatMap((p) => faults.map((f): [string, NetworkFault] => [p, f]));

describe('partitions (archive by CONVERT, MariaDB 10.11): a network fault at a point, then the next start', () => {
  let admin: Connection;
  let proxy: TcpProxy;
  const schema = `dbkeeper_t_netpart${process.pid}`;
  let env: Record<string, string>;
  beforeAll(async () => {
    admin = await adminConnection();
    proxy = await tcpProxy(TEST_DB.host, TEST_DB.port);
    ({ env } = cliConfig(schema, { [JOB]: jobConfig }, networkConfig(schema)));
  });
  afterAll(async () => {
    await proxy?.close();
    await admin.query(`DROP SCHEMA IF EXISTS \`${schema}\``);
    await admin.end();
  });
  // before-readback:1 = after the first ALTER (mid-work), :2 = between two partition statements' read-backs.
  it.each([
    ...cases(['before-lock', 'partition-before-readback:1', 'partition-before-readback:2', 'before-finish-row']),
    ['partition-before-readback:2', 'slow'] as [string, NetworkFault],
  ])('at %s: %s', (point, fault) => networkCase(admin, schema, env, proxy, 'archive by CONVERT', point, fault));
});

describe('partitions (archive by EXCHANGE, server reporting 10.6): a network fault between the statements of an archive', () => {
  let server: ThrowawayServer;
  let admin: Connection;
  let proxy: TcpProxy;
  const schema = 'dbkeeper_t_netexch';
  let env: Record<string, string>;
  beforeAll(async () => {
    server = await startThrowawayMariadb(['--version=10.6.99-MariaDB']);
    admin = await server.admin();
    proxy = await tcpProxy('127.0.0.1', server.port);
    const config = networkConfig(schema);
    ({ env } = cliConfig(
      schema,
      { [JOB]: jobConfig },
      { ...config, db: { ...config.db, host: '127.0.0.1', port: server.port, user: 'root', password: '' } },
    ));
    env.DB_PORT = String(server.port);
    env.DB_USERNAME = 'root';
    env.DB_PASSWORD = '';
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await admin?.end();
    await server?.stop();
  });
  // Statement 1 = CREATE TABLE … LIKE, 2 = REMOVE PARTITIONING, 3 = EXCHANGE PARTITION (then DROP PARTITION).
  it.each(cases(['partition-between-statements:1', 'partition-between-statements:3'], ['cut', 'stall']))(
    'at %s: %s',
    (point, fault) => networkCase(admin, schema, env, proxy, 'archive by EXCHANGE', point, fault),
  );
});
