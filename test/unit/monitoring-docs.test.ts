import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import type { JobRunStats } from '../../src/db/run-stats.js';
import type { JobResult } from '../../src/job/job-contract.js';
import { loadPromClient, MetricsRegistry } from '../../src/metrics/metrics-registry.js';
import { runSamples } from '../../src/metrics/run-samples.js';
import { checkExposition } from '../helpers/exposition-check.js';

const ROOT = join(import.meta.dirname, '../..');
const now = new Date('2027-03-10T12:00:00Z');

/** One stored result per job that publishes figures, shaped as the jobs store them. */
const RESULTS: Record<string, Record<string, unknown>> = {
  partitions: {
    dryRun: false,
    tables: [{ table: 'bookings', monthsAhead: 3, coveredUntil: 1_820_000_000, rowsInPmax: 0 }],
  },
  'purge-locks': { targets: [{ table: 'locks', rowsDeleted: 10, backlogLeft: 0 }] },
  'index-review': {
    tables: [{ schema: 'app', reclaimableBytes: 1024 }],
    findings: [{ schema: 'app', action: 'drop' }],
  },
  health: {
    figures: [{ label: 'Buffer pool hit ratio', value: 99.5, unit: '%', status: 'ok' }],
    limits: { 'Buffer pool hit ratio': { warn: 99, fail: 95, worse: 'below' } },
  },
};

async function exportedNames(): Promise<Set<string>> {
  const reg = new MetricsRegistry(await loadPromClient());
  const last = {
    id: 1,
    status: 'ok' as const,
    startedAt: now,
    finishedAt: now,
    errorClass: null,
    errorMessage: null,
    summaryLine: null,
  };
  const stats: JobRunStats[] = ALL_JOBS.map((j) => ({
    job: j.name,
    lastFinished: last,
    lastDoneAt: now,
    lastSuccessAt: now,
    runningSince: null,
    counts: { ok: 1 },
  }));
  const jobs = ALL_JOBS.map((j) => ({
    job: j.name,
    schedule: j.schedule,
    timezone: 'Etc/UTC',
    ...(j.metrics ? { metrics: j.metrics } : {}),
    result: RESULTS[j.name] ? ({ status: 'ok', summary: 's', details: RESULTS[j.name] } as JobResult) : null,
  }));
  const { samples, dropped } = runSamples(jobs, stats, now, 3600);
  expect(dropped).toEqual([]);
  reg.setSamples(samples, now);
  reg.observeRun('ping', 'ok', 1200);
  const { problems, families } = checkExposition(await reg.text());
  expect(problems).toEqual([]);
  const names = new Set<string>();
  for (const f of families.values()) for (const s of f.samples) names.add(s.name);
  return names;
}

/** Metric names in a PromQL expression: identifiers that are not functions, keywords or label names. */
function metricNamesIn(expr: string): string[] {
  const withoutStrings = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|on|without|group_left|ignoring)\s*\([^)]*\)/g, '');
  return [...withoutStrings.matchAll(/\b(dbkeeper_[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+)\b/g)].map(
    (m) => m[1]!,
  );
}

describe('docs/monitoring.md and docs/grafana-dashboard.json use only metrics the code exports', () => {
  it('every job that publishes figures has a fixture here', () => {
    expect(
      ALL_JOBS.filter((j) => j.metrics)
        .map((j) => j.name)
        .sort(),
    ).toEqual(Object.keys(RESULTS).sort());
  });

  it('the Grafana dashboard parses and each query names exported metrics', async () => {
    const names = await exportedNames();
    const dash = JSON.parse(readFileSync(join(ROOT, 'docs/grafana-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect(dash.panels.length).toBeGreaterThanOrEqual(5);
    for (const p of dash.panels) {
      expect(p.targets.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets) {
        const used = metricNamesIn(t.expr);
        expect(used.length, `${p.title}: ${t.expr}`).toBeGreaterThan(0);
        for (const n of used) expect(names.has(n), `${p.title}: ${n} is not exported`).toBe(true);
      }
    }
  });

  it('the alert rules name exported metrics, and cover overdue, partitions ahead and failed runs', async () => {
    const names = await exportedNames();
    const doc = readFileSync(join(ROOT, 'docs/monitoring.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const exprs = [...yaml.matchAll(/expr: (\|\n(?:\s{10,}.*\n)+|.*\n)/g)].map((m) => m[1]!);
    expect(exprs.length).toBeGreaterThanOrEqual(3);
    for (const e of exprs) for (const n of metricNamesIn(e)) expect(names.has(n), `${n} is not exported`).toBe(true);
    for (const alert of ['DbkeeperJobOverdue', 'DbkeeperPartitionsAheadLow', 'DbkeeperJobLastRunFailed'])
      expect(yaml).toContain(`alert: ${alert}`);
    expect(yaml).toMatch(/dbkeeper_partitions_months_ahead < 1/);
    // The metric table lists every dbkeeper_ name that is exported.
    for (const n of names)
      if (n.startsWith('dbkeeper_') && !/_(bucket|sum|count)$/.test(n)) expect(doc, n).toContain(n);
  });
});
