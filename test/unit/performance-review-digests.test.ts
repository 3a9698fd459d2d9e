import { describe, expect, it } from 'vitest';
import {
  baselineDue,
  digestStats,
  type DigestBaseline,
  type DigestRow,
} from '../../jobs/performance-review/digest-baseline.js';

const from = new Date('2026-10-01T00:00:00Z');
const boot = new Date('2026-09-01T00:00:00Z');

function row(digest: string, count: number, sumUs: number, over: Partial<DigestRow> = {}): DigestRow {
  return {
    schema: 'booking',
    digest,
    text: `select ${digest}`,
    count,
    sumUs,
    maxUs: 1000,
    p95Us: 500,
    rowsExamined: count * 10,
    firstSeen: boot,
    lastSeen: new Date('2026-10-31T00:00:00Z'),
    ...over,
  };
}

function baseline(entries: [string, number, number, Date | null][]): DigestBaseline {
  return {
    takenAt: new Date('2026-10-01T04:30:00Z'),
    entries: new Map(
      entries.map(([d, count, sumUs, first]) => [
        `booking\u0000${d}`,
        { count, sumUs, rowsExamined: count * 10, firstSeenMs: first?.getTime() ?? null },
      ]),
    ),
  };
}

describe('digestStats', () => {
  it('with a month-start baseline: deltas for the same digest life', () => {
    const { stats, since } = digestStats([row('a', 1000, 5_000_000)], baseline([['a', 400, 2_000_000, boot]]), from);
    expect(since).toBeNull();
    expect(stats).toMatchObject([{ fingerprint: 'select a', count: 600, totalSeconds: 3, rowsExamined: 6000 }]);
  });

  it('a digest reset after the baseline (new FIRST_SEEN) or new since: counts from its first sighting', () => {
    const reset = new Date('2026-10-20T00:00:00Z');
    const { stats } = digestStats(
      [row('a', 30, 3_000_000, { firstSeen: reset }), row('n', 7, 700_000)],
      baseline([['a', 400, 2_000_000, boot]]),
      from,
    );
    expect(stats.map((s) => [s.fingerprint, s.count])).toEqual([
      ['select a', 30],
      ['select n', 7],
    ]);
  });

  it('a digest that did not run since the baseline is left out, never shown with 0', () => {
    expect(digestStats([row('a', 400, 2_000_000)], baseline([['a', 400, 2_000_000, boot]]), from).stats).toEqual([]);
  });

  it('a counter lower than its baseline with the same FIRST_SEEN (table truncated and refilled): counted from scratch', () => {
    expect(
      digestStats([row('a', 10, 1_000_000)], baseline([['a', 400, 2_000_000, boot]]), from).stats[0],
    ).toMatchObject({ count: 10 });
  });

  it('without a baseline: digests seen in the month, cumulative, and since when', () => {
    const { stats, since } = digestStats(
      [row('a', 100, 1_000_000), row('gone', 5, 10, { lastSeen: new Date('2026-09-20T00:00:00Z') })],
      null,
      from,
    );
    expect(stats.map((s) => s.fingerprint)).toEqual(['select a']);
    expect(since).toEqual(boot);
  });
});

describe('baselineDue', () => {
  const october = { to: new Date('2026-11-01T00:00:00Z'), partial: false };
  it.each([
    ['2026-11-01T04:30:00Z', october, true],
    ['2026-11-02T23:00:00Z', october, true],
    ['2026-11-30T17:00:00Z', october, false],
    ['2026-11-30T17:00:00Z', { to: new Date('2026-11-30T17:00:00Z'), partial: true }, false],
  ] as const)('at %s: %s', (now, period, want) => expect(baselineDue(period, new Date(now))).toBe(want));
});
