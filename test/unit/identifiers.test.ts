import { describe, expect, it } from 'vitest';
import { identifierSchema } from '../../src/config/identifier.js';
import { IdentifierError, quoteId, quoteTable } from '../../src/db/sql-identifier.js';
import { lockName } from '../../src/db/named-lock.js';

describe('identifiers', () => {
  it('escapes plain identifiers', () => {
    expect(quoteId('appointment_locks')).toBe('`appointment_locks`');
    expect(quoteTable('booking', 'api_call_logs')).toBe('`booking`.`api_call_logs`');
  });

  it.each([
    ['2fa_codes', '`2fa_codes`'],
    ['tbl name', '`tbl name`'],
    ['a`b', '`a``b`'],
    ['``', '``````'],
    ["o'hara", "`o'hara`"],
    ['x; DROP TABLE y', '`x; DROP TABLE y`'],
    ['x--', '`x--`'],
    ['p max', '`p max`'],
    ['logs.2026', '`logs.2026`'],
    [' leading', '` leading`'],
    ['ä'.repeat(64), `\`${'ä'.repeat(64)}\``],
  ])('quotes every legal name %j: backticks doubled, a dot kept inside the name', (name, quoted) => {
    expect(quoteId(name, 'table')).toBe(quoted);
    expect(identifierSchema.safeParse(name).success).toBe(true);
  });

  it('quotes schema and table separately, so a dot in either stays part of its name', () => {
    expect(quoteTable('app.v2', 'a.b')).toBe('`app.v2`.`a.b`');
  });

  it.each([
    ['', /must not be empty/],
    ['a'.repeat(65), /at most 64 characters/],
    ['a\u0000b', /NUL/],
    ['trailing ', /must not end with a space/],
  ])('refuses %j before any SQL is built, saying why', (name, why) => {
    expect(() => quoteId(name, 'table')).toThrow(IdentifierError);
    expect(() => quoteId(name, 'table')).toThrow(/^table .* is not a legal identifier: /);
    expect(() => quoteId(name, 'table')).toThrow(why);
    const parsed = identifierSchema.safeParse(name);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(why);
  });

  it('keeps lock names within MySQL’s 64 characters', () => {
    expect(lockName('test', 'ping')).toBe('dbkeeper:test:ping');
    const long = lockName('s'.repeat(64), 'performance-review');
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).not.toBe(lockName('s'.repeat(63), 'performance-review'));
  });
});
