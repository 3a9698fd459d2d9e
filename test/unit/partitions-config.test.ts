import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { partitionTargets, type PartitionsConfig } from '../../jobs/partitions/config.js';

function load(partitions: Record<string, unknown>) {
  return loadConfig({ jobs: ALL_JOBS, env: {}, overrides: { jobs: { partitions } } });
}

function problems(partitions: Record<string, unknown>): string {
  try {
    load(partitions);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '';
}

describe('partitions config', () => {
  it('per-table policy: an entry gives its own column, premake, retention, pastRetention; the rest come from the section', () => {
    const c = load({
      tables: [
        'api_call_logs',
        { name: 'audit_log', column: 'logged_at', retentionMonths: 24, pastRetention: 'archive' },
      ],
      premakeMonths: 2,
    });
    expect(partitionTargets(c.jobs.partitions as PartitionsConfig)).toEqual([
      {
        table: 'api_call_logs',
        column: 'created_at',
        premakeMonths: 2,
        retentionMonths: 6,
        pastRetention: 'drop',
        maxDropsPerRun: 2,
        pmaxRowThreshold: 10000,
      },
      {
        table: 'audit_log',
        column: 'logged_at',
        premakeMonths: 2,
        retentionMonths: 24,
        pastRetention: 'archive',
        maxDropsPerRun: 2,
        pmaxRowThreshold: 10000,
      },
    ]);
  });

  it('defaults: api_call_logs, 3 months ahead, 6 kept, 2 drops per run, drop, monthly on the 1st at 04:30 with catch-up', () => {
    const c = load({}).jobs.partitions as Record<string, unknown>;
    expect(c).toMatchObject({
      tables: ['api_call_logs'],
      premakeMonths: 3,
      retentionMonths: 6,
      maxDropsPerRun: 2,
      pastRetention: 'drop',
      schedule: '30 4 1 * *',
      catchUp: true,
    });
  });

  it.each([
    [
      { retentionMonths: 2, premakeMonths: 3 },
      /jobs\.partitions\.retentionMonths: retentionMonths \(2\) must be at least premakeMonths \(3\)/,
    ],
    [{ pastRetention: 'truncate' }, /jobs\.partitions\.pastRetention/],
    [{ tables: [''] }, /jobs\.partitions\.tables\.0: must not be empty/],
    [{ tables: ['api_call_logs '] }, /jobs\.partitions\.tables\.0: must not end with a space/],
    [{ tables: ['a'.repeat(65)] }, /jobs\.partitions\.tables\.0: must be at most 64 characters/],
    [{ tables: ['api\u0000logs'] }, /jobs\.partitions\.tables\.0: must not contain a NUL character/],
    [{ column: 'created_at ' }, /jobs\.partitions\.column: must not end with a space/],
    [{ tables: ['a', 'a'] }, /jobs\.partitions\.tables\.1: table a is listed twice/],
    [{ tables: [] }, /jobs\.partitions\.tables/],
    [{ maxDropsPerRun: -1 }, /jobs\.partitions\.maxDropsPerRun/],
    [{ lockWaitTimeoutSeconds: 0 }, /jobs\.partitions\.lockWaitTimeoutSeconds/],
    [{ premakeMonths: 1.5 }, /jobs\.partitions\.premakeMonths/],
    [
      { tables: [{ name: 'a', retentionMonths: 2 }] },
      /jobs\.partitions\.tables\.0\.retentionMonths: tables\[0\] \(a\): retentionMonths \(2\) must be at least premakeMonths \(3\)/,
    ],
    [{ tables: ['a', { name: 'a' }] }, /jobs\.partitions\.tables\.1: table a is listed twice/],
    [{ tables: [{ name: 'a', keep: 3 }] }, /jobs\.partitions\.tables\.0/],
    [{ mdlWaitSeconds: -1 }, /jobs\.partitions\.mdlWaitSeconds/],
  ])('%j is a config error naming the field', (partitions, message) => {
    expect(problems(partitions)).toMatch(message);
  });
});
