import { describe, expect, it } from 'vitest';
import { describeConnectError, describeSchemaAccessError, isPermanentDbError } from '../../src/db/db-connect-error.js';

const target = { host: '127.0.0.1', port: 3306, user: 'keeper', database: 'booking' };
const err = (code: string, errno?: number, message = 'x') =>
  Object.assign(new Error(message), { code, ...(errno ? { errno } : {}) });

describe('permanent vs transient database errors', () => {
  it.each([
    ['access denied', err('ER_ACCESS_DENIED_ERROR', 1045)],
    ['no rights on the database', err('ER_DBACCESS_DENIED_ERROR', 1044)],
    ['no rights on a table', err('ER_TABLEACCESS_DENIED_ERROR', 1142)],
    ['no rights on a column', err('ER_COLUMNACCESS_DENIED_ERROR', 1143)],
    ['needs a global privilege', err('ER_SPECIFIC_ACCESS_DENIED_ERROR', 1227)],
    ['host not allowed', err('ER_HOST_NOT_PRIVILEGED', 1130)],
    ['unknown database', err('ER_BAD_DB_ERROR', 1049)],
    ['auth plugin not supported', err('ER_NOT_SUPPORTED_AUTH_MODE', 1251)],
    ['password expired', err('ER_MUST_CHANGE_PASSWORD_LOGIN', 1862)],
    ['secure transport required (MySQL)', err('ER_SECURE_TRANSPORT_REQUIRED', 3159)],
    ['bad certificate', err('DEPTH_ZERO_SELF_SIGNED_CERT')],
    ['certificate name mismatch', err('ERR_TLS_CERT_ALTNAME_INVALID')],
    ['expired certificate', err('CERT_HAS_EXPIRED')],
    ['TLS handshake', err('ERR_SSL_WRONG_VERSION_NUMBER')],
    ['errno only', { errno: 1045, message: 'Access denied' }],
  ])('%s is permanent', (_what, e) => {
    expect(isPermanentDbError(e)).toBe(true);
    expect(describeConnectError(e, target).permanent).toBe(true);
  });

  it.each([
    ['connection refused', err('ECONNREFUSED')],
    ['timeout', err('ETIMEDOUT')],
    ['reset', err('ECONNRESET')],
    ['lost connection (2013)', err('PROTOCOL_CONNECTION_LOST', 2013)],
    ['too many connections (1040)', err('ER_CON_COUNT_ERROR', 1040)],
    ['server shutting down', err('ER_SERVER_SHUTDOWN', 1053)],
    ['DNS', err('EAI_AGAIN')],
    ['something unknown', new Error('boom')],
  ])('%s is transient (retried with backoff)', (_what, e) => {
    expect(isPermanentDbError(e)).toBe(false);
    expect(describeConnectError(e, target).permanent).toBe(false);
  });

  it('says what to fix for a TLS failure and for too many connections', () => {
    expect(describeConnectError(err('ERR_TLS_CERT_ALTNAME_INVALID'), target).message).toMatch(
      /TLS .*127\.0\.0\.1:3306/,
    );
    expect(describeConnectError(err('ER_CON_COUNT_ERROR', 1040), target).message).toMatch(/too many connections/);
  });
});

describe('no rights on DBKEEPER_SCHEMA', () => {
  it('names the missing grant for the account the server reports', () => {
    const e = err('ER_DBACCESS_DENIED_ERROR', 1044, "Access denied for user 'keeper'@'10.0.0.%' to database 'ops'");
    const clear = describeSchemaAccessError(e, 'ops', 'keeper');
    expect(clear?.permanent).toBe(true);
    expect(clear?.message).toContain(
      "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER ON `ops`.* TO 'keeper'@'10.0.0.%'",
    );
    expect(clear?.message).toMatch(/DBKEEPER_SCHEMA/);
  });

  it('a table-level denial too, with a schema name that needs quoting', () => {
    const e = err(
      'ER_TABLEACCESS_DENIED_ERROR',
      1142,
      "CREATE command denied to user 'k'@'localhost' for table `a``b`.`dbkeeper_runs`",
    );
    expect(describeSchemaAccessError(e, 'a`b', 'k')?.message).toContain("ON `a``b`.* TO 'k'@'localhost'");
  });

  it('falls back to the configured user when the message names none', () => {
    expect(
      describeSchemaAccessError(err('ER_DBACCESS_DENIED_ERROR', 1044, 'denied'), 'ops', 'keeper')?.message,
    ).toContain("TO 'keeper'@'%'");
  });

  it('leaves other errors alone', () => {
    expect(describeSchemaAccessError(err('ECONNRESET'), 'ops', 'keeper')).toBeNull();
  });
});
