import { describe, expect, it } from 'vitest';
import { IdentifierError, quoteId, quoteTable } from '../../src/db/sql-identifier.js';
import { lockName } from '../../src/db/named-lock.js';

describe('identifiers', () => {
  it('escapes plain identifiers', () => {
    expect(quoteId('appointment_locks')).toBe('`appointment_locks`');
    expect(quoteTable('booking', 'api_call_logs')).toBe('`booking`.`api_call_logs`');
  });

  it.each(['x; DROP TABLE y', 'a`b', 'x--', '', '1abc', 'a'.repeat(65), 'tbl name', "o'hara"])('refuses %j before any SQL is built', (name) => {
    expect(() => quoteId(name, 'table')).toThrow(IdentifierError);
    expect(() => quoteId(name, 'table')).toThrow(/^table .* is not a plain identifier/);
  });

  it('keeps lock names within MySQL’s 64 characters', () => {
    expect(lockName('test', 'ping')).toBe('dbkeeper:test:ping');
    const long = lockName('s'.repeat(64), 'performance-review');
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).not.toBe(lockName('s'.repeat(63), 'performance-review'));
  });
});
