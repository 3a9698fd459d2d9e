import { describe, expect, it } from 'vitest';
import { maskLiterals } from '../../src/log/mask-literals.js';

describe('maskLiterals', () => {
  it.each([
    ["Duplicate entry 'ann@example.com' for key 'uq_email'", "Duplicate entry '?' for key '?'"],
    ["Duplicate entry 'it''s@x.y' for key 'k'", "Duplicate entry '?' for key '?'"],
    ["Duplicate entry 'a\\'b@x.y' for key 'k'", "Duplicate entry '?' for key '?'"],
    ["Duplicate entry 'O'Brien' for key 'k'", "Duplicate entry '?' for key '?'"],
    ['Unknown column "ann@example.com" in \'where clause\'', 'Unknown column "?" in \'?\''],
    ["Duplicate entry '42-ann@example.com' for key 'users.uq'", "Duplicate entry '?' for key '?'"],
    ["unterminated 'ann@example.com", "unterminated '?'"],
  ])('%s', (input, masked) => {
    expect(maskLiterals(input)).toBe(masked);
  });

  it('keeps names in backticks, apostrophes in words and text without literals', () => {
    expect(maskLiterals("Can't DROP INDEX `ix 'a'`; check that it exists")).toBe(
      "Can't DROP INDEX `ix 'a'`; check that it exists",
    );
    expect(maskLiterals('Lock wait timeout exceeded; try restarting transaction')).toBe(
      'Lock wait timeout exceeded; try restarting transaction',
    );
  });

  it('never lets a literal through, whatever is in it', () => {
    for (const v of ['ann@example.com', "x' y@z.com", 'tok\\', 'a"b', "''"]) {
      expect(maskLiterals(`Duplicate entry '${v.replaceAll("'", "''")}' for key 'uq'`)).not.toMatch(
        /example|y@z|tok|a"b/,
      );
    }
  });
});
