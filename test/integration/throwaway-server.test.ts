import { existsSync, readFileSync, rmSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCertificates, tlsOnlyArgs } from '../helpers/test-certificates.js';
import { mysqlOwnedTempDir, startThrowawayServer, type ThrowawayServer } from '../helpers/throwaway-server.js';

describe('throwaway mariadbd (the helper the TLS and replica tests stand on)', () => {
  const servers: ThrowawayServer[] = [];
  const certDir = mysqlOwnedTempDir('certs');
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(certDir, { recursive: true, force: true });
  });

  it('starts two servers side by side on their own ports, answers, and stops with its dir removed', async () => {
    const [a, b] = await Promise.all([startThrowawayServer({ label: 'a' }), startThrowawayServer({ label: 'b' })]);
    servers.push(a, b);
    expect(a.port).not.toBe(b.port);
    for (const s of [a, b]) {
      const conn = await mysql.createConnection({ host: s.host, port: s.port, user: s.user, password: s.password });
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT @@port AS port, @@datadir AS datadir');
      await conn.end();
      expect(rows[0]!.port).toBe(s.port);
      expect(String(rows[0]!.datadir)).toContain(s.dir);
    }
    const t0 = performance.now();
    await a.stop();
    expect(performance.now() - t0).toBeLessThan(12_000);
    expect(existsSync(a.dir)).toBe(false);
    await expect(
      mysql.createConnection({ host: a.host, port: a.port, user: 'root', connectTimeout: 1_000 }),
    ).rejects.toThrow();
  });

  it('a TLS-only server: verified TLS connects, plain text is refused', async () => {
    const certs = makeCertificates(certDir);
    const s = await startThrowawayServer({
      label: 'tls',
      args: tlsOnlyArgs(certs.caCert, certs.serverCert, certs.serverKey),
      probeTls: true,
    });
    servers.push(s);
    const tls = await mysql.createConnection({
      host: s.host,
      port: s.port,
      user: s.user,
      password: s.password,
      ssl: { ca: readFileSync(certs.caCert, 'utf8'), rejectUnauthorized: true },
    });
    const [rows] = await tls.query<mysql.RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_version'");
    await tls.end();
    expect(String(rows[0]!.Value)).toMatch(/^TLSv1\.[23]$/);
    // The same credentials in plain text: MariaDB 10.11 answers "Access denied" under require_secure_transport.
    await expect(
      mysql.createConnection({ host: s.host, port: s.port, user: s.user, password: s.password }),
    ).rejects.toThrow(/secure transport|Access denied/i);
  });
});
