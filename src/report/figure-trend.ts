import type { JobResult } from '../job/job-contract.js';
import type { Figure } from '../job/report-sections.js';
import { formatValue, signed } from './report-format.js';

export type Direction = 'up' | 'down' | 'same' | 'changed' | 'new';

export interface Trend {
  direction: Direction;
  /** "+12 (was 30)", "was 'ON'", "new" */
  text: string;
}

/** Figures of a result by label (the first figure with a label wins). */
export function figuresByLabel(result: JobResult | null | undefined): Map<string, Figure> {
  const map = new Map<string, Figure>();
  for (const section of result?.sections ?? []) {
    if (section.kind !== 'figures') continue;
    for (const f of section.figures) if (!map.has(f.label)) map.set(f.label, f);
  }
  return map;
}

/** The figure's values over the earlier runs and this one, oldest first (null where a run had no number for it);
 * null when fewer than 3 runs have a number: a chart of one or two points says nothing a trend line does not. */
export function seriesOf(current: Figure, history: readonly Map<string, Figure>[]): (number | null)[] | null {
  const raw = [...history.map((h) => h.get(current.label)?.value ?? null), current.value];
  const values = raw.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null));
  // Leading runs without the figure (before it existed) are not part of its story.
  const first = values.findIndex((v) => v !== null);
  const series = first < 0 ? [] : values.slice(first);
  return series.filter((v) => v !== null).length >= 3 ? series : null;
}

/** The figure compared with the same label in the previous real run; null when there is no previous run. */
export function trendOf(current: Figure, previous: Map<string, Figure> | null): Trend | null {
  if (previous === null) return null;
  const before = previous.get(current.label);
  if (!before) return { direction: 'new', text: 'new' };
  if (current.value === null || before.value === null) {
    if (current.value === before.value) return { direction: 'same', text: 'unchanged' };
    return { direction: 'changed', text: `was ${formatValue(before.value, before.unit)}` };
  }
  if (typeof current.value === 'number' && typeof before.value === 'number') {
    const delta = current.value - before.value;
    if (delta === 0) return { direction: 'same', text: 'unchanged' };
    return {
      direction: delta > 0 ? 'up' : 'down',
      text: `${signed(delta)} (was ${formatValue(before.value, before.unit)})`,
    };
  }
  if (String(current.value) === String(before.value)) return { direction: 'same', text: 'unchanged' };
  return { direction: 'changed', text: `was ${formatValue(before.value, before.unit)}` };
}
