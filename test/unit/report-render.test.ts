import { describe, expect, it } from 'vitest';
import type { JobResult } from '../../src/job/job-contract.js';
import { renderReport } from '../../src/report/render-report.js';
import type { JobReport, ReportInput } from '../../src/report/report-input.js';
import type { OutcomeStatus, RunOutcome } from '../../src/runner/run-outcome.js';

const T0 = new Date('2026-11-30T03:15:00Z');

function outcome(
  job: string,
  status: OutcomeStatus,
  result: JobResult | null,
  extra: Partial<RunOutcome> = {},
): RunOutcome {
  return {
    job,
    runId: 100,
    trigger: 'schedule',
    scheduledFor: T0,
    dryRun: false,
    evaluatedAt: T0,
    status,
    startedAt: T0,
    finishedAt: new Date(T0.getTime() + 4200),
    durationMs: 4200,
    result,
    host: 'db-worker-1',
    pid: 4242,
    ...extra,
  };
}

const purge: JobResult = {
  status: 'ok',
  summary: 'purged 1,500 expired locks in 2 chunks',
  details: { purged: 1500 },
  sections: [
    {
      kind: 'figures',
      title: 'Purge',
      figures: [
        { label: 'rows purged', value: 1500, unit: 'rows' },
        { label: 'live locks kept', value: 500, unit: 'rows' },
      ],
    },
  ],
};

const health: JobResult = {
  status: 'warning',
  summary: 'buffer pool hit ratio below target',
  warnings: ['buffer pool hit ratio 91.2 % is below 99 %'],
  skipped: [{ target: 'performance_schema', reason: 'disabled on this server' }],
  sections: [
    {
      kind: 'figures',
      title: 'Server health',
      figures: [
        { label: 'connections used', value: 42, unit: '%', threshold: '< 80 %', status: 'ok' },
        { label: 'buffer pool hit ratio', value: 91.2, unit: '%', threshold: '≥ 99 %', status: 'fail' },
        { label: 'replication lag', value: null, status: 'n/a', note: 'not a replica' },
        { label: 'slow queries / h', value: 12, threshold: '< 10', status: 'warn' },
      ],
    },
    {
      kind: 'bars',
      title: 'Largest tables',
      unit: 'MB',
      bars: [
        { label: 'api_call_logs', value: 800 },
        { label: 'appointments', value: 200 },
      ],
    },
    {
      kind: 'table',
      title: 'Partitions created',
      columns: ['partition', 'from', 'to'],
      rows: [['p202612', '2026-12-01', '2027-01-01']],
    },
    { kind: 'sql', title: 'Recommended', statements: ['ALTER TABLE `appointments` DROP INDEX `ix_dup`;'] },
  ],
};

function input(jobs: JobReport[], extra: Partial<ReportInput> = {}): ReportInput {
  return {
    environment: 'prod',
    period: 'daily',
    kind: 'summary',
    generatedAt: T0,
    timezone: 'Europe/Berlin',
    jobs,
    ...extra,
  };
}

describe('renderReport subject', () => {
  it.each([
    ['all ok', [outcome('purge-locks', 'ok', purge)], '[dbkeeper prod] daily: OK'],
    [
      'one warning',
      [outcome('purge-locks', 'ok', purge), outcome('health', 'warning', health)],
      '[dbkeeper prod] daily: 1 WARNING',
    ],
    [
      'two warnings',
      [outcome('health', 'warning', { ...health, warnings: ['a', 'b'] }), outcome('purge-locks', 'ok', purge)],
      '[dbkeeper prod] daily: 2 WARNINGS',
    ],
    [
      'a failure beats warnings',
      [
        outcome('health', 'warning', health),
        outcome('partitions', 'failed', null, {
          error: { class: 'QueryError', message: 'Lock wait timeout exceeded' },
        }),
      ],
      '[dbkeeper prod] daily: FAILED',
    ],
    [
      'interrupted counts as failed',
      [outcome('purge-locks', 'interrupted', null, { error: { class: 'AbortError', message: 'shutdown' } })],
      '[dbkeeper prod] daily: FAILED',
    ],
    [
      'skipped only',
      [outcome('purge-locks', 'skipped', null, { skippedReason: 'locked by db-worker-2:77', runId: null })],
      '[dbkeeper prod] daily: OK',
    ],
    ['empty', [], '[dbkeeper prod] daily: OK (no runs)'],
  ])('%s', (_name, outcomes, subject) => {
    const r = renderReport(input(outcomes.map((o) => ({ outcome: o, previous: null }))));
    expect(r.subject).toBe(subject);
    expect(r.text.split('\n')[0]).toBe(subject);
  });

  it('names the period and, for an alert, the job', () => {
    const failed = outcome('partitions', 'failed', null, { error: { class: 'QueryError', message: 'boom' } });
    expect(
      renderReport(
        input([{ outcome: failed, previous: null }], { period: 'monthly', kind: 'alert', environment: 'staging' }),
      ).subject,
    ).toBe('[dbkeeper staging] monthly: FAILED (alert: partitions)');
    expect(
      renderReport(input([{ outcome: outcome('x', 'ok', purge), previous: null }], { period: 'manual' })).subject,
    ).toBe('[dbkeeper prod] manual: OK');
  });
});

