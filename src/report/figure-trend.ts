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
    return { direction: delta > 0 ? 'up' : 'down', text: `${signed(delta)} (was ${formatValue(before.value, before.unit)})` };
  }
  if (String(current.value) === String(before.value)) return { direction: 'same', text: 'unchanged' };
  return { direction: 'changed', text: `was ${formatValue(before.value, before.unit)}` };
}
