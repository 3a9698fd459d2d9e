import { describe, expect, it } from 'vitest';
import { healthMetrics } from '../../jobs/health/metrics.js';
import { partitionsMetrics } from '../../jobs/partitions/metrics.js';
import type { JobRunStats } from '../../src/db/run-stats.js';
import type { JobResult } from '../../src/job/job-contract.js';
import { loadPromClient, MetricsRegistry } from '../../src/metrics/metrics-registry.js';
import { runSamples } from '../../src/metrics/run-samples.js';
import { checkExposition } from '../helpers/exposition-check.js';

const now = new Date('2027-03-10T12:00:00Z');
const stats = (over: Partial<JobRunStats> = {}): JobRunStats => ({
  job: 'x',
  lastFinished: null,
  lastDoneAt: null,
  lastSuccessAt: null,
  runningSince: null,
  counts: {},
  ...over,
});
const result = (details: Record<string, unknown>): JobResult => ({ status: 'ok', summary: 's', details });

describe('runSamples (pure)', () => {
  it('a job never run has its schedule figures and zero counts, but no timestamps', () => {
    const { samples } = runSamples(
      [{ job: 'x', schedule: '15 3 * * *', timezone: 'Etc/UTC', result: null }],
      [],
      now,
      60,
    );
    const names = samples.map((s) => s.name);
    expect(names).not.toContain('dbkeeper_job_last_run_timestamp_seconds');
    expect(samples.find((s) => s.name === 'dbkeeper_job_next_run_timestamp_seconds')).toMatchObject({
      labels: { dbkeeper_job: 'x' },
      value: Date.parse('2027-03-11T03:15:00Z') / 1000,
    });
    expect(samples.find((s) => s.name === 'dbkeeper_job_period_seconds')!.value).toBe(86_400);
    expect(samples.filter((s) => s.name === 'dbkeeper_job_runs_recorded').map((s) => s.value)).toEqual([0, 0, 0, 0, 0]);
  });

  it('a job sample with a bad name or label is dropped and named, the others kept', () => {
    const metrics = () => [
      { name: 'fine_bytes', help: 'h', value: 1 },
      { name: 'bad-name', help: 'h', value: 2 },
      { name: 'fine_too', help: 'h', labels: { 'bad label': 'v' }, value: 3 },
      { name: 'not_a_number', help: 'h', value: Number.NaN },
    ];
    const { samples, dropped } = runSamples(
      [{ job: 'x', schedule: '15 3 * * *', timezone: 'Etc/UTC', metrics, result: result({}) }],
      [stats()],
      now,
      60,
    );
    expect(samples.map((s) => s.name)).toContain('dbkeeper_fine_bytes');
    expect(samples.map((s) => s.name)).not.toContain('dbkeeper_not_a_number');
    expect(dropped).toEqual(['x: bad-name (bad metric name)', 'x: fine_too (bad label bad label)']);
  });
});

describe('job metrics mappings', () => {
  it('partitions: seconds until the newest partition is full, from the refresh time; a dry run publishes nothing', () => {
    const until = Date.parse('2027-05-01T00:00:00Z') / 1000;
    const s = partitionsMetrics(
      result({ dryRun: false, tables: [{ table: 't', monthsAhead: 1, coveredUntil: until, rowsInPmax: 5 }] }),
      now,
    );
    expect(s.find((x) => x.name === 'partitions_seconds_until_full')!.value).toBe(until - now.getTime() / 1000);
    expect(partitionsMetrics(result({ dryRun: true, tables: [{ table: 't', monthsAhead: 1 }] }), now)).toEqual([]);
  });

  it('health: replica channels use the replica lag limits; text figures are left out', () => {
    const s = healthMetrics(
      result({
        figures: [
          { label: 'Replica r1 lag', value: 12, unit: 's', status: 'ok' },
          { label: 'Replica r1 threads', value: 'IO No, SQL Yes', status: 'fail' },
        ],
        limits: { 'Replica lag': { warn: 60, fail: 600, worse: 'above' } },
      }),
      now,
    );
    expect(s.map((x) => `${x.name} ${x.labels!.figure} ${x.value}`)).toEqual([
      'health_figure_value Replica r1 lag 12',
      'health_figure_status Replica r1 lag 0',
      'health_figure_warn_threshold Replica r1 lag 60',
      'health_figure_fail_threshold Replica r1 lag 600',
    ]);
  });
});

describe('MetricsRegistry', () => {
  it('replaces the sample gauges whole: a table gone from the latest result disappears; label sets may change', async () => {
    const reg = new MetricsRegistry(await loadPromClient());
    const g = (labels: Record<string, string>, value: number) => ({ name: 'dbkeeper_t', help: 'h', labels, value });
    reg.setSamples([g({ table: 'a' }, 1), g({ table: 'b' }, 2)], now);
    reg.setSamples([g({ table: 'b' }, 3)], now);
    let text = await reg.text();
    expect(text).toContain('dbkeeper_t{table="b"} 3');
    expect(text).not.toContain('table="a"');
    reg.setSamples([g({ schema: 's', table: 'b' }, 4)], now);
    text = await reg.text();
    expect(text).toContain('dbkeeper_t{schema="s",table="b"} 4');
    reg.setSamples([], now);
    text = await reg.text();
    expect(text).not.toContain('dbkeeper_t');
    expect(checkExposition(text).problems).toEqual([]);
  });
});