describe('renderReport body', () => {
  const failed = outcome('partitions', 'failed', null, {
    error: { class: 'QueryError', message: 'Lock wait timeout exceeded; try restarting transaction' },
  });
  const skipped = outcome('optimize', 'skipped', null, { skippedReason: 'locked by db-worker-2:77', runId: null });
  const all = input([
    { outcome: outcome('purge-locks', 'ok', purge), previous: null },
    { outcome: skipped, previous: null },
    { outcome: outcome('health', 'warning', health), previous: null },
    { outcome: failed, previous: null },
  ]);
  const r = renderReport(all);

  it('orders jobs failed, warning, ok, skipped in both parts', () => {
    for (const part of [r.text, r.html]) {
      const at = ['partitions', 'health', 'purge-locks', 'optimize'].map((j) =>
        part.indexOf(j === 'purge-locks' ? 'purged 1,500' : j === 'optimize' ? 'locked by db-worker-2:77' : `${j}`),
      );
      expect(at.every((x) => x >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
    }
  });

  it('shows the error, warnings, skipped targets and duration in text and HTML', () => {
    for (const part of [r.text, r.html]) {
      expect(part).toContain('QueryError: Lock wait timeout exceeded; try restarting transaction');
      expect(part).toContain('buffer pool hit ratio 91.2 % is below 99 %');
      expect(part).toContain('performance_schema');
      expect(part).toContain('disabled on this server');
      expect(part).toContain('took 4.2 s');
      expect(part).toContain('2026-11-30 04:15 Europe/Berlin');
      expect(part).toContain('p202612');
      expect(part).toContain('not a replica');
    }
    expect(r.text).toContain('ALTER TABLE `appointments` DROP INDEX `ix_dup`;');
    expect(r.html).toContain('ALTER TABLE `appointments` DROP INDEX `ix_dup`;');
  });

  it('prints SQL verbatim in the text part: a line break inside a literal gets no indentation added', () => {
    const sql = "ALTER TABLE `t` ADD INDEX `ix` (`a`) COMMENT 'line one\nline two'";
    const text = renderReport(
      input([
        {
          outcome: outcome('index-review', 'ok', {
            status: 'ok',
            summary: 's',
            sections: [{ kind: 'sql', title: 'Undo', statements: [sql] }],
          }),
          previous: null,
        },
      ]),
    ).text;
    expect(text).toContain(`\n${sql}\n`);
  });

  it('lists failing figures first, then warnings, with their targets, in a needs-attention block', () => {
    const fig = (part: string, label: string) => part.indexOf(label, part.indexOf('Server health'));
    for (const part of [r.text, r.html]) {
      expect(fig(part, 'buffer pool hit ratio')).toBeLessThan(fig(part, 'slow queries / h'));
      expect(fig(part, 'slow queries / h')).toBeLessThan(fig(part, 'connections used'));
    }
    expect(r.text).toMatch(
      /NEEDS ATTENTION\n {2}- partitions FAILED: QueryError[^\n]*\n {2}- health: buffer pool hit ratio = 91.2 % \(target ≥ 99 %\)/,
    );
    expect(r.text).toContain('[FAIL] buffer pool hit ratio: 91.2 %; target ≥ 99 %');
    expect(r.text).toContain('[n/a] replication lag: n/a; not a replica');
  });

  it('draws bars with CSS widths relative to the largest value', () => {
    expect(r.html).toContain('width:100%;background:#17b26a');
    expect(r.html).toContain('width:25%;background:#17b26a');
    expect(r.text).toContain('#####............... appointments: 200 MB');
  });

  it('is mail-safe HTML: no scripts, no external resources, escaped text, phone viewport', () => {
    const hostile = outcome('purge-locks', 'ok', {
      status: 'ok',
      summary: '<script>alert(1)</script> & <img src="http://x/y.png">',
    });
    const h = renderReport(input([{ outcome: hostile, previous: null }])).html;
    expect(h).not.toMatch(/<script|<img|<link|<iframe|\bsrc="|\bhref="|url\(/i);
    expect(h).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=&quot;http://x/y.png&quot;&gt;');
    expect(h).toContain('name="viewport"');
    expect(r.html).not.toMatch(/<script|<img|<link|<iframe|\bsrc="|\bhref="/i);
  });

  it('draws a table of more than 4 columns as one block per row, in text and HTML alike', () => {
    const wide: JobResult = {
      status: 'ok',
      summary: 'findings',
      sections: [
        {
          kind: 'table',
          title: 'Findings',
          columns: ['table', 'index', 'kind', 'size', 'reason'],
          rows: [['appointments', 'idx_company', 'left-prefix', '208 KiB', 'its columns lead idx_lookup']],
        },
      ],
    };
    const w = renderReport(input([{ outcome: outcome('index-review', 'ok', wide), previous: null }]));
    expect(w.text).toContain(
      '    appointments\n      index: idx_company\n      kind: left-prefix\n      size: 208 KiB\n      reason: its columns lead idx_lookup\n',
    );
    expect(w.html).toContain('<div style="font-weight:600">appointments</div>');
    expect(w.html).toMatch(/>reason<\/td><td[^>]*>its columns lead idx_lookup</);
    expect(r.text).toMatch(/partition {2}from {8}to\n/);
  });

  it('says so when nothing ran', () => {
    const empty = renderReport(input([]));
    expect(empty.text).toContain('No job ran in this slot.');
    expect(empty.html).toContain('No job ran in this slot.');
    expect(JSON.parse(empty.json)).toMatchObject({ environment: 'prod', period: 'daily', runs: [] });
  });

  it('attaches every result as JSON', () => {
    const json = JSON.parse(r.json) as { runs: RunOutcome[] };
    expect(json.runs.map((o) => o.job)).toEqual(['purge-locks', 'optimize', 'health', 'partitions']);
    expect(json.runs[0]!.result!.details).toEqual({ purged: 1500 });
  });

  it('marks dry runs', () => {
    const dry = renderReport(
      input([{ outcome: outcome('purge-locks', 'ok', purge, { dryRun: true }), previous: null }]),
    );
    expect(dry.text).toContain('== purge-locks: OK (dry run) ==');
  });
});

describe('renderReport trend', () => {
  const previous = {
    result: {
      ...purge,
      sections: [
        {
          kind: 'figures' as const,
          title: 'Purge',
          figures: [
            { label: 'rows purged', value: 1200, unit: 'rows' },
            { label: 'live locks kept', value: 500, unit: 'rows' },
          ],
        },
      ],
    },
    startedAt: new Date('2026-11-29T03:15:00Z'),
    durationMs: 3100,
  };

  it('compares each figure with the same label of the previous real run', () => {
    const r = renderReport(input([{ outcome: outcome('purge-locks', 'ok', purge), previous }]));
    expect(r.text).toContain('rows purged: 1,500 rows; trend +300 (was 1,200 rows)');
    expect(r.text).toContain('live locks kept: 500 rows; trend unchanged');
    expect(r.text).toContain('previous run took 3.1 s');
    expect(r.text).toContain('compared with the run of 2026-11-29 04:15 Europe/Berlin');
    expect(r.html).toContain('▲ +300 (was 1,200 rows)');
  });

  it('shows a fall, a new figure and no trend without a previous run', () => {
    const lower = {
      ...previous,
      result: {
        ...previous.result,
        sections: [
          { kind: 'figures' as const, title: 'Purge', figures: [{ label: 'rows purged', value: 2000, unit: 'rows' }] },
        ],
      },
    };
    const r = renderReport(input([{ outcome: outcome('purge-locks', 'ok', purge), previous: lower }]));
    expect(r.text).toContain('trend −500 (was 2,000 rows)');
    expect(r.text).toContain('live locks kept: 500 rows; trend new');
    const none = renderReport(input([{ outcome: outcome('purge-locks', 'ok', purge), previous: null }]));
    expect(none.text).toContain('rows purged: 1,500 rows\n');
    expect(none.text).toContain('no earlier run to compare with');
  });
});

describe('renderReport secrets', () => {
  it('scrubs known secret values from subject, text, HTML and JSON', () => {
    const leaky = outcome('partitions', 'failed', null, {
      error: { class: 'Error', message: "Access denied for 'dbk'@'%' (password: S3cr&t-pass)" },
    });
    const r = renderReport(input([{ outcome: leaky, previous: null }], { environment: 'prod' }), [
      'S3cr&t-pass',
      'smtp-Pa55',
    ]);
    for (const part of [r.subject, r.text, r.html, r.json]) {
      expect(part).not.toContain('S3cr&t-pass');
      expect(part).not.toContain('S3cr&amp;t-pass');
    }
    expect(r.text).toContain('(password: [REDACTED])');
    expect(r.html).toContain('(password: [REDACTED])');
  });
});
