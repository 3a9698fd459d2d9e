/** How a job tells the report what to show, without the renderer knowing each job.
 * A job puts these in `JobResult.sections`; the renderer draws them in HTML and text alike. */

export type FigureStatus = 'ok' | 'warn' | 'fail' | 'n/a';

export interface Figure {
  /** Stable label: the report compares it with the same label of the previous run (trend). */
  label: string;
  /** null = not available on this server (say why in `note`), never 0. */
  value: number | string | null;
  unit?: string;
  /** The target, as a person reads it, e.g. "< 80 %". */
  threshold?: string;
  status?: FigureStatus;
  note?: string;
}

const statusRank: Record<FigureStatus, number> = { fail: 0, warn: 1, ok: 2, 'n/a': 3 };

/** Failing figures first, then warnings, ok, not available (no status = ok); otherwise the job's own order. */
export function orderFigures(figures: readonly Figure[]): Figure[] {
  return figures
    .map((f, i) => ({ f, i }))
    .sort((a, b) => statusRank[a.f.status ?? 'ok'] - statusRank[b.f.status ?? 'ok'] || a.i - b.i)
    .map(({ f }) => f);
}

/** A cell of a timeline: what happened to that period (a month partition) in this run. */
export type TimelineCellKind = 'dropped' | 'kept' | 'created' | 'tail';

export interface TimelineRow {
  label: string;
  note?: string;
  /** Oldest first; `label` (e.g. "2026-03") is in the text part and on hover, `short` (e.g. "03") in the cell when
   * set (a phone fits a dozen narrow cells); `note` is shown on hover and in the text part. */
  cells: { label: string; kind: TimelineCellKind; note?: string; short?: string }[];
}

export type ReportSection =
  | { kind: 'figures'; title: string; figures: Figure[] }
  | { kind: 'table'; title: string; columns: string[]; rows: (string | number | null)[][] }
  /** Horizontal bars drawn with CSS widths: sizes, coverage. `max` defaults to the largest value. */
  | { kind: 'bars'; title: string; unit: string; bars: { label: string; value: number; max?: number; note?: string }[] }
  | { kind: 'text'; title: string; lines: string[] }
  /** Statements a person may run (recommendations, rollbacks); dbkeeper did not run them. */
  | { kind: 'sql'; title: string; statements: string[] }
  /** Periods side by side, coloured by what happened to them (partitions: dropped, kept, created, the tail). */
  | { kind: 'timeline'; title: string; rows: TimelineRow[] };
