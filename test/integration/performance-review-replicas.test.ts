// Issue 16, performance review: the replica's own top statements, on a real primary and replica (two throwaway
// mariadbd with the slow log to TABLE and long_query_time 0 on both; the slow log is not replicated).
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import type { NodeRankedStatement, ReplicaSummary } from '../../jobs/performance-review/node-statements.js';
import { performanceReviewJob } from '../../jobs/performance-review/job.js';
import { connectApp, type App } from '../../src/app/bootstrap.js';
import type { Plain } from '../../src/config/deep-merge.js';
import { runJob } from '../../src/runner/run-job.js';
import { startReplicationPair, type ReplicationPair } from '../helpers/replication-pair.js';
import { silentLogger, testConfig } from '../helpers/test-db.js';
import { freeLoopbackPort } from '../helpers/throwaway-server.js';

const SCHEMA = 'booking_pr';
const MON_USER = 'dbk_mon';
const MON_PASSWORD = 'mon-test-only';
const NO_TLS = { mode: 'disabled', ca: null, cert: null, key: null };

let pair: ReplicationPair;
let primary: Connection;
let replica: Connection;
let month: string;
const apps: App[] = [];

beforeAll(async () => {
  pair = await startReplicationPair({ args: ['--slow-query-log=1', '--log-output=TABLE', '--long-query-time=0'] });
  primary = await pair.connect('primary');
  replica = await pair.connect('replica');
  await primary.query(`CREATE SCHEMA ${SCHEMA}`);
  await primary.query(`CREATE TABLE ${SCHEMA}.primary_reads (id INT PRIMARY KEY)`);
  await primary.query(`CREATE TABLE ${SCHEMA}.replica_reads (id INT PRIMARY KEY)`);
  // The replica user with the grants docs/replicas.md lists for the review (created on the primary: it replicates).
  await primary.query('CREATE USER ?@? IDENTIFIED BY ?', [MON_USER, '127.0.0.1', MON_PASSWORD]);
  await primary.query('GRANT SLAVE MONITOR ON *.* TO ?@?', [MON_USER, '127.0.0.1']);
  await primary.query(`GRANT SELECT ON ${SCHEMA}.* TO ?@?`, [MON_USER, '127.0.0.1']);
  await primary.query('GRANT SELECT ON mysql.slow_log TO ?@?', [MON_USER, '127.0.0.1']);
  await pair.caughtUp();
  const [rows] = await primary.query<RowDataPacket[]>("SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m') AS m");
  month = String(rows[0]!.m);
  // Each statement runs on one node only: the application's reads go to the replica. Slow enough (SLEEP) to rank
  // above dbkeeper's own statements, which long_query_time 0 logs too.
  for (let i = 0; i < 3; i++) {
    await primary.query(`SELECT SLEEP(0.05) + COUNT(*) FROM ${SCHEMA}.primary_reads WHERE id > ${i}`);
    await replica.query(`SELECT SLEEP(0.05) + COUNT(*) FROM ${SCHEMA}.replica_reads WHERE id > ${i}`);
  }
}, 90_000);

afterAll(async () => {
  for (const a of apps) await a.db.close();
  await primary?.end().catch(() => undefined);
  await replica?.end().catch(() => undefined);
  await pair?.stop();
}, 30_000);

async function app(nodes: Plain[]): Promise<App> {
  const config = testConfig(SCHEMA, {
    db: { host: '127.0.0.1', port: pair.primary.port, user: 'root', password: '', database: SCHEMA, ssl: NO_TLS },
    replicas: { nodes, connectTimeoutMs: 2_000, heartbeatMs: 250 },
    jobs: { 'performance-review': { topStatements: 10 } },
  });
  const a = await connectApp(config, silentLogger(), { jobs: ALL_JOBS });
  apps.push(a);
  await pair.caughtUp();
  return a;
}

let slot = Date.UTC(2026, 0, 1);
const review = (a: App) => {
  slot += 60_000;
  return runJob({ db: a.db, config: a.config, log: silentLogger() }, performanceReviewJob, {
    trigger: 'manual',
    dryRun: false,
    scheduledFor: new Date(slot),
    options: { month },
  });
};
const r1 = () => ({ name: 'r1', host: '127.0.0.1', port: pair.replica.port, user: MON_USER, password: MON_PASSWORD });
const rowsOf = (details: unknown) =>
  (details as { byTotal: NodeRankedStatement[] }).byTotal.map((s) => ({ node: s.node, fingerprint: s.fingerprint }));

describe('performance review: the replicas too', () => {
  it("a statement run only on the replica is labelled with the replica's name; the primary's stays primary", async () => {
    const a = await app([{ ...r1(), ssl: NO_TLS }]);
    const o = await review(a);
    expect(o.error).toBeUndefined();
    const rows = rowsOf(o.result!.details);
    // The reads only (the CREATE TABLE of both tables ran on the primary).
    const onReplica = rows.filter((r) => /^select sleep.* from booking_pr\.replica_reads/.test(r.fingerprint));
    const onPrimary = rows.filter((r) => /^select sleep.* from booking_pr\.primary_reads/.test(r.fingerprint));
    expect(onReplica.length).toBeGreaterThan(0);
    expect(onReplica.every((r) => r.node === 'r1')).toBe(true);
    expect(onPrimary.length).toBeGreaterThan(0);
    expect(onPrimary.every((r) => r.node === 'primary')).toBe(true);
    const replicas = (o.result!.details as { replicas: ReplicaSummary[] }).replicas;
    expect(replicas).toEqual([
      expect.objectContaining({ node: 'r1', source: 'slow_log_table', unreachable: null, truncated: false }),
    ]);
    expect(o.result!.warnings ?? []).toEqual([]);
    const table = o.result!.sections!.find((s) => s.title.endsWith('statements by total time, all nodes'));
    expect(table?.kind === 'table' && table.columns[0]).toBe('Node');
    expect(
      table?.kind === 'table' && table.rows.some((r) => r[0] === 'r1' && String(r[1]).includes('replica_reads')),
    ).toBe(true);
  }, 60_000);

  it("a replica that is down is a warning; the primary's review is there", async () => {
    const port = await freeLoopbackPort();
    const a = await app([
      { name: 'r-down', host: '127.0.0.1', port, user: MON_USER, password: MON_PASSWORD, ssl: NO_TLS },
    ]);
    const o = await review(a);
    expect(o.error).toBeUndefined();
    expect(o.result!.status).toBe('warning');
    expect(o.result!.warnings).toEqual([
      expect.stringMatching(/^replica r-down: not reachable, its statements are not in the review \(/),
    ]);
    const rows = rowsOf(o.result!.details);
    expect(
      rows.some((r) => r.node === 'primary' && /^select sleep.* from booking_pr\.primary_reads/.test(r.fingerprint)),
    ).toBe(true);
    expect(rows.every((r) => r.node === 'primary')).toBe(true);
    expect(JSON.stringify(o.result)).not.toContain(MON_PASSWORD);
  }, 60_000);
});
