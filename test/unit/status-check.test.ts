import { describe, expect, it } from 'vitest';
import { planStatusCheck, type CheckedJob } from '../../src/cli/status-check.js';
import type { JobRunStats } from '../../src/db/run-stats.js';

const now = new Date('2027-03-10T12:00:00Z');
const since = new Date('2026-01-01T00:00:00Z');

function stats(over: Partial<JobRunStats>): JobRunStats {
  return {
    job: 'partitions',
    lastFinished: null,
    lastDoneAt: null,
    lastSuccessAt: null,
    runningSince: null,
    counts: {},
    ...over,
  };
}
const monthly = (s: JobRunStats | undefined): CheckedJob => ({
  job: 'partitions',
  schedule: '30 4 1 * *',
  timezone: 'Europe/Berlin',
  stats: s,
});

describe('planStatusCheck (pure, from the cron schedule)', () => {
  it('monthly job that ran on the 1st: OK nine days later', () => {
    const r = planStatusCheck([monthly(stats({ lastDoneAt: new Date('2027-03-01T03:30:00Z') }))], now, 3600, since);
    expect(r.code).toBe(0);
  });
  it('monthly job whose March slot (04:30 Berlin = 03:30Z) has no run: late, not overdue', () => {
    const r = planStatusCheck([monthly(stats({ lastDoneAt: new Date('2027-02-01T03:30:00Z') }))], now, 3600, since);
    expect(r.code).toBe(1);
    expect(r.lines[1]).toMatch(/^WARNING partitions: late: slot 2027-03-01T03:30:00Z has no done run 9 d after it/);
  });
  it('within the grace after the slot: not late yet', () => {
    const r = planStatusCheck(
      [monthly(stats({ lastDoneAt: new Date('2027-02-01T03:30:00Z') }))],
      new Date('2027-03-01T04:00:00Z'),
      3600,
      since,
    );
    expect(r.code).toBe(0);
  });
  it('a run still going that started after the slot covers it', () => {
    const r = planStatusCheck(
      [
        monthly(
          stats({ lastDoneAt: new Date('2027-02-01T03:30:00Z'), runningSince: new Date('2027-03-01T03:30:01Z') }),
        ),
      ],
      now,
      3600,
      since,
    );
    expect(r.code).toBe(0);
  });
  it('slots before the first recorded run were never expected (fresh install)', () => {
    const r = planStatusCheck([monthly(undefined)], now, 3600, new Date('2027-03-05T00:00:00Z'));
    expect(r.code).toBe(0);
  });
  it('an interrupted last run is CRITICAL, worst line first', () => {
    const s = stats({
      lastDoneAt: new Date('2027-03-01T03:30:00Z'),
      lastFinished: {
        id: 9,
        status: 'interrupted',
        startedAt: now,
        finishedAt: now,
        errorClass: 'DrainTimeout',
        errorMessage: 'did not stop',
        summaryLine: null,
      },
    });
    const late: CheckedJob = {
      job: 'ping',
      schedule: '15 3 * * *',
      timezone: 'Etc/UTC',
      stats: stats({ job: 'ping', lastDoneAt: new Date('2027-03-09T03:15:00Z') }),
    };
    const r = planStatusCheck([late, monthly(s)], now, 3600, since);
    expect(r.code).toBe(2);
    expect(r.lines[0]).toMatch(
      /^DBKEEPER CRITICAL - partitions: last run #9 interrupted .* \(\+1 more\) \| jobs=2 critical=1 warning=1$/,
    );
    expect(r.lines.slice(1).map((l) => l.split(' ')[0])).toEqual(['CRITICAL', 'WARNING']);
  });
});
