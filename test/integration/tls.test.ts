// TLS against real throwaway servers that accept TLS only (require_secure_transport=ON), through the built CLI.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointmentLocksTableSql } from '../../src/demo/platform-tables.js';
import { runCli } from '../helpers/run-cli.js';
import { TEST_DB } from '../helpers/test-db.js';
import { makeCertificates, tlsOnlyArgs, type CertificateSet } from '../helpers/test-certificates.js';
import { mysqlOwnedTempDir, startThrowawayServer, type ThrowawayServer } from '../helpers/throwaway-server.js';

const APP_PASSWORD = 'tls-test-pw-7f3a';
let certs: CertificateSet;
let rightName: ThrowawayServer;
let otherName: ThrowawayServer;
const dir = mysqlOwnedTempDir('tls-test');

const envFor = (server: { port: number }, more: Record<string, string>) => ({
  DB_HOST: '127.0.0.1',
  DB_PORT: String(server.port),
  DB_USERNAME: 'root',
  DB_PASSWORD: '',
  DB_DATABASE: 'app',
  DBKEEPER_SCHEMA: 'app',
  REPORT_OUTBOX: join(dir, 'outbox'),
  ...more,
});

beforeAll(async () => {
  certs = makeCertificates(dir);
  [rightName, otherName] = await Promise.all([
    startThrowawayServer({
      label: 'tls-right',
      args: tlsOnlyArgs(certs.caCert, certs.serverCert, certs.serverKey),
      probeTls: true,
    }),
    startThrowawayServer({
      label: 'tls-other',
      args: tlsOnlyArgs(certs.caCert, certs.otherHostCert, certs.otherHostKey),
      probeTls: true,
    }),
  ]);
  for (const server of [rightName, otherName]) {
    const admin = await mysql.createConnection({
      host: server.host,
      port: server.port,
      user: 'root',
      ssl: { rejectUnauthorized: false },
    });
    await admin.query('CREATE SCHEMA app');
    await admin.query(appointmentLocksTableSql('app.appointment_locks'));
    await admin.query("CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY ?", [APP_PASSWORD]);
    await admin.query("GRANT ALL ON app.* TO 'app'@'127.0.0.1'");
    // 30 locks that expired yesterday, 10 that live on (application zone: UTC).
    for (let i = 0; i < 40; i += 1) {
      await admin.query(
        'INSERT INTO app.appointment_locks (company_id, staff_id, slot_starts_at, lock_token, expires_at) VALUES (1, ?, UTC_TIMESTAMP(), ?, UTC_TIMESTAMP() + INTERVAL ? DAY)',
        [i, `t${i}`, i < 30 ? -1 : 1],
      );
    }
    await admin.end();
  }
}, 90_000);

afterAll(async () => {
  await Promise.all([rightName?.stop(), otherName?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS to a TLS-only server', () => {
  it('ping under verify-identity: connects over TLS with the certificate verified', async () => {
    const run = await runCli(
      ['ping', '--json'],
      envFor(rightName, { DB_SSL_MODE: 'verify-identity', DB_SSL_CA: certs.caCert }),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).status).toBe('ok');
    expect(run.stderr).toMatch(/connected over TLSv1\.[23] \(certificate verified\)/);
  });

  it('a writing job (purge-locks) runs over TLS and deletes only the expired locks', async () => {
    const run = await runCli(
      ['purge-locks', '--json'],
      envFor(rightName, { DB_SSL_MODE: 'verify-ca', DB_SSL_CA: certs.caCert }),
    );
    expect(run.code, run.stderr).toBe(0);
    const check = await mysql.createConnection({
      host: rightName.host,
      port: rightName.port,
      user: 'root',
      ssl: { rejectUnauthorized: false },
    });
    const [rows] = await check.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n, SUM(expires_at > UTC_TIMESTAMP()) AS live FROM app.appointment_locks',
    );
    await check.end();
    expect(Number(rows[0]!.n)).toBe(10);
    expect(Number(rows[0]!.live)).toBe(10);
  });

  it('preferred (the default) encrypts without verifying', async () => {
    const run = await runCli(['ping', '--json'], envFor(rightName, {}));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/connected over TLSv1\.[23] \(certificate not verified\)/);
  });

  it('verify-identity refuses a certificate issued to another host name (exit 78, naming the key); verify-ca accepts its chain', async () => {
    const refused = await runCli(
      ['ping'],
      envFor(otherName, { DB_SSL_MODE: 'verify-identity', DB_SSL_CA: certs.caCert }),
    );
    expect(refused.code).toBe(78);
    expect(refused.stderr).toMatch(
      /DB_SSL_MODE=verify-identity: the server's certificate does not name DB_HOST '127\.0\.0\.1'/,
    );
    const chainOnly = await runCli(['ping'], envFor(otherName, { DB_SSL_MODE: 'verify-ca', DB_SSL_CA: certs.caCert }));
    expect(chainOnly.code, chainOnly.stderr).toBe(0);
  });

  it('verify-ca against a CA that did not sign the server certificate: exit 78 naming DB_SSL_CA', async () => {
    const run = await runCli(
      ['ping'],
      envFor(rightName, { DB_SSL_MODE: 'verify-ca', DB_SSL_CA: certs.strangerCaCert }),
    );
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/DB_SSL_MODE=verify-ca: the server's certificate was not accepted: .*check DB_SSL_CA/);
  });

  it('disabled is refused by the server', async () => {
    const run = await runCli(['ping'], envFor(rightName, { DB_SSL_MODE: 'disabled' }));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/access denied/i);
  });

  it('DB_PASSWORD_FILE: the password comes from the file (one trailing newline stripped) and is never printed', async () => {
    const pwFile = join(dir, 'db-password');
    writeFileSync(pwFile, `${APP_PASSWORD}\n`, { mode: 0o600 });
    const run = await runCli(
      ['ping', '--json'],
      envFor(rightName, { DB_USERNAME: 'app', DB_PASSWORD: '', DB_PASSWORD_FILE: pwFile, LOG_LEVEL: 'debug' }),
    );
    // DB_PASSWORD='' counts as unset, so the file is not "both set".
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(APP_PASSWORD);
    const both = await runCli(
      ['ping'],
      envFor(rightName, { DB_USERNAME: 'app', DB_PASSWORD: 'x', DB_PASSWORD_FILE: pwFile }),
    );
    expect(both.code).toBe(78);
    expect(both.stderr).toContain('DB_PASSWORD_FILE and DB_PASSWORD: both are set');
  });
});

describe('TLS modes against a server without TLS (the shared test server)', () => {
  const plain = { port: TEST_DB.port };
  it('required: exit 78, the server offers no TLS', async () => {
    const run = await runCli(['ping'], {
      ...envFor(plain, { DB_SSL_MODE: 'required' }),
      DB_DATABASE: 'test',
      DBKEEPER_SCHEMA: '',
    });
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/DB_SSL_MODE=required: the server at 127\.0\.0\.1 offers no TLS/);
  });
  it('preferred: falls back to plain text and says so', async () => {
    const run = await runCli(['ping', '--json'], { ...envFor(plain, {}), DB_DATABASE: 'test', DBKEEPER_SCHEMA: '' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/the server offers no TLS: connecting in plain text/);
  });
});
