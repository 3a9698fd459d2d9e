import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { ConfigError } from '../../src/config/config-error.js';
import type { Plain } from '../../src/config/deep-merge.js';
import { setPath } from '../../src/config/deep-merge.js';
import { loadConfig } from '../../src/config/load-config.js';

function problemsOf(overrides: Plain, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfig({ jobs: ALL_JOBS, env, overrides });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

/** Node timers take at most 2^31-1 ms; a larger delay fires after 1 ms. */
const MAX_MS = 2 ** 31 - 1;

describe('timer settings have an upper bound (Node timers overflow past 2^31-1 ms)', () => {
  it.each([
    ['db.poolTimeoutSeconds', Math.ceil(MAX_MS / 1000) + 1],
    ['db.connectTimeoutMs', MAX_MS + 1],
    ['db.connectBackoffMs', MAX_MS + 1],
    ['guards.lockWaitTimeoutSeconds', Math.ceil(MAX_MS / 1000) + 1],
    ['guards.innodbLockWaitTimeoutSeconds', Math.ceil(MAX_MS / 1000) + 1],
    ['guards.statementTimeoutSeconds', Math.ceil(MAX_MS / 1000) + 1],
    ['shutdown.drainSeconds', Math.ceil(MAX_MS / 1000) + 1],
    ['report.smtp.timeoutMs', MAX_MS],
    ['jobs.purge-locks.chunk.targetMs', MAX_MS + 1],
    ['jobs.purge-locks.maxRunSeconds', Math.ceil(MAX_MS / 1000) + 1],
    ['jobs.purge-locks.throttle.pollMs', MAX_MS + 1],
    ['jobs.purge-locks.retry.backoffMs', MAX_MS + 1],
    ['jobs.table-maintenance.rebuildTimeoutSeconds', Math.ceil(MAX_MS / 1000) + 1],
  ])('%s = %d is a config error naming the field', (field, value) => {
    const overrides: Plain = {};
    setPath(overrides, field.split('.'), value);
    const problems = problemsOf(overrides);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: must be at most \\d+`));
  });

  it('the largest value that still fits is accepted', () => {
    const overrides: Plain = {};
    setPath(overrides, ['guards', 'statementTimeoutSeconds'], Math.floor(MAX_MS / 1000));
    setPath(overrides, ['db', 'connectTimeoutMs'], MAX_MS);
    expect(problemsOf(overrides)).toEqual([]);
  });

  it('from the environment: DB_POOL_TIMEOUT too large names the variable', () => {
    expect(problemsOf({}, { DB_POOL_TIMEOUT: '9999999999' })).toEqual([
      expect.stringMatching(/^db\.poolTimeoutSeconds \(from DB_POOL_TIMEOUT\): must be at most 2147483/),
    ]);
  });

  it('retry backoff doubling past the timer limit is refused', () => {
    const overrides: Plain = {};
    setPath(overrides, ['jobs', 'purge-locks', 'retry'], { maxRetries: 30, backoffMs: 200 });
    expect(problemsOf(overrides)).toEqual([expect.stringMatching(/^jobs\.purge-locks\.retry\.maxRetries: /)]);
  });
});

describe('DATABASE_URL', () => {
  it.each([
    ['a bare % in the password', 'mysql://app:50%off-Secret@127.0.0.1:3306/booking'],
    ['a bare % in the user', 'mysql://a%pp:pw@127.0.0.1:3306/booking'],
    ['a bare % in the database', 'mysql://app:pw@127.0.0.1:3306/book%ing'],
  ])('%s is a config error naming DATABASE_URL, the password never echoed', (_what, url) => {
    const problems = problemsOf({}, { DATABASE_URL: url });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DATABASE_URL: .*%25/);
    expect(problems[0]).not.toContain('Secret');
    expect(problems[0]).not.toContain('URI malformed');
  });
});
