import { describe, expect, it } from 'vitest';
import { errorFields, errorMessage } from '../../src/log/error-fields.js';

describe('errorFields: what a log line says about an error', () => {
  const mysqlError = Object.assign(new Error('Lock wait timeout exceeded'), {
    code: 'ER_LOCK_WAIT_TIMEOUT',
    errno: 1205,
    sql: "DELETE FROM locks WHERE customer = 'Jane Roe'",
    sqlMessage: 'Lock wait timeout exceeded',
  });
  const smtpError = Object.assign(new Error('Mailbox unavailable'), { code: 'EENVELOPE', responseCode: 550 });
  it.each([
    [
      'a mysql2 error: its codes, never its sql or parameters',
      mysqlError,
      { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 },
    ],
    ['a nodemailer error: its SMTP reply code', smtpError, { code: 'EENVELOPE', responseCode: 550 }],
  ])('keeps name, message and the codes of %s', (_what, err, codes) => {
    expect(errorFields(err)).toEqual({ name: 'Error', message: err.message, ...codes });
  });

  it('a thrown non-Error becomes its text', () => {
    expect(errorFields('boom')).toEqual({ message: 'boom' });
    expect(errorFields(undefined)).toEqual({ message: 'undefined' });
    expect(errorFields({ code: 'ECONNRESET' })).toEqual({ message: '[object Object]', code: 'ECONNRESET' });
  });
});

describe('errorMessage: an error as one line of text', () => {
  it('is the message of an Error, else the value as text', () => {
    expect(errorMessage(new TypeError('bad input'))).toBe('bad input');
    expect(errorMessage(42)).toBe('42');
  });
});
