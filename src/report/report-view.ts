import { maskLiterals } from '../log/mask-literals.js';
import { orderFigures, type Figure, type ReportSection } from '../job/report-sections.js';
import { figuresByLabel, seriesOf, trendOf, type Trend } from './figure-trend.js';
import { outageLine } from './db-outage.js';
import { formatSeconds } from '../core/number-format.js';
import { formatDuration, formatTime, formatValue } from './report-format.js';
import { severity, subjectOf, worstLabel, type JobReport, type ReportInput } from './report-input.js';

/** Tables with more columns than this are drawn as one block per row (HTML and text). */
export const WIDE_TABLE_COLUMNS = 4;

export type Tone = 'fail' | 'warn' | 'ok' | 'muted';

export interface FigureView extends Figure {
  display: string;
  trend: Trend | null;
  /** The last values (up to HISTORY_RUNS, this run's last), for a small chart; null when too few. */
  series: (number | null)[] | null;
}

export type SectionView =
  Exclude<ReportSection, { kind: 'figures' }> | { kind: 'figures'; title: string; figures: FigureView[] };

export interface JobView {
  job: string;
  tone: Tone;
  /** OK, WARNING, FAILED, SKIPPED, INTERRUPTED, with "(dry run)". */
  statusLabel: string;
  summary: string;
  meta: string[];
  error: string | null;
  warnings: string[];
  skipped: { target: string; reason: string }[];
  sections: SectionView[];
}

export interface ReportView {
  subject: string;
  headline: string;
  tone: Tone;
  intro: string[];
  /** One line per thing that needs a person: failures, failing figures, warnings. */
  attention: string[];
  jobs: JobView[];
}

/** A job's colour follows its place in the report: failed, warnings, ok, skipped. */
const TONE_BY_SEVERITY: readonly Tone[] = ['fail', 'warn', 'ok', 'muted'];

function toneOf(j: JobReport): Tone {
  return TONE_BY_SEVERITY[severity(j.outcome)]!;
}

function jobView(j: JobReport, timezone: string): JobView {
  const o = j.outcome;
  const r = o.result;
  const previousFigures = j.previous ? figuresByLabel(j.previous.result) : null;
  const history = (j.history ?? []).map(figuresByLabel);
  const meta = [
    `${o.trigger} run`,
    `started ${formatTime(o.startedAt, timezone)}`,
    `took ${formatDuration(o.durationMs)}`,
  ];
  if (o.clock)
    meta.push(
      `clock skew ${signedSeconds(o.clock.skewMs)} (host ${o.clock.host.toISOString()}, server ${o.clock.server.toISOString()})`,
    );
  if (j.previous?.durationMs != null) meta.push(`previous run took ${formatDuration(j.previous.durationMs)}`);
  if (j.previous) meta.push(`compared with the run of ${formatTime(j.previous.startedAt, timezone)}`);
  else if (o.result) meta.push('no earlier run to compare with');
  const sections: SectionView[] = (r?.sections ?? []).map((s) =>
    s.kind === 'figures'
      ? {
          kind: 'figures',
          title: s.title,
          figures: orderFigures(s.figures).map((f) => ({
            ...f,
            display: formatValue(f.value, f.unit),
            trend: trendOf(f, previousFigures),
            series: seriesOf(f, history),
          })),
        }
      : s,
  );
  return {
    job: o.job,
    tone: toneOf(j),
    statusLabel: `${o.status.toUpperCase()}${o.dryRun ? ' (dry run)' : ''}`,
    summary: r?.summary ?? o.skippedReason ?? (o.error ? 'the run failed' : 'no result'),
    meta,
    // A second net behind the runner: rows recorded before masking existed, errors from elsewhere.
    error: o.error ? `${o.error.class}: ${maskLiterals(o.error.message)}` : null,
    warnings: r?.warnings ?? [],
    skipped: [...(o.skippedReason && r ? [{ target: o.job, reason: o.skippedReason }] : []), ...(r?.skipped ?? [])],
    sections,
  };
}

/** "+0.250 s": host minus server. */
function signedSeconds(ms: number): string {
  return `${ms >= 0 ? '+' : '−'}${formatSeconds(Math.abs(ms), 3)}`;
}

/** The report's content, shared by the HTML and the text part so both carry the same facts. */
export function buildReportView(input: ReportInput): ReportView {
  const ordered = [...input.jobs].sort((a, b) => severity(a.outcome) - severity(b.outcome));
  const jobs = ordered.map((j) => jobView(j, input.timezone));
  const attention: string[] = (input.outages ?? []).map((o) => outageLine(o, (d) => formatTime(d, input.timezone)));
  for (const j of jobs) {
    if (j.error) attention.push(`${j.job} ${j.statusLabel}: ${j.error}`);
    for (const s of j.sections) {
      if (s.kind !== 'figures') continue;
      for (const f of s.figures) {
        if (f.status === 'fail' || f.status === 'warn') {
          attention.push(
            `${j.job}: ${f.label} = ${f.display}${f.threshold ? ` (target ${f.threshold})` : ''}${f.note ? ` (${f.note})` : ''}`,
          );
        }
      }
    }
    for (const w of j.warnings) attention.push(`${j.job}: ${w}`);
  }
  const worst = worstLabel(input.jobs, input.outages);
  const counts = new Map<string, number>();
  for (const j of input.jobs) counts.set(j.outcome.status, (counts.get(j.outcome.status) ?? 0) + 1);
  const intro = [
    `${input.kind === 'alert' ? 'Alert' : input.kind === 'preview' ? 'Preview of the last runs' : `Summary of the ${input.period} runs`} on ${input.environment}, made ${formatTime(input.generatedAt, input.timezone)}.`,
    input.jobs.length === 0
      ? input.outages?.length
        ? 'No job could run: the database did not answer.'
        : 'No job ran in this slot.'
      : `${input.jobs.length} job${input.jobs.length === 1 ? '' : 's'}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}.`,
  ];
  return {
    subject: subjectOf(input),
    headline: worst,
    tone: worst === 'FAILED' ? 'fail' : worst === 'OK' ? 'ok' : 'warn',
    intro,
    attention,
    jobs,
  };
}
