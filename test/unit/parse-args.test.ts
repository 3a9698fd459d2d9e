import { describe, expect, it } from 'vitest';
import { performanceReviewJob } from '../../jobs/performance-review/job.js';
import { partitionsJob } from '../../jobs/partitions/job.js';
import { tableMaintenanceJob } from '../../jobs/table-maintenance/job.js';
import { parseArgs, UsageError } from '../../src/cli/parse-args.js';
import type { JobOptions } from '../../src/job/job-options.js';

// The real jobs' declarations: what the CLI validates is what the jobs declare.
const jobs: Record<string, JobOptions> = {
  ping: {},
  partitions: partitionsJob.options!,
  'performance-review': performanceReviewJob.options!,
  'table-maintenance': tableMaintenanceJob.options!,
};
const lookup = (name: string) => jobs[name];

describe('parseArgs', () => {
  it('parses list, status and help', () => {
    expect(parseArgs(['list'], lookup)).toEqual({ kind: 'list', json: false });
    expect(parseArgs(['status', '--json'], lookup)).toEqual({ kind: 'status', json: true, check: false });
    expect(parseArgs(['status', '--check'], lookup)).toEqual({ kind: 'status', json: false, check: true });
    expect(() => parseArgs(['status', '--check', '--json'], lookup)).toThrow(/--check/);
    expect(parseArgs([], lookup)).toEqual({ kind: 'help' });
  });

  it('parses a job run with its flags', () => {
    expect(
      parseArgs(['partitions', '--dry-run', '--json', '--at', '2027-03-01T04:30:00Z', '--print-migration'], lookup),
    ).toEqual({
      kind: 'run',
      job: 'partitions',
      dryRun: true,
      json: true,
      email: false,
      at: new Date('2027-03-01T04:30:00Z'),
      options: { 'print-migration': true },
    });
  });

  it('accepts a valid month and the flags of the other jobs', () => {
    expect(parseArgs(['table-maintenance', '--maintenance-window'], lookup)).toMatchObject({
      options: { 'maintenance-window': true },
    });
    expect(parseArgs(['performance-review', '--month', '2026-12'], lookup)).toMatchObject({
      options: { month: '2026-12' },
    });
    expect(parseArgs(['ping', '--dry-run', '--at', '2028-02-29T23:30:00+01:00'], lookup)).toMatchObject({
      at: new Date('2028-02-29T22:30:00Z'),
    });
  });

  it('takes a job flag value with = or as the next argument', () => {
    for (const argv of [
      ['performance-review', '--month=2026-10', '--dry-run'],
      ['performance-review', '--month', '2026-10', '--dry-run'],
    ]) {
      expect(parseArgs(argv, lookup)).toMatchObject({ kind: 'run', dryRun: true, options: { month: '2026-10' } });
    }
  });

  it.each([
    [['nosuchjob'], /unknown job or command: nosuchjob/],
    [['ping', '--at', '2027-03-01T04:30:00Z'], /--at is allowed with --dry-run only/],
    [['ping', '--dry-run', '--at', 'tomorrow'], /--at: not an ISO time/],
    [['ping', '--dry-run', '--at'], /--at needs an ISO time/],
    [['ping', '--print-migration'], /ping: unknown flag --print-migration/],
    [['ping', 'extra'], /unexpected argument extra/],
    [['list', '--dry-run'], /list: unknown argument --dry-run/],
    // A flag takes no value, whichever way one is written.
    [['partitions', '--print-migration', 'yes'], /partitions: --print-migration takes no value \(got "yes"\)/],
    [['partitions', '--print-migration=yes'], /partitions: --print-migration takes no value \(got "yes"\)/],
    [
      ['table-maintenance', '--maintenance-window=false'],
      /table-maintenance: --maintenance-window takes no value \(got "false"\)/,
    ],
    // A value is checked by the job's validator before anything runs.
    [
      ['performance-review', '--month', '2026-13'],
      /performance-review: --month: must be YYYY-MM with a month 01-12, e.g\. 2026-10 \(got "2026-13"\)/,
    ],
    [['performance-review', '--month=26-1'], /performance-review: --month: must be YYYY-MM/],
    [['performance-review', '--month'], /performance-review: --month needs a value, e\.g\. --month 2026-10/],
    [['performance-review', '--month', '--dry-run'], /performance-review: --month needs a value/],
    // --at: a real calendar instant with its zone, not what Date makes of it.
    [['ping', '--dry-run', '--at', '2026-02-30T00:00:00Z'], /--at: not an ISO time/],
    [['ping', '--dry-run', '--at', '2026-04-31'], /--at: not an ISO time/],
    [['ping', '--dry-run', '--at', '2026-03-01T25:00:00Z'], /--at: not an ISO time/],
    [['ping', '--dry-run', '--at', '2026-03-01T04:30:00'], /--at: not an ISO time .*zone/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv, lookup)).toThrow(UsageError);
    expect(() => parseArgs(argv, lookup)).toThrow(message);
  });
});
