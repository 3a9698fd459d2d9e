import { describe, expect, it } from 'vitest';
import { cutoffSampleInstants, utcWallClock, wallClockCutoff, zoneWallClock } from '../../jobs/purge-locks/cutoff.js';
import { nextChunkSize } from '../../jobs/purge-locks/chunk-size.js';
import { throttleReason } from '../../jobs/purge-locks/throttle.js';

const cutoffIn = (zone: string, iso: string) =>
  wallClockCutoff(cutoffSampleInstants(new Date(iso)).map((i) => zoneWallClock(i, zone)));

describe('cutoff sample instants', () => {
  it('starts at the start instant and then takes every UTC quarter hour within 3 h', () => {
    const s = cutoffSampleInstants(new Date('2026-11-30T17:07:30.250Z'));
    expect(s[0]!.toISOString()).toBe('2026-11-30T17:07:30.250Z');
    expect(s[1]!.toISOString()).toBe('2026-11-30T17:15:00.000Z');
    expect(s.at(-1)!.toISOString()).toBe('2026-11-30T20:00:00.000Z');
    expect(s).toHaveLength(13);
  });
  it('does not repeat a start that is on a quarter hour', () => {
    const s = cutoffSampleInstants(new Date('2026-11-30T17:00:00Z'));
    expect(s[1]!.toISOString()).toBe('2026-11-30T17:15:00.000Z');
    expect(s.at(-1)!.toISOString()).toBe('2026-11-30T20:00:00.000Z');
  });
});

describe('wall-clock formats', () => {
  it('UTC keeps milliseconds and pads to microseconds', () => {
    expect(utcWallClock(new Date('2024-02-29T23:59:59.007Z'))).toBe('2024-02-29 23:59:59.007000');
  });
  it('a zone wall clock uses 00-23 hours', () => {
    expect(zoneWallClock(new Date('2026-06-30T22:30:00.500Z'), 'Europe/Berlin')).toBe('2026-07-01 00:30:00.500000');
    expect(zoneWallClock(new Date('2026-01-15T12:00:00Z'), 'America/New_York')).toBe('2026-01-15 07:00:00.000000');
  });
});

describe('DATETIME cutoff across clock changes', () => {
  it.each([
    // zone, now (UTC), expected cutoff, held back?
    ['Europe/Berlin', '2026-11-30T17:00:00Z', '2026-11-30 18:00:00.000000', false],
    // 02:30 CEST, clocks go back at 03:00 CEST (01:00Z) to 02:00 CET: 02:00..02:30 happens again later.
    ['Europe/Berlin', '2026-10-25T00:30:00Z', '2026-10-25 02:00:00.000000', true],
    // 00:30 CEST: the repeated hour (02:00..03:00) is above the start, nothing to hold back.
    ['Europe/Berlin', '2026-10-24T22:30:00Z', '2026-10-25 00:30:00.000000', false],
    // After the turn-back (02:30 CET, second time): wall clocks only go up from here.
    ['Europe/Berlin', '2026-10-25T01:30:00Z', '2026-10-25 02:30:00.000000', false],
    // Spring forward (02:00 CET → 03:00 CEST) never makes a wall clock repeat.
    ['Europe/Berlin', '2026-03-29T00:30:00Z', '2026-03-29 01:30:00.000000', false],
    ['America/New_York', '2026-11-01T05:40:00Z', '2026-11-01 01:00:00.000000', true],
    // Lord Howe turns back 30 minutes: 02:00 (+11) → 01:30 (+10:30) at 15:00Z.
    ['Australia/Lord_Howe', '2026-04-04T14:50:00Z', '2026-04-05 01:30:00.000000', true],
    ['Etc/UTC', '2026-10-25T00:30:00Z', '2026-10-25 00:30:00.000000', false],
  ])('%s at %s → %s', (zone, iso, cutoff, held) => {
    const c = cutoffIn(zone, iso);
    expect(c.cutoff).toBe(cutoff);
    expect(c.heldBackForTurnBack).toBe(held);
  });

  it('no instant at or after the start has a wall clock below the cutoff (minute by minute, 4 h, several zones)', () => {
    for (const [zone, iso] of [
      ['Europe/Berlin', '2026-10-25T00:10:00Z'],
      ['America/New_York', '2026-11-01T04:50:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T14:20:00Z'],
    ] as const) {
      const start = new Date(iso);
      const { cutoff } = cutoffIn(zone, iso);
      for (let m = 0; m <= 240; m += 1) {
        expect(zoneWallClock(new Date(start.getTime() + m * 60_000), zone) >= cutoff).toBe(true);
      }
    }
  });

  it('needs the start sample', () => {
    expect(() => wallClockCutoff([])).toThrow(/start sample/);
  });
});

describe('chunk size', () => {
  const bounds = { minRows: 100, maxRows: 20_000, targetMs: 100 };
  it.each([
    [1000, 80, 1250], // a little fast: grows to the target
    [1000, 50, 1500], // fast: grows, at most 1.5×
    [1000, 10, 1500], // very fast: still at most 1.5×
    [1000, 100, 1000], // on target
    [1000, 400, 250], // slow: shrinks at once
    [1000, 5000, 100], // very slow: floor
    [15000, 20, 20000], // ceiling
    [1000, 0, 1500], // zero time measured
  ])('%i rows in %i ms → %i', (rows, ms, next) => {
    expect(nextChunkSize(rows, ms, bounds)).toBe(next);
  });
});

describe('throttle', () => {
  const limits = { maxThreadsRunning: 20, maxReplicaLagSeconds: 10 };
  it.each([
    [{ threadsRunning: 5, replica: { kind: 'not-a-replica' as const } }, null],
    [{ threadsRunning: 20, replica: { kind: 'not-a-replica' as const } }, null],
    [{ threadsRunning: 21, replica: { kind: 'not-a-replica' as const } }, 'Threads_running 21 > 20'],
    [{ threadsRunning: 5, replica: { kind: 'replica' as const, lagSeconds: 11 } }, 'replica lag 11 s > 10 s'],
    [{ threadsRunning: 5, replica: { kind: 'replica' as const, lagSeconds: 10 } }, null],
    [
      { threadsRunning: 5, replica: { kind: 'replica' as const, lagSeconds: null } },
      'replica lag unknown (replication stopped?)',
    ],
    [{ threadsRunning: 5, replica: { kind: 'not-visible' as const, reason: 'denied' } }, null],
  ])('%o → %s', (sample, reason) => {
    expect(throttleReason(sample, limits)).toBe(reason);
  });
});
