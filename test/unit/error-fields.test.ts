import { describe, expect, it } from 'vitest';
import { errorFields, errorMessage } from '../../src/log/error-fields.js';

describe('errorFields: what a log line says about an error', () => {
  it('keeps name, message and the codes of a mysql2 error, never its sql or parameters', () => {
    const err = Object.assign(new Error('Lock wait timeout exceeded'), {
      code: 'ER_LOCK_WAIT_TIMEOUT',
      errno: 1205,
      sql: "DELETE FROM locks WHERE customer = 'Jane Roe'",
      sqlMessage: 'Lock wait timeout exceeded',
    });
    expect(errorFields(err)).toEqual({
      name: 'Error',
      message: 'Lock wait timeout exceeded',
      code: 'ER_LOCK_WAIT_TIMEOUT',
      errno: 1205,
    });
  });

  it('keeps the SMTP reply code of a nodemailer error', () => {
    const err = Object.assign(new Error('Mailbox unavailable'), { code: 'EENVELOPE', responseCode: 550 });
    expect(errorFields(err)).toEqual({
      name: 'Error',
      message: 'Mailbox unavailable',
      code: 'EENVELOPE',
      responseCode: 550,
    });
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
