import { formatNumber } from '../core/number-format.js';
import { chartText } from './render-chart.js';
import { timelineText } from './render-timeline.js';
import { WIDE_TABLE_COLUMNS, type ReportView, type SectionView } from './report-view.js';

const markOf = { fail: '[FAIL]', warn: '[WARN]', ok: '[ok]', 'n/a': '[n/a]' } as const;

function cell(v: string | number | null): string {
  return v === null ? '-' : typeof v === 'number' ? formatNumber(v) : v;
}

function textTable(columns: string[], rows: (string | number | null)[][]): string[] {
  const texts = rows.map((r) => columns.map((_, i) => cell(r[i] ?? null)));
  const widths = columns.map((c, i) => Math.min(40, Math.max(c.length, ...texts.map((r) => r[i]!.length))));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...texts.map(line)];
}

function sectionLines(s: SectionView): string[] {
  const out = [`  ${s.title}`];
  switch (s.kind) {
    case 'figures':
      for (const f of s.figures) {
        const parts = [`${markOf[f.status ?? 'ok']} ${f.label}: ${f.display}`];
        if (f.threshold) parts.push(`target ${f.threshold}`);
        if (f.trend) parts.push(`trend ${f.trend.text}`);
        if (f.note) parts.push(f.note);
        out.push(`    ${parts.join('; ')}`);
        if (f.series) out.push(`      ${chartText(f.series)}`);
      }
      break;
    case 'table':
      if (s.rows.length === 0) out.push('    (none)');
      else if (s.columns.length > WIDE_TABLE_COLUMNS) {
        // Same rule as the HTML: many columns = one block per row, so lines stay short in a mail client.
        for (const r of s.rows) {
          out.push(`    ${cell(r[0] ?? null)}`);
          s.columns.slice(1).forEach((c, i) => out.push(`      ${c}: ${cell(r[i + 1] ?? null)}`));
        }
      } else out.push(...textTable(s.columns, s.rows).map((l) => `    ${l}`));
      break;
    case 'bars': {
      const top = Math.max(0, ...s.bars.map((b) => b.max ?? b.value));
      for (const b of s.bars) {
        const max = b.max ?? top;
        const share = max > 0 ? Math.max(0, Math.min(1, b.value / max)) : 0;
        const bar = '#'.repeat(Math.round(share * 20)).padEnd(20, '.');
        out.push(
          `    ${bar} ${b.label}: ${formatNumber(b.value)} ${s.unit}${b.max !== undefined ? ` of ${formatNumber(b.max)}` : ''}${b.note ? ` (${b.note})` : ''}`,
        );
      }
      break;
    }
    case 'text':
      for (const l of s.lines) out.push(`    ${l}`);
      break;
    case 'timeline':
      out.push(...timelineText(s.rows));
      break;
    case 'sql':
      out.push('    (not run by dbkeeper; for a person to review)');
      // Verbatim, not indented: a line break inside a string literal is part of the value.
      for (const st of s.statements) out.push(st);
      break;
  }
  return out;
}

/** The plain-text part: the same facts as the HTML. */
export function renderText(view: ReportView): string {
  const out: string[] = [view.subject, '', ...view.intro, ''];
  if (view.attention.length > 0) {
    out.push('NEEDS ATTENTION');
    for (const a of view.attention) out.push(`  - ${a}`);
    out.push('');
  }
  for (const j of view.jobs) {
    out.push(`== ${j.job}: ${j.statusLabel} ==`, j.summary, `(${j.meta.join(', ')})`);
    if (j.error) out.push(`ERROR: ${j.error}`);
    for (const w of j.warnings) out.push(`WARNING: ${w}`);
    if (j.skipped.length > 0) {
      out.push('  Skipped');
      for (const s of j.skipped) out.push(`    ${s.target}: ${s.reason}`);
    }
    for (const s of j.sections) out.push(...sectionLines(s));
    out.push('');
  }
  out.push('All results are attached as JSON.');
  return `${out.join('\n')}\n`;
}
