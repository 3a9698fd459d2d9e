import { formatNumber } from '../core/number-format.js';

/** Small charts for mail clients: table cells with widths and heights, inline CSS only (no SVG, images or scripts,
 * which mail clients block), and the same facts as text for the plain part. */

const BAR_PX = 28;
const BLOCKS = '▁▂▃▄▅▆▇█';

function range(series: readonly (number | null)[]): { lo: number; hi: number } {
  const nums = series.filter((v): v is number => v !== null);
  // From 0 when every value is positive (heights compare like the numbers), else from the smallest.
  const lo = Math.min(0, ...nums);
  return { lo, hi: Math.max(lo, ...nums) };
}

/** Columns, one per run, the last in `lastColour`; a run without a number is an empty column. */
export function chartHtml(
  series: readonly (number | null)[],
  lastColour: string,
  escape: (t: string) => string,
): string {
  const { lo, hi } = range(series);
  const width = Math.floor(1000 / series.length) / 10;
  const cells = series
    .map((v, i) => {
      // All equal (all 0, or all the same negative number): a flat baseline, not a wall of full bars.
      const px = v === null ? 0 : hi === lo ? 2 : Math.max(2, Math.round(((v - lo) / (hi - lo)) * BAR_PX));
      const colour = i === series.length - 1 ? lastColour : '#98a2b3';
      const bar =
        v === null ? '' : `<div style="height:${px}px;background:${colour};font-size:0;line-height:0">&nbsp;</div>`;
      return `<td title="${escape(v === null ? 'n/a' : formatNumber(v))}" style="width:${width}%;height:${BAR_PX}px;padding:0 1px;vertical-align:bottom">${bar}</td>`;
    })
    .join('');
  const nums = series.filter((v): v is number => v !== null);
  const caption = `last ${series.length} runs: min ${formatNumber(Math.min(...nums))}, max ${formatNumber(Math.max(...nums))}`;
  return `<table role="presentation" aria-label="${escape(caption)}" style="width:100%;max-width:240px;border-collapse:collapse;table-layout:fixed;margin-top:4px"><tr>${cells}</tr></table><div style="color:#667085;font-size:11px">${escape(caption)}</div>`;
}

/** `▁▃▅█ (last 4 runs: min 1, max 9)`; a run without a number is a space. */
export function chartText(series: readonly (number | null)[]): string {
  const { lo, hi } = range(series);
  const nums = series.filter((v): v is number => v !== null);
  const spark = series
    .map((v) => (v === null ? ' ' : BLOCKS[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * (BLOCKS.length - 1))]))
    .join('');
  return `${spark} (last ${series.length} runs: min ${formatNumber(Math.min(...nums))}, max ${formatNumber(Math.max(...nums))})`;
}
