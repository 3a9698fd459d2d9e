import fc from 'fast-check';
import { createTask } from 'node-cron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { firesAt, nextSlot, previousSlot, slotsBetween } from '../../src/scheduler/cron-slots.js';

const iso = (dates: (Date | null)[]) => dates.map((d) => d?.toISOString() ?? null);
const at = (s: string) => new Date(s);

describe('slotsBetween / nextSlot: DST, month ends, L', () => {
  it.each([
    // Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET.
    [
      'daily 02:30 Berlin skips the spring-forward gap',
      '30 2 * * *',
      'Europe/Berlin',
      '2026-03-28T00:00Z',
      '2026-03-31T00:00Z',
      ['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z'],
    ],
    [
      'daily 03:15 Berlin runs on the spring-forward day (03:15 CEST)',
      '15 3 * * *',
      'Europe/Berlin',
      '2026-03-28T00:00Z',
      '2026-03-30T00:00Z',
      ['2026-03-28T02:15:00.000Z', '2026-03-29T01:15:00.000Z'],
    ],
    [
      'daily 02:30 Berlin fires once in the repeated hour (the CET one)',
      '30 2 * * *',
      'Europe/Berlin',
      '2026-10-24T12:00Z',
      '2026-10-26T12:00Z',
      ['2026-10-25T01:30:00.000Z', '2026-10-26T01:30:00.000Z'],
    ],
    // America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST.
    [
      'daily 02:30 New York skips the spring-forward gap',
      '30 2 * * *',
      'America/New_York',
      '2026-03-07T12:00Z',
      '2026-03-09T12:00Z',
      ['2026-03-09T06:30:00.000Z'],
    ],
    [
      'daily 01:30 New York fires once in the repeated hour (the EDT one)',
      '30 1 * * *',
      'America/New_York',
      '2026-10-31T12:00Z',
      '2026-11-02T12:00Z',
      ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z'],
    ],
    [
      'weekly Sunday 04:00 New York across the autumn change',
      '0 4 * * 0',
      'America/New_York',
      '2026-10-20T00:00Z',
      '2026-11-10T00:00Z',
      ['2026-10-25T08:00:00.000Z', '2026-11-01T09:00:00.000Z', '2026-11-08T09:00:00.000Z'],
    ],
    [
      'monthly day 1 04:30 Berlin, CEST then CET',
      '30 4 1 * *',
      'Europe/Berlin',
      '2026-09-15T00:00Z',
      '2026-12-15T00:00Z',
      ['2026-10-01T02:30:00.000Z', '2026-11-01T03:30:00.000Z', '2026-12-01T03:30:00.000Z'],
    ],
    [
      'L = last day of month, leap February',
      '0 4 L * *',
      'Etc/UTC',
      '2028-01-15T00:00Z',
      '2028-04-15T00:00Z',
      ['2028-01-31T04:00:00.000Z', '2028-02-29T04:00:00.000Z', '2028-03-31T04:00:00.000Z'],
    ],
    [
      'L in a non-leap February, New York',
      '0 23 L 2 *',
      'America/New_York',
      '2026-01-01T00:00Z',
      '2027-12-31T00:00Z',
      ['2026-03-01T04:00:00.000Z', '2027-03-01T04:00:00.000Z'],
    ],
    [
      'day 31 only in months that have it',
      '0 0 31 * *',
      'Etc/UTC',
      '2026-01-15T00:00Z',
      '2026-06-15T00:00Z',
      ['2026-01-31T00:00:00.000Z', '2026-03-31T00:00:00.000Z', '2026-05-31T00:00:00.000Z'],
    ],
    [
      'day-of-month AND day-of-week (Friday 13th)',
      '0 0 13 * 5',
      'Etc/UTC',
      '2026-01-01T00:00Z',
      '2026-12-31T00:00Z',
      ['2026-02-13T00:00:00.000Z', '2026-03-13T00:00:00.000Z', '2026-11-13T00:00:00.000Z'],
    ],
    [
      'year end in Berlin',
      '15 3 * * *',
      'Europe/Berlin',
      '2026-12-30T12:00Z',
      '2027-01-02T12:00Z',
      ['2026-12-31T02:15:00.000Z', '2027-01-01T02:15:00.000Z', '2027-01-02T02:15:00.000Z'],
    ],
  ])('%s', (_name, expr, tz, from, to, expected) => {
    expect(iso(slotsBetween(expr, tz, at(from), at(to)))).toEqual(expected);
  });

  it('every 30 min over the Berlin autumn change: 48 wall-clock slots, none in the first (CEST) 02:xx hour', () => {
    const slots = slotsBetween('*/30 * * * *', 'Europe/Berlin', at('2026-10-24T22:00Z'), at('2026-10-25T23:00Z'));
    expect(slots).toHaveLength(48);
    expect(slots.filter((s) => s >= at('2026-10-25T00:00Z') && s < at('2026-10-25T01:00Z'))).toEqual([]);
  });

  it('every hour over the New York spring change: the missing 02:xx hour is simply absent', () => {
    const slots = slotsBetween('0 * * * *', 'America/New_York', at('2026-03-08T05:00Z'), at('2026-03-08T09:00Z'));
    expect(iso(slots)).toEqual([
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T08:00:00.000Z',
      '2026-03-08T09:00:00.000Z',
    ]);
  });

  it('nextSlot is strictly after, on whole seconds', () => {
    expect(nextSlot('15 3 * * *', 'Etc/UTC', at('2026-05-01T03:15:00.000Z'))?.toISOString()).toBe(
      '2026-05-02T03:15:00.000Z',
    );
    expect(nextSlot('15 3 * * *', 'Etc/UTC', at('2026-05-01T03:14:59.999Z'))?.toISOString()).toBe(
      '2026-05-01T03:15:00.000Z',
    );
  });

  it('a month of every-second slots is bounded by the limit, not by time', () => {
    const slots = slotsBetween('* * * * * *', 'Europe/Berlin', at('2026-10-01T00:00Z'), at('2026-11-01T00:00Z'), 500);
    expect(slots).toHaveLength(500);
    expect(slots[499]!.getTime() - slots[0]!.getTime()).toBe(499_000);
  });
});

