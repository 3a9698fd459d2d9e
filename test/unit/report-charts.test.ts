import { describe, expect, it } from 'vitest';
import { reviewSections } from '../../jobs/index-review/report.js';
import { planIndexReview } from '../../jobs/index-review/plan.js';
import type { RunRow } from '../../src/db/run-history.js';
import type { JobResult } from '../../src/job/job-contract.js';
import type { TimelineRow } from '../../src/job/report-sections.js';
import { seriesOf, figuresByLabel } from '../../src/report/figure-trend.js';
import { pickHistory } from '../../src/report/previous-results.js';
import { chartText } from '../../src/report/render-chart.js';
import { renderReport } from '../../src/report/render-report.js';
import type { RunOutcome } from '../../src/runner/run-outcome.js';

const T0 = new Date('2026-11-30T03:15:00Z');
const health = (value: number | null, status: 'ok' | 'warn' | 'fail' = 'ok'): JobResult => ({
  status: 'ok',
  summary: 'health',
  sections: [
    {
      kind: 'figures',
      title: 'Figures',
      figures: [{ label: 'Connection use, now', value, unit: '%', threshold: '< 80 %', status }],
    },
  ],
});
const outcome = (result: JobResult, runId = 100): RunOutcome => ({
  job: 'health',
  runId,
  trigger: 'schedule',
  scheduledFor: T0,
  dryRun: false,
  evaluatedAt: T0,
  status: 'ok',
  startedAt: T0,
  finishedAt: T0,
  durationMs: 1000,
  result,
  host: 'h',
  pid: 1,
});
const render = (result: JobResult, history: JobResult[]) =>
  renderReport({
    environment: 'prod',
    period: 'daily',
    kind: 'summary',
    generatedAt: T0,
    timezone: 'Etc/UTC',
    jobs: [{ outcome: outcome(result), previous: null, history }],
  });

