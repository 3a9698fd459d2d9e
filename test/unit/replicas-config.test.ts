import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { ConfigError } from '../../src/config/config-error.js';
import { configSecrets, maskedValue, MASK } from '../../src/config/config-secrets.js';
import { loadConfig } from '../../src/config/load-config.js';
import { replicaNodes } from '../../src/config/replica-nodes.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

function tmpFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'dbkeeper-replicas-'));
  const path = join(dir, 'f');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const load = (env: NodeJS.ProcessEnv) => loadConfig({ jobs: ALL_JOBS, env });
const withConfig = (content: unknown, env: NodeJS.ProcessEnv = {}) =>
  load({ DBKEEPER_CONFIG: tmpFile(content), ...env });

describe('replicas config', () => {
  it('has no replica and the documented limits by default', () => {
    const c = load({});
    expect(replicaNodes(c)).toEqual([]);
    expect(c.replicas).toMatchObject({
      maxLagSeconds: 1,
      waitSeconds: 300,
      whenUnreachable: 'wait',
      heartbeatMs: 1000,
    });
  });

  it("maps the seed's DB_READ_* keys to one replica; the port defaults to DB_PORT", () => {
    const c = load({
      DB_HOST: 'db-primary',
      DB_PORT: '3307',
      DB_READ_HOST: 'db-read',
      DB_READ_USERNAME: 'reader',
      DB_READ_PASSWORD: 'rpw',
    });
    expect(replicaNodes(c)).toEqual([
      {
        name: 'db-read:3307',
        host: 'db-read',
        port: 3307,
        user: 'reader',
        password: 'rpw',
        ssl: c.db.ssl,
        field: 'replicas.read',
      },
    ]);
    expect(replicaNodes(load({ DB_READ_HOST: 'db-read', DB_READ_PORT: '3310' }))[0]).toMatchObject({
      port: 3310,
      user: 'root',
      password: '',
    });
  });

  it('reads DB_READ_PASSWORD_FILE like DB_PASSWORD_FILE, and DB_READ_SSL_MODE gives the replica its own TLS', () => {
    const c = load({
      DB_READ_HOST: 'db-read',
      DB_READ_PASSWORD_FILE: tmpFile('from-file\n'),
      DB_READ_SSL_MODE: 'required',
    });
    const [node] = replicaNodes(c);
    expect(node).toMatchObject({ password: 'from-file', ssl: { mode: 'required', ca: null, cert: null, key: null } });
  });

  it('lists replicas.nodes after the DB_READ_* one, labelled by name or host:port', () => {
    const c = withConfig(
      {
        replicas: {
          nodes: [
            { name: 'r2', host: 'db-r2', user: 'u', password: 'p2' },
            { host: 'db-r3', port: 3308, user: 'u' },
          ],
        },
      },
      { DB_READ_HOST: 'db-read' },
    );
    expect(replicaNodes(c).map((n) => [n.name, n.field])).toEqual([
      ['db-read:3306', 'replicas.read'],
      ['r2', 'replicas.nodes.0'],
      ['db-r3:3308', 'replicas.nodes.1'],
    ]);
  });

  it.each([
    ['a bad port', { DB_READ_HOST: 'r', DB_READ_PORT: 'x' }, /^replicas\.read\.port \(from DB_READ_PORT\): /],
    [
      'a bad TLS mode',
      { DB_READ_HOST: 'r', DB_READ_SSL_MODE: 'sometimes' },
      /^replicas\.read\.ssl\.mode \(from DB_READ_SSL_MODE\): /,
    ],
    [
      'DB_READ_USERNAME without DB_READ_HOST',
      { DB_READ_USERNAME: 'reader' },
      /^replicas\.read\.user \(DB_READ_USERNAME\): set, but replicas\.read\.host \(DB_READ_HOST\) is not$/,
    ],
    [
      'an unreadable CA file',
      { DB_READ_HOST: 'r', DB_READ_SSL_MODE: 'verify-ca', DB_READ_SSL_CA: '/nonexistent/ca.pem' },
      /^replicas\.read\.ssl\.ca \(DB_READ_SSL_CA\): cannot read \/nonexistent\/ca\.pem/,
    ],
    [
      'a CA without a mode',
      { DB_READ_HOST: 'r', DB_READ_SSL_CA: '/x.pem' },
      /^replicas\.read\.ssl\.mode \(DB_READ_SSL_MODE\): /,
    ],
    [
      'the primary named as a replica',
      { DB_READ_HOST: '127.0.0.1' },
      /^replicas\.read: 127\.0\.0\.1:3306 is the primary/,
    ],
  ])('rejects %s from env, naming the field', (_what, env, pattern) => {
    const problems = problemsOf(() => load(env));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(pattern);
  });

  it.each([
    ['maxLagSeconds 0', { replicas: { maxLagSeconds: 0 } }, /^replicas\.maxLagSeconds: /],
    ['a negative waitSeconds', { replicas: { waitSeconds: -1 } }, /^replicas\.waitSeconds: /],
    ['an unknown whenUnreachable', { replicas: { whenUnreachable: 'skip' } }, /^replicas\.whenUnreachable: /],
    ['a node without host', { replicas: { nodes: [{ user: 'u' }] } }, /^replicas\.nodes\.0\.host: /],
    [
      'a node with an unknown key',
      { replicas: { nodes: [{ host: 'h', user: 'u', pasword: 'x' }] } },
      /^replicas\.nodes\.0\.pasword: unknown key$/,
    ],
    [
      'two nodes with one name',
      {
        replicas: {
          nodes: [
            { host: 'h1', user: 'u', name: 'r' },
            { host: 'h2', user: 'u', name: 'r' },
          ],
        },
      },
      /^replicas\.nodes\.1: names the same replica as replicas\.nodes\.0/,
    ],
    [
      'a node CA that is not PEM',
      {
        replicas: {
          nodes: [{ host: 'h', user: 'u', ssl: { mode: 'verify-ca', ca: '/etc/hostname', cert: null, key: null } }],
        },
      },
      /^replicas\.nodes\.0\.ssl\.ca: \/etc\/hostname is not a PEM certificate$/,
    ],
    [
      'the old purge key',
      { jobs: { 'purge-locks': { throttle: { maxReplicaLagSeconds: 10 } } } },
      /^jobs\.purge-locks\.throttle\.maxReplicaLagSeconds: moved to replicas\.maxLagSeconds/,
    ],
  ])('rejects %s in the config file, naming the field', (_what, content, pattern) => {
    const problems = problemsOf(() => withConfig(content));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(pattern);
  });

  it('keeps replica passwords out of logs and masks them in `config`', () => {
    const c = withConfig(
      { replicas: { nodes: [{ host: 'h', user: 'u', password: 'node-secret' }] } },
      { DB_READ_HOST: 'r', DB_READ_PASSWORD: 'read-secret' },
    );
    expect(configSecrets(c)).toEqual(expect.arrayContaining(['node-secret', 'read-secret']));
    expect(maskedValue('replicas.read.password', 'read-secret')).toBe(MASK);
    expect(JSON.stringify(maskedValue('replicas.nodes', c.replicas.nodes))).not.toContain('node-secret');
  });
});