describe('previousSlot', () => {
  it.each([
    ['monthly: the 1st of this month', '30 4 1 * *', 'Europe/Berlin', '2026-11-15T10:00Z', '2026-11-01T03:30:00.000Z'],
    [
      'monthly: one second before the slot gives last month',
      '30 4 1 * *',
      'Europe/Berlin',
      '2026-04-01T02:29:59Z',
      '2026-03-01T03:30:00.000Z',
    ],
    [
      'monthly: exactly at the slot gives the slot',
      '30 4 1 * *',
      'Europe/Berlin',
      '2026-04-01T02:30:00Z',
      '2026-04-01T02:30:00.000Z',
    ],
    [
      'daily: the gap day has no 02:30, so yesterday',
      '30 2 * * *',
      'Europe/Berlin',
      '2026-03-29T12:00Z',
      '2026-03-28T01:30:00.000Z',
    ],
    [
      'daily: repeated hour in New York gives its first (EDT) instant',
      '30 1 * * *',
      'America/New_York',
      '2026-11-01T06:45Z',
      '2026-11-01T05:30:00.000Z',
    ],
    ['weekly Sunday: from a Wednesday', '0 4 * * 0', 'Etc/UTC', '2026-12-02T00:00Z', '2026-11-29T04:00:00.000Z'],
    ['L: from early March in a leap year', '0 4 L * *', 'Etc/UTC', '2028-03-05T00:00Z', '2028-02-29T04:00:00.000Z'],
    [
      'every 2 seconds: rounds down to the even second',
      '*/2 * * * * *',
      'Europe/Berlin',
      '2026-06-01T10:00:03.700Z',
      '2026-06-01T10:00:02.000Z',
    ],
  ])('%s', (_name, expr, tz, now, expected) => {
    expect(previousSlot(expr, tz, at(now))?.toISOString()).toBe(expected);
  });

  it('returns null when no slot lies within maxDays', () => {
    expect(previousSlot('0 0 29 2 *', 'Etc/UTC', at('2026-06-01T00:00Z'), 30)).toBeNull();
  });
});

