import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

function withFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'dbkeeper-config-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('loadConfig', () => {
  it('loads the defaults into one validated object', () => {
    const config = loadConfig({ jobs: ALL_JOBS, env: {} });
    expect(config.db.host).toBe('127.0.0.1');
    expect(config.db.port).toBe(3306);
    expect(config.timezone).toBe('Etc/UTC');
    expect(config.schema).toBeNull();
    for (const job of ALL_JOBS) expect((config.jobs as Record<string, unknown>)[job.name]).toBeDefined();
  });

  it("honours the operators' .env keys", () => {
    const config = loadConfig({
      jobs: ALL_JOBS,
      env: {
        DB_HOST: 'db.internal',
        DB_PORT: '3307',
        DB_DATABASE: 'booking',
        DB_USERNAME: 'askproai',
        DB_PASSWORD: 'pw',
        DB_POOL_MAX: '100',
        DB_POOL_TIMEOUT: '7',
        DB_SLOW_QUERY_TIME: '0.5',
        DBKEEPER_SCHEMA: 'ops',
      },
    });
    expect(config.db).toMatchObject({
      host: 'db.internal',
      port: 3307,
      database: 'booking',
      user: 'askproai',
      password: 'pw',
      poolMax: 100,
      poolTimeoutSeconds: 7,
    });
    expect(config.slowQueryTimeSeconds).toBe(0.5);
    expect(config.schema).toBe('ops');
  });

  it('reads DATABASE_URL, and DB_* keys win over it', () => {
    const config = loadConfig({
      jobs: ALL_JOBS,
      env: { DATABASE_URL: 'mysql://app:p%40ss@10.0.0.5:3310/booking', DB_HOST: 'override' },
    });
    expect(config.db).toMatchObject({
      host: 'override',
      port: 3310,
      user: 'app',
      password: 'p@ss',
      database: 'booking',
    });
  });

  it('layers default.json < DBKEEPER_CONFIG file < env', () => {
    const file = withFile({ environment: 'staging', db: { port: 3311 }, jobs: { ping: { schedule: '0 * * * *' } } });
    const config = loadConfig({ jobs: ALL_JOBS, env: { DBKEEPER_CONFIG: file, DB_PORT: '3312' } });
    expect(config.environment).toBe('staging');
    expect(config.db.port).toBe(3312);
    expect(config.db.host).toBe('127.0.0.1');
    expect((config.jobs as Record<string, { schedule: string }>).ping!.schedule).toBe('0 * * * *');
  });

  it.each([
    ['an unknown key', { dbb: { host: 'x' } }, /^dbb: unknown key$/],
    ['an unknown job key', { jobs: { ping: { shedule: '* * * * *' } } }, /^jobs\.ping\.shedule: unknown key$/],
    ['a wrong type', { db: { port: 'three' } }, /^db\.port: .*expected number/],
    [
      'an invalid cron expression',
      { jobs: { ping: { schedule: '61 * * * *' } } },
      /^jobs\.ping\.schedule: is not a valid cron expression/,
    ],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, /^timezone: is not an IANA time zone/],
    ['an empty schema name', { schema: '' }, /^schema: must not be empty/],
    [
      'a database name with a trailing space',
      { db: { database: 'booking ' } },
      /^db\.database: must not end with a space/,
    ],
    [
      'a database name of 65 characters',
      { db: { database: 'd'.repeat(65) } },
      /^db\.database: must be at most 64 characters/,
    ],
    [
      'a table name with NUL',
      { jobs: { partitions: { tables: ['api\u0000logs'] } } },
      /^jobs\.partitions\.tables\.0: must not contain a NUL character/,
    ],
    [
      'a bad recipient address',
      { report: { to: ['ops@example.com', 'not an address'] } },
      /^report\.to\.1: is not a valid email address/,
    ],
  ])('rejects %s, naming the field', (_what, fileContent, pattern) => {
    const problems = problemsOf(() => loadConfig({ jobs: ALL_JOBS, env: { DBKEEPER_CONFIG: withFile(fileContent) } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(pattern);
  });

  it('accepts every legal name in config: a leading digit, a space inside, a backtick, a dot', () => {
    const config = loadConfig({
      jobs: ALL_JOBS,
      env: {
        DBKEEPER_CONFIG: withFile({
          schema: '2fa ops',
          db: { database: 'book`ing' },
          jobs: {
            partitions: { tables: ['2fa_codes', 'log book', 'a`b', 'v2.logs'], column: 'made at' },
            'index-review': { schemas: ['2fa'], tableBudgets: { 'v2.sessions': 3, '2fa.log book': 4 } },
          },
        }),
      },
    });
    expect(config.schema).toBe('2fa ops');
    expect(config.db.database).toBe('book`ing');
    const jobs = config.jobs as Record<string, Record<string, unknown>>;
    expect(jobs.partitions!.tables).toEqual(['2fa_codes', 'log book', 'a`b', 'v2.logs']);
    expect(jobs['index-review']!.tableBudgets).toMatchObject({ 'v2.sessions': 3, '2fa.log book': 4 });
  });

  it('rejects a table-budget key that is no legal "table" or "schema.table"', () => {
    expect(
      problemsOf(() =>
        loadConfig({
          jobs: ALL_JOBS,
          env: { DBKEEPER_CONFIG: withFile({ jobs: { 'index-review': { tableBudgets: { 'ops. ': 3 } } } }) },
        }),
      )[0],
    ).toMatch(/^jobs\.index-review\.tableBudgets\.ops\. : /);
  });

  it('reports every problem at once, each naming its field and its env variable', () => {
    const problems = problemsOf(() =>
      loadConfig({ jobs: ALL_JOBS, env: { DB_PORT: 'abc', DB_POOL_MAX: '-1', DB_DATABASE: 'a b ' } }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^db\.port \(from DB_PORT\): /),
        expect.stringMatching(/^db\.poolMax \(from DB_POOL_MAX\): /),
        expect.stringMatching(/^db\.database \(from DB_DATABASE\): must not end with a space/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('names DBKEEPER_CONFIG when the file is missing or not JSON', () => {
    expect(
      problemsOf(() => loadConfig({ jobs: ALL_JOBS, env: { DBKEEPER_CONFIG: '/nonexistent/dbkeeper.json' } }))[0],
    ).toMatch(/^DBKEEPER_CONFIG: cannot read/);
    expect(
      problemsOf(() => loadConfig({ jobs: ALL_JOBS, env: { DBKEEPER_CONFIG: withFile('{ not json') } }))[0],
    ).toMatch(/^DBKEEPER_CONFIG: .* is not valid JSON/);
  });

  it('rejects a DATABASE_URL of another scheme without echoing it', () => {
    const problems = problemsOf(() =>
      loadConfig({ jobs: ALL_JOBS, env: { DATABASE_URL: 'postgres://u:topsecret@h/db' } }),
    );
    expect(problems[0]).toMatch(/^DATABASE_URL: scheme must be mysql/);
    expect(problems.join('\n')).not.toContain('topsecret');
  });

  it('never prints a bad password value in its message', () => {
    const problems = problemsOf(() =>
      loadConfig({ jobs: ALL_JOBS, env: { DBKEEPER_CONFIG: withFile({ db: { password: 12345678 } }) } }),
    );
    expect(problems[0]).toMatch(/^db\.password: /);
    expect(problems[0]).not.toContain('12345678');
  });
});
