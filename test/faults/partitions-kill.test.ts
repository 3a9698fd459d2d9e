import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { adminConnection } from '../helpers/test-db.js';
import { cliConfig } from './helpers/cli-config.js';
import { FaultRecorder } from './helpers/fault-results.js';
import { killCliAt } from './helpers/kill-at-point.js';
import { msUntilLockFree } from './helpers/named-lock-free.js';
import { allRows, createLogTable, monthStart, pname, TABLE } from './helpers/partition-fixture.js';
import { monthPartitions, partitionShapeProblems } from './helpers/partition-shape.js';
import { runRowFacts } from './helpers/run-rows.js';
import { startThrowawayMariadb, type ThrowawayServer } from './helpers/throwaway-mariadb.js';

// kill -9 of the real CLI during a partitions run that archives (pastRetention: archive), then the next start.
// MariaDB 10.11 archives by CONVERT PARTITION (one statement); the EXCHANGE path (4 statements: CREATE LIKE,
// REMOVE PARTITIONING, EXCHANGE, DROP PARTITION) is what dbkeeper runs on MySQL and MariaDB < 10.7, so those
// cases run on a throwaway mariadbd that reports version 10.6.
const JOB = 'partitions';
const recorder = new FaultRecorder('partitions-kill');
afterAll(() => recorder.write());

const jobConfig = {
  tables: [TABLE],
  premakeMonths: 1,
  retentionMonths: 1,
  maxDropsPerRun: 3,
  pastRetention: 'archive',
  lockWaitTimeoutSeconds: 2,
};
const guards = { guards: { lockWaitTimeoutSeconds: 2, innodbLockWaitTimeoutSeconds: 2, statementTimeoutSeconds: 20 } };

async function killCase(c: Connection, schema: string, env: Record<string, string>, point: string): Promise<void> {
  await createLogTable(c, schema);
  const before = await allRows(c, schema);
  const killed = await killCliAt([JOB], env, { point });
  expect(killed.killedAtPoint, `reached ${point}: ${killed.stderr.slice(-400)}`).toBe(true);
  const lockFreeMs = await msUntilLockFree(c, schema, JOB, 5_000);
  const next = await runCli([JOB, '--json'], env, 60_000);
  const after = await allRows(c, schema);
  const shape = await partitionShapeProblems(c, schema, TABLE);
  const runs = await runRowFacts(c, schema, JOB);
  const rec = recorder.record({
    fault: 'kill -9',
    point,
    job: `${JOB} (${env.DB_PORT ? 'archive by EXCHANGE' : 'archive by CONVERT'})`,
    dataLost:
      after.rows === before.rows && after.crc === before.crc ? 0 : Math.max(1, Math.abs(before.rows - after.rows)),
    hangs: (lockFreeMs === null ? 1 : 0) + (next.code === null ? 1 : 0),
    duplicateRuns: runs.duplicateSlots,
    lostReports: 0,
  });
  expect(rec).toMatchObject({ dataLost: 0, hangs: 0, duplicateRuns: 0 });
  expect(next.code, `${next.stdout.slice(0, 1500)}\n${next.stderr.slice(-1500)}`).toBe(0);
  expect(shape).toEqual([]);
  // The next start finished the job: every month past retention archived, none skipped for a leftover table.
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
  const [rr] = await c.query<RowDataPacket[]>(
    `SELECT id, status, started_at, finished_at, error_class, error_message FROM \`${schema}\`.dbkeeper_runs`,
  );
  expect(runs.running, JSON.stringify(rr) + next.stderr.slice(-20000)).toBe(0);
}

describe('partitions (archive by CONVERT, MariaDB 10.11): kill -9 of the CLI, then the next start', () => {
  let admin: Connection;
  const schema = `dbkeeper_t_faultpart${process.pid}`;
  let env: Record<string, string>;
  beforeAll(async () => {
    admin = await adminConnection();
    ({ env } = cliConfig(schema, { [JOB]: jobConfig }, guards));
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS \`${schema}\``);
    await admin.end();
  });
  it.each([
    'before-lock',
    'after-run-row',
    'partition-before-readback:1',
    'partition-before-readback:2',
    'before-finish-row',
  ])('killed at %s', (point) => killCase(admin, schema, env, point));
});

describe('partitions (archive by EXCHANGE, server reporting 10.6): kill -9 between the statements of an archive', () => {
  let server: ThrowawayServer;
  let admin: Connection;
  const schema = 'dbkeeper_t_faultexch';
  let env: Record<string, string>;
  beforeAll(async () => {
    server = await startThrowawayMariadb(['--version=10.6.99-MariaDB']);
    admin = await server.admin();
    ({ env } = cliConfig(
      schema,
      { [JOB]: jobConfig },
      {
        ...guards,
        db: { host: '127.0.0.1', port: server.port, user: 'root', password: '', database: schema, connectRetries: 0 },
      },
    ));
    env.DB_PORT = String(server.port);
  }, 60_000);
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });
  // Statement 1 = CREATE TABLE … LIKE, 2 = REMOVE PARTITIONING, 3 = EXCHANGE PARTITION (then DROP PARTITION).
  it.each([
    'partition-between-statements:1',
    'partition-between-statements:2',
    'partition-between-statements:3',
    'partition-between-statements:5',
  ])('killed at %s', (point) => killCase(admin, schema, env, point));
});
