import { formatNumber } from '../core/number-format.js';
import { chartHtml } from './render-chart.js';
import { timelineHtml } from './render-timeline.js';
import {
  WIDE_TABLE_COLUMNS,
  type FigureView,
  type JobView,
  type ReportView,
  type SectionView,
  type Tone,
} from './report-view.js';

/** Mail-client-safe HTML: inline styles, tables, no scripts, no external images, fluid to phone width. */

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const TONE: Record<Tone, { fg: string; bg: string; bar: string }> = {
  fail: { fg: '#b42318', bg: '#fef3f2', bar: '#d92d20' },
  warn: { fg: '#93370d', bg: '#fffaeb', bar: '#f79009' },
  ok: { fg: '#067647', bg: '#ecfdf3', bar: '#17b26a' },
  muted: { fg: '#475467', bg: '#f2f4f7', bar: '#98a2b3' },
};
const figureTone = { fail: 'fail', warn: 'warn', ok: 'ok', 'n/a': 'muted' } as const satisfies Record<string, Tone>;
const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const CELL = 'padding:6px 8px;border-bottom:1px solid #eaecf0;vertical-align:top;text-align:left';
const TABLE = 'width:100%;border-collapse:collapse;font-size:14px';

const e = escapeHtml;

function badge(label: string, tone: Tone): string {
  const t = TONE[tone];
  return `<span style="display:inline-block;padding:2px 8px;border-radius:10px;background:${t.bg};color:${t.fg};font-weight:600;font-size:12px;white-space:nowrap">${e(label)}</span>`;
}

function cell(v: string | number | null): string {
  return v === null ? '<span style="color:#98a2b3">–</span>' : e(typeof v === 'number' ? formatNumber(v) : v);
}

function figureRow(f: FigureView): string {
  const tone = figureTone[f.status ?? 'ok'];
  const arrow = f.trend ? { up: '▲ ', down: '▼ ', same: '', changed: '', new: '' }[f.trend.direction] : '';
  const trend = f.trend ? `<div style="color:#475467;font-size:12px">${e(arrow + f.trend.text)}</div>` : '';
  const note = f.note ? `<div style="color:#475467;font-size:12px">${e(f.note)}</div>` : '';
  const status = f.status ? ` ${badge(f.status.toUpperCase(), tone)}` : '';
  const chart = f.series ? chartHtml(f.series, TONE[tone].bar, e) : '';
  return `<tr><td style="${CELL}">${e(f.label)}${note}</td><td style="${CELL}"><strong style="white-space:nowrap">${e(f.display)}</strong>${status}${trend}${chart}</td><td style="${CELL}">${f.threshold ? e(f.threshold) : ''}</td></tr>`;
}

function sectionHtml(s: SectionView): string {
  const title = `<h3 style="margin:16px 0 6px;font-size:15px;color:#101828">${e(s.title)}</h3>`;
  switch (s.kind) {
    case 'figures':
      return `${title}<div style="overflow-x:auto"><table role="presentation" style="${TABLE}"><tr style="color:#475467;font-size:12px"><th style="${CELL};width:45%">Figure</th><th style="${CELL}">Value · status · trend</th><th style="${CELL};width:18%">Target</th></tr>${s.figures.map(figureRow).join('')}</table></div>`;
    case 'table': {
      if (s.rows.length === 0) return `${title}<p style="margin:0;color:#475467">(none)</p>`;
      if (s.columns.length > WIDE_TABLE_COLUMNS) {
        // Many columns: one block per row (first column as its heading), readable on a phone without scrolling.
        const blocks = s.rows
          .map((r) => {
            const facts = s.columns
              .slice(1)
              .map(
                (c, i) =>
                  `<tr><td style="padding:2px 8px 2px 0;color:#475467;font-size:12px;vertical-align:top;width:30%">${e(c)}</td><td style="padding:2px 0;vertical-align:top">${cell(r[i + 1] ?? null)}</td></tr>`,
              )
              .join('');
            return `<div style="padding:8px 0;border-bottom:1px solid #eaecf0"><div style="font-weight:600">${cell(r[0] ?? null)}</div><table role="presentation" style="${TABLE};table-layout:fixed">${facts}</table></div>`;
          })
          .join('');
        return `${title}${blocks}`;
      }
      // Few columns: a table; it scrolls sideways on a phone rather than squeezing the columns.
      const box = (html: string) => `<div style="min-width:7em;max-width:24em">${html}</div>`;
      const head = s.columns.map((c) => `<th style="${CELL};color:#475467;font-size:12px">${box(e(c))}</th>`).join('');
      const body = s.rows
        .map(
          (r) => `<tr>${s.columns.map((_, i) => `<td style="${CELL}">${box(cell(r[i] ?? null))}</td>`).join('')}</tr>`,
        )
        .join('');
      return `${title}<div style="overflow-x:auto"><table style="border-collapse:collapse;font-size:14px;min-width:100%"><tr>${head}</tr>${body}</table></div>`;
    }
    case 'bars': {
      const top = Math.max(0, ...s.bars.map((b) => b.max ?? b.value));
      const rows = s.bars
        .map((b) => {
          const max = b.max ?? top;
          const pct = max > 0 ? Math.round(Math.max(0, Math.min(1, b.value / max)) * 1000) / 10 : 0;
          const value = `${formatNumber(b.value)} ${s.unit}${b.max !== undefined ? ` of ${formatNumber(b.max)}` : ''}`;
          const bar = `<table role="presentation" style="width:100%;border-collapse:collapse;margin:3px 0"><tr><td style="width:${pct}%;background:${TONE.ok.bar};height:10px;padding:0"></td><td style="background:#eaecf0;height:10px;padding:0"></td></tr></table>`;
          const note = b.note ? ` <span style="color:#475467;font-size:12px">· ${e(b.note)}</span>` : '';
          return `<tr><td style="${CELL}"><div><span>${e(b.label)}</span> <strong style="white-space:nowrap">${e(value)}</strong>${note}</div>${bar}</td></tr>`;
        })
        .join('');
      return `${title}<table role="presentation" style="${TABLE}">${rows}</table>`;
    }
    case 'text':
      return `${title}${s.lines.map((l) => `<p style="margin:0 0 4px">${e(l)}</p>`).join('')}`;
    case 'timeline':
      return `${title}${timelineHtml(s.rows, e)}`;
    case 'sql':
      return `${title}<p style="margin:0 0 4px;color:#475467;font-size:12px">Not run by dbkeeper; for a person to review.</p><pre style="margin:0;padding:8px;background:#f9fafb;border:1px solid #eaecf0;border-radius:4px;font-size:12px;white-space:pre-wrap;word-break:break-word">${e(s.statements.join('\n'))}</pre>`;
  }
}

