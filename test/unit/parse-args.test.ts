import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/parse-args.js';

const jobs: Record<string, readonly string[]> = { ping: [], partitions: ['print-migration'], 'performance-review': ['month'] };
const lookup = (name: string) => jobs[name];

describe('parseArgs', () => {
  it('parses list, status and help', () => {
    expect(parseArgs(['list'], lookup)).toEqual({ kind: 'list', json: false });
    expect(parseArgs(['status', '--json'], lookup)).toEqual({ kind: 'status', json: true });
    expect(parseArgs([], lookup)).toEqual({ kind: 'help' });
  });

  it('parses a job run with its flags', () => {
    expect(parseArgs(['partitions', '--dry-run', '--json', '--at', '2027-03-01T04:30:00Z', '--print-migration'], lookup)).toEqual({
      kind: 'run',
      job: 'partitions',
      dryRun: true,
      json: true,
      email: false,
      at: new Date('2027-03-01T04:30:00Z'),
      options: { 'print-migration': true },
    });
  });

  it('takes a job flag value with = or as the next argument', () => {
    for (const argv of [['performance-review', '--month=2026-10', '--dry-run'], ['performance-review', '--month', '2026-10', '--dry-run']]) {
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
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv, lookup)).toThrow(UsageError);
    expect(() => parseArgs(argv, lookup)).toThrow(message);
  });
});