describe("a figure's last 30 values as a small chart", () => {
  const history = Array.from({ length: 29 }, (_, i) => health(i + 10));

  it('series: oldest first, this run last; null below 3 numbers; runs before the figure existed left out', () => {
    expect(seriesOf({ label: 'Connection use, now', value: 90 }, history.map(figuresByLabel))).toEqual([
      ...Array.from({ length: 29 }, (_, i) => i + 10),
      90,
    ]);
    expect(seriesOf({ label: 'Connection use, now', value: 5 }, [health(4)].map(figuresByLabel))).toBeNull();
    expect(
      seriesOf(
        { label: 'Connection use, now', value: 5 },
        [{ status: 'ok', summary: 'old' } as JobResult, health(3), health(null), health(4)].map(figuresByLabel),
      ),
    ).toEqual([3, null, 4, 5]);
  });

  it("HTML: one table cell per run with its width, heights to scale, the last in the figure's colour; no SVG, images or scripts", () => {
    const { html } = render(health(96, 'fail'), history);
    const chart =
      /<table role="presentation" aria-label="last 30 runs: min 10, max 96"[^>]*><tr>(.*?)<\/tr><\/table>/.exec(html);
    expect(chart).not.toBeNull();
    const cells = [
      ...chart![1]!.matchAll(
        /<td title="([^"]+)" style="width:3\.3%;height:28px;[^"]*"><div style="height:(\d+)px;background:(#[0-9a-f]+)/g,
      ),
    ];
    expect(cells).toHaveLength(30);
    expect(cells[29]!.slice(1)).toEqual(['96', '28', '#d92d20']);
    expect(cells[0]!.slice(1)).toEqual(['10', String(Math.round((10 / 96) * 28)), '#98a2b3']);
    expect(html).not.toMatch(/<svg|<img|<script|url\(/i);
  });

  it('text: a sparkline with min and max, readable without the HTML', () => {
    const { text } = render(health(96, 'fail'), history);
    expect(text).toMatch(
      /\[FAIL\] Connection use, now: 96 %; target < 80 %\n {6}[▁▂▃▄▅▆▇█]{30} \(last 30 runs: min 10, max 96\)\n/,
    );
    expect(chartText([0, 5, null, 10])).toBe('▁▅ █ (last 4 runs: min 0, max 10)');
    // All zero: a flat baseline; all equal and positive: full bars (heights start at 0).
    expect(chartText([0, 0, 0])).toBe('▁▁▁ (last 3 runs: min 0, max 0)');
    expect(chartText([7, 7, 7])).toBe('███ (last 3 runs: min 7, max 7)');
  });

  it('an all-zero series is a 2 px baseline in the HTML', () => {
    const { html } = render(health(0), [health(0), health(0)]);
    expect([...html.matchAll(/<div style="height:(\d+)px;background/g)].map((m) => m[1])).toEqual(['2', '2', '2']);
  });

  it('no chart with fewer than three values', () => {
    const { html, text } = render(health(50), [health(40)]);
    expect(html).not.toContain('aria-label="last');
    expect(text).not.toContain('last 2 runs');
  });

  it('history: real runs before this one with a result, oldest first, at most 29', () => {
    const row = (id: number, extra: Partial<RunRow> = {}): RunRow => ({
      id,
      job: 'health',
      scheduledFor: T0,
      trigger: 'schedule',
      dryRun: false,
      evaluatedAt: T0,
      host: 'h',
      pid: 1,
      connectionId: null,
      startedAt: T0,
      finishedAt: T0,
      status: 'ok',
      summary: health(id),
      errorClass: null,
      errorMessage: null,
      skip: null,
      ...extra,
    });
    const rows = [
      row(101),
      row(100),
      row(99, { dryRun: true }),
      row(98, { summary: null }),
      ...Array.from({ length: 40 }, (_, i) => row(97 - i)),
    ];
    const picked = pickHistory(rows, outcome(health(1), 100));
    expect(picked).toHaveLength(29);
    const values = picked.map((r) => (r.sections![0]!.kind === 'figures' ? r.sections![0]!.figures[0]!.value : null));
    expect(values[28]).toBe(97);
    expect(values[0]).toBe(69);
  });
});

describe('partition timeline', () => {
  const rows: TimelineRow[] = [
    {
      label: 'bookings',
      note: '2025-12 to 2026-05 after the run',
      cells: [
        { label: '2025-10', kind: 'dropped', note: 'and everything older' },
        { label: '2025-11', kind: 'dropped', short: '11' },
        { label: '2025-12', kind: 'kept' },
        { label: '2026-03', kind: 'kept' },
        { label: '2026-04', kind: 'created' },
        { label: '2026-05', kind: 'created' },
        { label: 'pmax', kind: 'tail', note: '0 rows' },
      ],
    },
  ];
  const result: JobResult = {
    status: 'ok',
    summary: 'p',
    sections: [{ kind: 'timeline', title: 'Partition timeline', rows }],
  };

  it('HTML: equal-width coloured cells, a legend of the kinds shown, the label escaped', () => {
    const { html } = renderReport({
      environment: 'prod',
      period: 'monthly',
      kind: 'summary',
      generatedAt: T0,
      timezone: 'Etc/UTC',
      jobs: [{ outcome: outcome(result), previous: null }],
    });
    const cells = [...html.matchAll(/<td title="([^"]+)" style="width:14\.2%;background:(#[0-9a-f]+)/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(cells).toEqual([
      ['2025-10: dropped (and everything older)', '#fee4e2'],
      ['2025-11: dropped', '#fee4e2'],
      ['2025-12: kept', '#eaecf0'],
      ['2026-03: kept', '#eaecf0'],
      ['2026-04: created', '#d1fadf'],
      ['2026-05: created', '#d1fadf'],
      ['pmax: tail (0 rows)', '#fef0c7'],
    ]);
    expect(html).toMatch(/title="2025-11: dropped" style="[^"]*">11<\/td>/);
    expect(html).toMatch(/title="2025-12: kept" style="[^"]*">2025-12<\/td>/);
    for (const word of ['dropped', 'kept', 'created', 'tail'])
      expect(html).toMatch(new RegExp(`</span> ${word}</span>`));
  });

  it('text: a strip of marks and the runs in words', () => {
    const { text } = renderReport({
      environment: 'prod',
      period: 'monthly',
      kind: 'summary',
      generatedAt: T0,
      timezone: 'Etc/UTC',
      jobs: [{ outcome: outcome(result), previous: null }],
    });
    expect(text).toContain(
      '    xx==++> bookings (2025-12 to 2026-05 after the run)\n      dropped 2025-10..2025-11 (and everything older); kept 2025-12..2026-03; created 2026-04..2026-05; tail pmax (0 rows)\n',
    );
  });
});

describe('index review: index sizes as bars', () => {
  it('tables by index size, largest first, reclaimable bytes in the note', () => {
    const ix = (name: string, cols: string[], ordinal: number, bytes: number) => ({
      name,
      type: 'BTREE',
      primary: name === 'PRIMARY',
      unique: name === 'PRIMARY',
      hidden: false,
      comment: '',
      bytes,
      ordinal,
      columns: cols.map((c) => ({ name: c, subPart: null, descending: false })),
    });
    const table = (name: string, mb: number) => ({
      schema: 's',
      table: name,
      engine: 'InnoDB',
      rows: 10,
      foreignKeys: [],
      indexes: [ix('PRIMARY', ['id'], 0, mb * 1048576), ix('a', ['a'], 1, 1048576), ix('ab', ['a', 'b'], 2, 1048576)],
    });
    const plan = planIndexReview(
      {
        tables: [table('small', 1), table('big', 10)],
        evidence: new Map(),
        hide: { hide: 'INVISIBLE', show: 'VISIBLE' },
      },
      { defaultBudget: 10, tableBudgets: {}, minEvidenceDays: 7 },
    );
    const bars = reviewSections(
      plan,
      { source: 'performance_schema', enabled: true, enableHint: '', daysObserved: 30 },
      7,
    ).find((s) => s.kind === 'bars' && s.title.startsWith('Index size'));
    expect(bars).toMatchObject({
      unit: 'MiB',
      bars: [
        { label: 's.big', value: 12, note: '1.0 MiB reclaimable' },
        { label: 's.small', value: 3, note: '1.0 MiB reclaimable' },
      ],
    });
  });
});
