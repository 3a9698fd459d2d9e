import type { TimelineCellKind, TimelineRow } from '../job/report-sections.js';

/** A timeline as equal-width table cells coloured by kind (HTML), and as runs of a kind (text). */

const KIND: Record<TimelineCellKind, { bg: string; fg: string; word: string; mark: string }> = {
  dropped: { bg: '#fee4e2', fg: '#b42318', word: 'dropped', mark: 'x' },
  kept: { bg: '#eaecf0', fg: '#344054', word: 'kept', mark: '=' },
  created: { bg: '#d1fadf', fg: '#067647', word: 'created', mark: '+' },
  tail: { bg: '#fef0c7', fg: '#93370d', word: 'tail', mark: '>' },
};
const ORDER: readonly TimelineCellKind[] = ['dropped', 'kept', 'created', 'tail'];

export function timelineHtml(rows: readonly TimelineRow[], e: (t: string) => string): string {
  const kinds = ORDER.filter((k) => rows.some((r) => r.cells.some((c) => c.kind === k)));
  const legend = kinds
    .map(
      (k) =>
        `<span style="display:inline-block;margin:0 10px 2px 0;font-size:12px"><span style="display:inline-block;width:10px;height:10px;background:${KIND[k].bg};border:1px solid ${KIND[k].fg};vertical-align:middle"></span> ${KIND[k].word}</span>`,
    )
    .join('');
  const blocks = rows
    .map((r) => {
      const width = Math.floor(1000 / Math.max(1, r.cells.length)) / 10;
      const cells = r.cells
        .map((c) => {
          const k = KIND[c.kind];
          return `<td title="${e(`${c.label}: ${k.word}${c.note ? ` (${c.note})` : ''}`)}" style="width:${width}%;background:${k.bg};color:${k.fg};border:1px solid #ffffff;padding:4px 0;font-size:10px;text-align:center;overflow:hidden;white-space:nowrap">${e(c.short ?? c.label)}</td>`;
        })
        .join('');
      const note = r.note ? ` <span style="color:#475467;font-size:12px">· ${e(r.note)}</span>` : '';
      return `<div style="margin:6px 0 10px"><div><span>${e(r.label)}</span>${note}</div><table role="presentation" style="width:100%;border-collapse:collapse;table-layout:fixed;margin-top:3px"><tr>${cells}</tr></table></div>`;
    })
    .join('');
  return `<div>${legend}</div>${blocks}`;
}

/** `bookings: dropped 2025-10..2025-11; kept 2025-12..2026-03; created 2026-04..2026-05; tail pmax (0 rows)`,
 * preceded by a strip of marks (x = > +) a text-only client shows in a fixed-width font. */
export function timelineText(rows: readonly TimelineRow[]): string[] {
  const out = [`    (${ORDER.map((k) => `${KIND[k].mark} ${KIND[k].word}`).join(', ')})`];
  for (const r of rows) {
    const runs: { kind: TimelineCellKind; first: string; last: string; notes: string[] }[] = [];
    for (const c of r.cells) {
      const prev = runs[runs.length - 1];
      if (prev && prev.kind === c.kind) {
        prev.last = c.label;
        if (c.note) prev.notes.push(c.note);
      } else runs.push({ kind: c.kind, first: c.label, last: c.label, notes: c.note ? [c.note] : [] });
    }
    const parts = runs.map(
      (g) =>
        `${KIND[g.kind].word} ${g.first === g.last ? g.first : `${g.first}..${g.last}`}${g.notes.length ? ` (${g.notes.join(', ')})` : ''}`,
    );
    out.push(`    ${r.cells.map((c) => KIND[c.kind].mark).join('')} ${r.label}${r.note ? ` (${r.note})` : ''}`);
    out.push(`      ${parts.join('; ')}`);
  }
  return out;
}
