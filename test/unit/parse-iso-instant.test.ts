import { describe, expect, it } from 'vitest';
import { parseIsoInstant } from '../../src/time/parse-iso-instant.js';

describe('parseIsoInstant: strict, every field round-trips', () => {
  it.each([
    ['2027-03-01T04:30:00Z', '2027-03-01T04:30:00.000Z'],
    ['2027-03-01T04:30Z', '2027-03-01T04:30:00.000Z'],
    ['2027-03-01T04:30:00.250Z', '2027-03-01T04:30:00.250Z'],
    ['2027-03-01T04:30:00+02:00', '2027-03-01T02:30:00.000Z'],
    ['2027-03-01T00:30:00-05:30', '2027-03-01T06:00:00.000Z'],
    ['2028-02-29T12:00:00Z', '2028-02-29T12:00:00.000Z'],
    ['2027-03-01', '2027-03-01T00:00:00.000Z'],
  ])('%s = %s', (text, iso) => {
    expect(parseIsoInstant(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2026-02-30T00:00:00Z', // Date makes it 2 March
    '2027-02-29T00:00:00Z', // not a leap year
    '2026-04-31',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-03-01T24:00:00Z',
    '2026-03-01T23:60:00Z',
    '2026-03-01T23:59:60Z',
    '2026-03-01T04:30:00+24:00',
    '2026-03-01T04:30:00', // no zone: would depend on the host's zone
    'tomorrow',
    '2026-3-1',
    ' 2026-03-01T00:00:00Z',
  ])('%s is refused', (text) => {
    expect(parseIsoInstant(text)).toBeNull();
  });
});
