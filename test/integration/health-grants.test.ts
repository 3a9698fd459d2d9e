import mysql, { type Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthConfigSchema } from '../../jobs/health/config.js';
import { healthJob } from '../../jobs/health/job.js';
import type { App } from '../../src/app/bootstrap.js';
import type { Figure, ReportSection } from '../../src/job/report-sections.js';
import { runJob } from '../../src/runner/run-job.js';
import { silentLogger, testApp } from '../helpers/test-db.js';
import { startThrowawayServer, type ThrowawayServer } from '../helpers/throwaway-server.js';

/** The grants the new figures need, on a server of its own (users are server-wide): a dbkeeper user with only its
 * bookkeeping schema gets "n/a, GRANT …" figures; after the GRANTs docs/health.md lists, the figures are there. */
let server: ThrowawayServer;
let root: Connection;
const PASSWORD = 'h19-Secret-pw';

beforeAll(async () => {
  server = await startThrowawayServer({ label: 'h19-grants' });
  root = await mysql.createConnection({ host: server.host, port: server.port, user: 'root', password: '' });
  await root.query('CREATE SCHEMA keeper');
  await root.query('CREATE SCHEMA platform');
  await root.query('CREATE SCHEMA hidden');
  await root.query(`CREATE TABLE platform.api_call_logs (id INT AUTO_INCREMENT PRIMARY KEY, status_code SMALLINT NOT NULL,
    duration_ms INT NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
  await root.query(
    'INSERT INTO platform.api_call_logs (status_code, duration_ms) VALUES (200, 10), (200, 20), (503, 30)',
  );
  await root.query('CREATE TABLE hidden.no_pk (a INT)');
  await root.query("CREATE USER 'dbk'@'127.0.0.1' IDENTIFIED BY ?", [PASSWORD]);
  await root.query("GRANT ALL ON keeper.* TO 'dbk'@'127.0.0.1'");
  await root.query("GRANT PROCESS ON *.* TO 'dbk'@'127.0.0.1'");
}, 60_000);

afterAll(async () => {
  await root?.end();
  await server?.stop();
});

async function runAsDbk(): Promise<ReportSection[]> {
  const app: App = await testApp('keeper', {
    db: { host: server.host, port: server.port, user: 'dbk', password: PASSWORD },
  });
  try {
    const health = healthConfigSchema.parse({
      accountChecks: true,
      indexUsageSnapshot: false,
      apiResponse: { schema: 'platform' },
    });
    const config = { ...app.config, jobs: { ...app.config.jobs, health } };
    const outcome = await runJob({ db: app.db, config, log: silentLogger() }, healthJob, {
      trigger: 'manual',
      dryRun: true,
    });
    expect(outcome.error).toBeUndefined();
    expect(JSON.stringify(outcome.result)).not.toContain(PASSWORD);
    return outcome.result!.sections ?? [];
  } finally {
    await app.db.close();
  }
}

function figure(sections: ReportSection[], label: string): Figure {
  for (const s of sections) if (s.kind === 'figures') for (const f of s.figures) if (f.label === label) return f;
  throw new Error(`no figure ${label}`);
}

describe('health figures and their grants', () => {
  it('without the grants: n/a, each naming the GRANT to run; tables it cannot see are not counted', async () => {
    const sections = await runAsDbk();
    expect(figure(sections, 'API response time p95')).toMatchObject({
      value: null,
      status: 'n/a',
      note: 'no SELECT privilege on platform.api_call_logs (GRANT SELECT ON platform.api_call_logs TO dbkeeper)',
    });
    expect(figure(sections, 'Accounts without a password')).toMatchObject({ value: null, status: 'n/a' });
    expect(figure(sections, 'Accounts without a password').note).toContain('GRANT SELECT ON mysql.global_priv');
    expect(figure(sections, 'Tables without a primary key')).toMatchObject({ value: 0 });
  });

  it('with SELECT on the platform table and mysql.global_priv: the figures are there, names only', async () => {
    await root.query("GRANT SELECT ON platform.api_call_logs TO 'dbk'@'127.0.0.1'");
    await root.query("GRANT SELECT ON mysql.global_priv TO 'dbk'@'127.0.0.1'");
    const sections = await runAsDbk();
    expect(figure(sections, 'API response time p95')).toMatchObject({ value: 30 });
    expect(figure(sections, 'API error share')).toMatchObject({ value: 33.33 });
    // The throwaway server's root has an empty password (the recipe); dbk has one.
    const noPassword = figure(sections, 'Accounts without a password');
    expect(String(noPassword.note)).toContain("'root'@'localhost'");
    expect(String(noPassword.note)).not.toContain('dbk');
  });
});