const EXPRESSIONS = [
  '15 3 * * *',
  '0 4 * * 0',
  '30 4 1 * *',
  '30 2 * * *',
  '30 1 * * *',
  '*/30 * * * *',
  '0 4 L * *',
  '0 0 13 * 5',
  '*/7 * * * * *',
  '0 2-3 * * 1-5',
  '0 0 1W * *',
  '0 12 * * 5L',
];
const ZONES = ['Europe/Berlin', 'America/New_York', 'Etc/UTC', 'Australia/Lord_Howe', 'Asia/Kolkata'];
// Instants in 2024-2030, biased to DST change days by picking whole minutes around them.
const instant = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 11, 31) });

describe('agrees with node-cron itself', () => {
  afterEach(() => vi.useRealTimers());

  it('nextSlot equals node-cron 4.6 getNextRuns for random instants, expressions and zones', () => {
    const tasks = new Map<string, ReturnType<typeof createTask>>();
    const taskFor = (expr: string, tz: string) => {
      const key = `${expr}|${tz}`;
      if (!tasks.has(key))
        tasks.set(
          key,
          createTask(expr, () => {}, { timezone: tz }),
        );
      return tasks.get(key)!;
    };
    vi.useFakeTimers({ toFake: ['Date'] });
    fc.assert(
      fc.property(fc.constantFrom(...EXPRESSIONS), fc.constantFrom(...ZONES), instant, (expr, tz, t) => {
        vi.setSystemTime(t);
        const theirs = taskFor(expr, tz)
          .getNextRuns(3)
          .map((d) => d.toISOString());
        const ours: string[] = [];
        let from = new Date(t);
        for (let i = 0; i < 3; i++) {
          from = nextSlot(expr, tz, from)!;
          ours.push(from.toISOString());
        }
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 300 },
    );
  });

  it('nextSlot equals node-cron on the DST change days themselves, minute by minute', () => {
    const task = createTask('*/20 * * * *', () => {}, { timezone: 'Europe/Berlin' });
    const nyTask = createTask('*/20 * * * *', () => {}, { timezone: 'America/New_York' });
    vi.useFakeTimers({ toFake: ['Date'] });
    for (const [t0, tz, tk] of [
      [Date.UTC(2026, 2, 28, 22), 'Europe/Berlin', task],
      [Date.UTC(2026, 9, 24, 21), 'Europe/Berlin', task],
      [Date.UTC(2026, 2, 8, 4), 'America/New_York', nyTask],
      [Date.UTC(2026, 10, 1, 3), 'America/New_York', nyTask],
    ] as const) {
      for (let t = t0; t < t0 + 6 * 3_600_000; t += 7 * 60_000) {
        vi.setSystemTime(t);
        expect(nextSlot('*/20 * * * *', tz, new Date(t))?.toISOString()).toBe(tk.getNextRuns(1)[0]!.toISOString());
      }
    }
  });

  it('previousSlot is the latest slot: it fires, is not after now, and no slot lies between it and now', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EXPRESSIONS), fc.constantFrom(...ZONES), instant, (expr, tz, t) => {
        const now = new Date(t);
        const prev = previousSlot(expr, tz, now)!;
        expect(prev.getTime()).toBeLessThanOrEqual(now.getTime());
        expect(firesAt(expr, tz, prev)).toBe(true);
        expect(nextSlot(expr, tz, prev)!.getTime()).toBeGreaterThan(Math.floor(t / 1000) * 1000);
      }),
      { numRuns: 300 },
    );
  });
});