function jobHtml(j: JobView): string {
  const t = TONE[j.tone];
  const parts = [
    `<h2 style="margin:0 0 4px;font-size:17px;color:#101828">${e(j.job)} ${badge(j.statusLabel, j.tone)}</h2>`,
    `<p style="margin:0 0 4px;font-size:15px">${e(j.summary)}</p>`,
    `<p style="margin:0 0 8px;color:#475467;font-size:12px">${e(j.meta.join(' · '))}</p>`,
  ];
  if (j.error)
    parts.push(
      `<p style="margin:0 0 8px;padding:8px;background:${TONE.fail.bg};color:${TONE.fail.fg};border-radius:4px;word-break:break-word"><strong>Error:</strong> ${e(j.error)}</p>`,
    );
  if (j.warnings.length > 0)
    parts.push(
      `<ul style="margin:0 0 8px;padding-left:20px;color:${TONE.warn.fg}">${j.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>`,
    );
  if (j.skipped.length > 0) {
    parts.push(
      `<h3 style="margin:16px 0 6px;font-size:15px;color:#101828">Skipped</h3><table style="${TABLE}">${j.skipped.map((s) => `<tr><td style="${CELL}">${e(s.target)}</td><td style="${CELL}">${e(s.reason)}</td></tr>`).join('')}</table>`,
    );
  }
  parts.push(...j.sections.map(sectionHtml));
  return `<tr><td style="padding:16px;border-top:4px solid ${t.bar};background:#ffffff">${parts.join('')}</td></tr><tr><td style="height:12px"></td></tr>`;
}

export function renderHtml(view: ReportView): string {
  const t = TONE[view.tone];
  const attention =
    view.attention.length > 0
      ? `<tr><td style="padding:12px 16px;background:${TONE[view.tone === 'ok' ? 'warn' : view.tone].bg}"><strong>Needs attention</strong><ul style="margin:6px 0 0;padding-left:20px">${view.attention.map((a) => `<li style="margin-bottom:2px">${e(a)}</li>`).join('')}</ul></td></tr><tr><td style="height:12px"></td></tr>`
      : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(view.subject)}</title></head>
<body style="margin:0;padding:0;background:#f2f4f7;${FONT};color:#101828;-webkit-text-size-adjust:100%">
<table role="presentation" style="width:100%;border-collapse:collapse;table-layout:fixed;background:#f2f4f7"><tr><td style="padding:12px 8px">
<table role="presentation" style="width:100%;max-width:720px;margin:0 auto;border-collapse:collapse;table-layout:fixed;overflow-wrap:break-word">
<tr><td style="padding:16px;background:${t.bg};border-left:6px solid ${t.bar}"><div style="font-size:12px;color:#475467">dbkeeper</div><div style="font-size:20px;font-weight:700;color:${t.fg}">${e(view.headline)}</div>${view.intro.map((l) => `<div style="font-size:13px;color:#344054">${e(l)}</div>`).join('')}</td></tr>
<tr><td style="height:12px"></td></tr>
${attention}${view.jobs.map(jobHtml).join('\n')}
<tr><td style="padding:8px 4px;font-size:12px;color:#667085">All results are attached as JSON.</td></tr>
</table></td></tr></table>
</body></html>
`;
}
