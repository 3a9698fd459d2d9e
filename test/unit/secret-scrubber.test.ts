import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { loggerFor } from '../../src/app/bootstrap.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/log/logger.js';
import { makeScrubber } from '../../src/log/secret-scrubber.js';

describe('secrets in logs', () => {
  it('scrubs secret values wherever they appear, also URL-encoded', () => {
    const scrub = makeScrubber(['p@ss word!', null, '', 'ab']);
    expect(scrub('connect mysql://u:p%40ss%20word!@h failed: p@ss word!')).toBe(
      'connect mysql://u:[REDACTED]@h failed: [REDACTED]',
    );
    expect(scrub('ab stays: too short to be treated as a secret')).toBe(
      'ab stays: too short to be treated as a secret',
    );
  });

  it('redacts password fields and scrubs secret values from every log line', () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      secrets: ['hunter2-secret'],
      stream: 'stdout',
      pretty: false,
      sink: (l) => lines.push(l),
    });
    log.info({ db: { host: 'h', password: 'hunter2-secret' }, password: 'other-secret' }, 'connected');
    log.error({ err: new Error('auth failed for hunter2-secret') }, 'oops hunter2-secret');
    const text = lines.join('');
    expect(text).not.toContain('hunter2-secret');
    expect(text).not.toContain('other-secret');
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('"host":"h"');
  });

  it("the app's logger scrubs the SMTP_URL password as written and decoded, and the DB password", () => {
    const config = loadConfig({
      jobs: ALL_JOBS,
      env: {
        DB_PASSWORD: 'db-pass-1234',
        SMTP_URL: 'smtp://u:p%40ss%20word@127.0.0.1:25',
        REPORT_TO: 'dba@example.com',
      },
    });
    const lines: string[] = [];
    const log = loggerFor(config, { stream: 'stdout', pretty: false, sink: (l) => lines.push(l) });
    log.error('SMTP auth failed for p@ss word (smtp://u:p%40ss%20word@127.0.0.1) and db-pass-1234');
    const text = lines.join('');
    expect(text).not.toContain('p@ss word');
    expect(text).not.toContain('p%40ss%20word');
    expect(text).not.toContain('db-pass-1234');
    expect(text).toContain('SMTP auth failed for [REDACTED]');
  });
});
