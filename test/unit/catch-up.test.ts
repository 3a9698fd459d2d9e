import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../src/db/run-history.js';
import { MISSED_COUNT_CAP, planCatchUp, type CatchUpFacts } from '../../src/scheduler/catch-up.js';

const at = (s: string) => new Date(s);
const facts = (lastDone: string | null, attempts: [string, RunStatus][] = []): CatchUpFacts => ({
  lastDone: lastDone ? at(lastDone) : null,
  attemptsSince: attempts.map(([t, status]) => ({ scheduledFor: at(t), status })),
});
const DAILY = '15 3 * * *';
const WEEKLY = '0 4 * * 0';
const MONTHLY = '30 4 1 * *';

describe('planCatchUp', () => {
  it.each([
    // name, schedule, tz, lastDone, now, expected slot, expected missed count
    [
      'down over one daily slot',
      DAILY,
      'Etc/UTC',
      '2026-05-01T03:15Z',
      '2026-05-02T09:00Z',
      '2026-05-02T03:15:00.000Z',
      1,
    ],
    [
      'down over several daily slots: runs the latest once',
      DAILY,
      'Etc/UTC',
      '2026-05-01T03:15Z',
      '2026-05-05T09:00Z',
      '2026-05-05T03:15:00.000Z',
      4,
    ],
    [
      'down over a monthly slot',
      MONTHLY,
      'Etc/UTC',
      '2026-04-01T04:30Z',
      '2026-05-03T00:00Z',
      '2026-05-01T04:30:00.000Z',
      1,
    ],
    [
      'down over a monthly slot at a year end (Berlin)',
      MONTHLY,
      'Europe/Berlin',
      '2026-12-01T03:30Z',
      '2027-01-10T00:00Z',
      '2027-01-01T03:30:00.000Z',
      1,
    ],
    [
      'down over a weekly slot',
      WEEKLY,
      'Etc/UTC',
      '2026-11-22T04:00Z',
      '2026-12-01T00:00Z',
      '2026-11-29T04:00:00.000Z',
      1,
    ],
    [
      'down over three monthly slots incl. a leap February end (L)',
      '0 4 L * *',
      'Etc/UTC',
      '2027-12-31T04:00Z',
      '2028-04-02T00:00Z',
      '2028-03-31T04:00:00.000Z',
      3,
    ],
    [
      'down over the Berlin spring-forward day: 02:30 did not exist that day',
      '30 2 * * *',
      'Europe/Berlin',
      '2026-03-27T01:30Z',
      '2026-03-29T12:00Z',
      '2026-03-28T01:30:00.000Z',
      1,
    ],
    [
      'down over the Berlin autumn day: the repeated 02:30 counts once',
      '30 2 * * *',
      'Europe/Berlin',
      '2026-10-24T00:30Z',
      '2026-10-26T12:00Z',
      '2026-10-26T01:30:00.000Z',
      2,
    ],
    [
      'down over the New York spring-forward day (03:15 EDT)',
      DAILY,
      'America/New_York',
      '2026-03-07T08:15Z',
      '2026-03-08T12:00Z',
      '2026-03-08T07:15:00.000Z',
      1,
    ],
    [
      'down over the New York autumn day: repeated 01:30 counts once',
      '30 1 * * *',
      'America/New_York',
      '2026-10-31T05:30Z',
      '2026-11-01T12:00Z',
      '2026-11-01T05:30:00.000Z',
      1,
    ],
  ])('%s', (_name, schedule, tz, lastDone, now, slot, missed) => {
    const d = planCatchUp(facts(lastDone), { catchUp: true, schedule, timezone: tz }, at(now));
    expect(d).toMatchObject({ run: true, slot: at(slot), missedSlots: missed, missedCapped: false });
  });

  it.each([
    ['not down over any slot', DAILY, '2026-05-02T03:15Z', '2026-05-02T09:00Z', /up to date/],
    ['exactly at the last done slot', MONTHLY, '2026-05-01T04:30Z', '2026-05-01T04:30Z', /up to date/],
    [
      'a month later but before the next monthly slot',
      MONTHLY,
      '2026-05-01T04:30Z',
      '2026-06-01T04:29:59Z',
      /up to date/,
    ],
  ])('no run when %s', (_name, schedule, lastDone, now, reason) => {
    const d = planCatchUp(facts(lastDone), { catchUp: true, schedule, timezone: 'Etc/UTC' }, at(now));
    expect(d.run).toBe(false);
    expect(d.reason).toMatch(reason);
  });

  it('never retries a latest slot that already has a row (failed, interrupted or running)', () => {
    for (const status of ['failed', 'interrupted', 'running'] as const) {
      const d = planCatchUp(
        facts('2026-05-01T03:15Z', [['2026-05-03T03:15Z', status]]),
        { catchUp: true, schedule: DAILY, timezone: 'Etc/UTC' },
        at('2026-05-03T10:00Z'),
      );
      expect(d).toEqual({ run: false, reason: expect.stringContaining(`already has a run (${status})`) });
    }
  });

  it('a failed older slot does not hide a newer missed one, and is not counted as missed', () => {
    const d = planCatchUp(
      facts('2026-05-01T03:15Z', [['2026-05-02T03:15Z', 'failed']]),
      { catchUp: true, schedule: DAILY, timezone: 'Etc/UTC' },
      at('2026-05-04T10:00Z'),
    );
    expect(d).toMatchObject({ run: true, slot: at('2026-05-04T03:15Z'), missedSlots: 2 });
  });

  it('a job that never succeeded counts from its newest attempt', () => {
    const d = planCatchUp(
      facts(null, [['2026-05-02T03:15Z', 'failed']]),
      { catchUp: true, schedule: DAILY, timezone: 'Etc/UTC' },
      at('2026-05-04T10:00Z'),
    );
    expect(d).toMatchObject({ run: true, slot: at('2026-05-04T03:15Z'), missedSlots: 2 });
  });

  it('a manual run after the latest slot counts as done', () => {
    const d = planCatchUp(
      facts('2026-05-04T08:00Z'),
      { catchUp: true, schedule: DAILY, timezone: 'Etc/UTC' },
      at('2026-05-04T10:00Z'),
    );
    expect(d.run).toBe(false);
  });

  it('no history: nothing to catch up', () => {
    expect(
      planCatchUp(facts(null), { catchUp: true, schedule: DAILY, timezone: 'Etc/UTC' }, at('2026-05-04T10:00Z')),
    ).toEqual({ run: false, reason: expect.stringContaining('no run history') });
  });

  it('catchUp: false turns it off', () => {
    const d = planCatchUp(
      facts('2026-05-01T03:15Z'),
      { catchUp: false, schedule: DAILY, timezone: 'Etc/UTC' },
      at('2026-05-05T09:00Z'),
    );
    expect(d).toEqual({ run: false, reason: 'catchUp is off for this job' });
  });

  it('an every-second schedule down for a month: one run, the count capped', () => {
    const d = planCatchUp(
      facts('2026-04-01T00:00Z'),
      { catchUp: true, schedule: '* * * * * *', timezone: 'Europe/Berlin' },
      at('2026-05-01T12:00:00.400Z'),
    );
    expect(d).toMatchObject({
      run: true,
      slot: at('2026-05-01T12:00:00Z'),
      missedSlots: MISSED_COUNT_CAP,
      missedCapped: true,
    });
  });
});
