import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { ConfigError } from '../../src/config/config-error.js';
import { parseDatabaseUrl } from '../../src/config/database-url.js';
import { loadConfig } from '../../src/config/load-config.js';
import { resolveSecretFiles, stripOneTrailingNewline } from '../../src/config/secret-files.js';
import { tlsFileProblems } from '../../src/config/tls-files.js';
import { describeTlsFailure, sslOptions } from '../../src/db/tls-options.js';

const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const files: Record<string, string> = {
  '/ca.pem': PEM_CERT,
  '/client.pem': PEM_CERT,
  '/client-key.pem': PEM_KEY,
  '/secret': 's3cr3t\n',
};
const read = (path: string) => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return text;
};
const ssl = (mode: string, more: Partial<Record<'ca' | 'cert' | 'key', string>> = {}) =>
  ({ mode, ca: more.ca ?? null, cert: more.cert ?? null, key: more.key ?? null }) as Parameters<typeof sslOptions>[0];

function configProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ jobs: ALL_JOBS, env });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('DB_SSL_MODE → mysql2 ssl options', () => {
  it('disabled is plain text; preferred and required encrypt without verifying', () => {
    expect(sslOptions(ssl('disabled'), read)).toBeUndefined();
    expect(sslOptions(ssl('preferred'), read)).toEqual({ rejectUnauthorized: false, verifyIdentity: false });
    expect(sslOptions(ssl('required'), read)).toEqual({ rejectUnauthorized: false, verifyIdentity: false });
  });
  it('verify-ca checks the chain only; verify-identity also the host name; files are read', () => {
    expect(sslOptions(ssl('verify-ca', { ca: '/ca.pem' }), read)).toEqual({
      ca: PEM_CERT,
      rejectUnauthorized: true,
      verifyIdentity: false,
    });
    expect(
      sslOptions(ssl('verify-identity', { ca: '/ca.pem', cert: '/client.pem', key: '/client-key.pem' }), read),
    ).toEqual({
      ca: PEM_CERT,
      cert: PEM_CERT,
      key: PEM_KEY,
      rejectUnauthorized: true,
      verifyIdentity: true,
    });
  });
  it('names the key to check for each kind of TLS failure', () => {
    expect(describeTlsFailure({ code: 'HANDSHAKE_NO_SSL_SUPPORT' }, 'required', 'db1')).toMatch(
      /DB_SSL_MODE=required: the server at db1 offers no TLS/,
    );
    expect(
      describeTlsFailure(
        { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" },
        'verify-identity',
        'db1',
      ),
    ).toMatch(/does not name DB_HOST 'db1'/);
    expect(
      describeTlsFailure(
        { code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' },
        'verify-ca',
        'db1',
      ),
    ).toMatch(/check DB_SSL_CA/);
    expect(
      describeTlsFailure({ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, 'verify-ca', 'db1'),
    ).toMatch(/expired/);
    expect(
      describeTlsFailure({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'verify-ca', 'db1'),
    ).toBeNull();
  });
});

describe('TLS keys in env and DATABASE_URL', () => {
  it('DB_SSL_* land in db.ssl; an unknown mode is exit-78 material naming the key', () => {
    const config = loadConfig({ jobs: ALL_JOBS, env: { DB_SSL_MODE: 'required' } });
    expect(config.db.ssl).toEqual({ mode: 'required', ca: null, cert: null, key: null });
    expect(loadConfig({ jobs: ALL_JOBS, env: {} }).db.ssl.mode).toBe('preferred');
    expect(configProblems({ DB_SSL_MODE: 'on' }).join('\n')).toMatch(/^db\.ssl\.mode \(from DB_SSL_MODE\):/m);
  });
  it('a missing or non-PEM file names its key', () => {
    expect(configProblems({ DB_SSL_MODE: 'verify-ca', DB_SSL_CA: '/nonexistent/ca.pem' }).join('\n')).toMatch(
      /db\.ssl\.ca \(DB_SSL_CA\): cannot read \/nonexistent\/ca\.pem \(ENOENT\)/,
    );
    expect(tlsFileProblems(ssl('verify-ca', { ca: '/secret' }), read)).toEqual([
      'db.ssl.ca (DB_SSL_CA): /secret is not a PEM certificate',
    ]);
    expect(tlsFileProblems(ssl('required', { cert: '/client.pem' }), read).join('\n')).toMatch(
      /a client certificate needs both/,
    );
  });
  it('DATABASE_URL query parameters set the same fields; unknown ones and bad percent-encoding are named', () => {
    const parsed = parseDatabaseUrl('mysql://u:p%40ss@db:3307/app?ssl-mode=verify-ca&ssl-ca=%2Fetc%2Fca.pem');
    expect(parsed).toEqual({
      fields: [
        { path: ['host'], value: 'db' },
        { path: ['port'], value: 3307 },
        { path: ['user'], value: 'u' },
        { path: ['password'], value: 'p@ss' },
        { path: ['database'], value: 'app' },
        { path: ['ssl', 'mode'], value: 'verify-ca' },
        { path: ['ssl', 'ca'], value: '/etc/ca.pem' },
      ],
    });
    expect(parseDatabaseUrl('mysql://u:p@db/app?sslmode=require')).toEqual({
      error: expect.stringMatching(/unknown query parameter 'sslmode'/),
    });
    const bad = parseDatabaseUrl('mysql://u:100%@db/app');
    expect(bad).toEqual({ error: expect.stringMatching(/^DATABASE_URL: the password is not valid percent-encoding/) });
    expect(JSON.stringify(bad)).not.toContain('100');
    expect(
      loadConfig({ jobs: ALL_JOBS, env: { DATABASE_URL: 'mysql://u:p@db/app?ssl-mode=required' } }).db.ssl.mode,
    ).toBe('required');
  });
});

describe('secrets from files (DB_PASSWORD_FILE, SMTP_PASSWORD_FILE)', () => {
  it('strips exactly one trailing newline', () => {
    expect(stripOneTrailingNewline('pw\n')).toBe('pw');
    expect(stripOneTrailingNewline('pw\r\n')).toBe('pw');
    expect(stripOneTrailingNewline('pw\n\n')).toBe('pw\n');
    expect(stripOneTrailingNewline(' pw ')).toBe(' pw ');
  });
  it('reads the file into the value key', () => {
    const { env, problems } = resolveSecretFiles({ DB_PASSWORD_FILE: '/secret', SMTP_PASSWORD_FILE: '/secret' }, read);
    expect(problems).toEqual([]);
    expect(env.DB_PASSWORD).toBe('s3cr3t');
    expect(env.SMTP_PASSWORD).toBe('s3cr3t');
    expect(env.DB_PASSWORD_FILE).toBeUndefined();
  });
  it('a missing file names the key, never a value; a value and its _FILE both set names both', () => {
    expect(resolveSecretFiles({ DB_PASSWORD_FILE: '/missing' }, read).problems).toEqual([
      'DB_PASSWORD_FILE: cannot read /missing (ENOENT)',
    ]);
    const both = resolveSecretFiles({ DB_PASSWORD_FILE: '/secret', DB_PASSWORD: 'inline-pw' }, read);
    expect(both.problems).toEqual(['DB_PASSWORD_FILE and DB_PASSWORD: both are set; set one of them']);
    expect(both.problems.join('')).not.toContain('inline-pw');
    expect(both.problems.join('')).not.toContain('s3cr3t');
  });
  it('through loadConfig: the password comes from the file, problems are config errors', () => {
    expect(configProblems({ DB_PASSWORD_FILE: '/nonexistent/pw' })).toEqual([
      'DB_PASSWORD_FILE: cannot read /nonexistent/pw (ENOENT)',
    ]);
  });
});
