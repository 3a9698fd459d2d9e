import { TZDate } from '@date-fns/tz';
import type { ReviewPeriod } from './facts.js';

export class ReviewMonthError extends Error {
  override name = 'ReviewMonthError';
}

function yearMonthIn(now: Date, timeZone: string): { year: number; month: number } {
  const z = new TZDate(now.getTime(), timeZone);
  return { year: z.getFullYear(), month: z.getMonth() };
}

/** The calendar month to review, in `timeZone`: the last complete month before `now`, or `--month YYYY-MM`
 * (the current month gives a partial period up to now; future months are refused). */
export function reviewPeriod(now: Date, timeZone: string, month?: string): ReviewPeriod {
  let year: number;
  let m: number;
  if (month === undefined) {
    const cur = yearMonthIn(now, timeZone);
    year = cur.month === 0 ? cur.year - 1 : cur.year;
    m = cur.month === 0 ? 11 : cur.month - 1;
  } else {
    const match = /^(\d{4})-(\d{2})$/.exec(month);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 12)
      throw new ReviewMonthError(`--month must be YYYY-MM, e.g. 2026-10 (got ${JSON.stringify(month)})`);
    year = Number(match[1]);
    m = Number(match[2]) - 1;
  }
  const from = new Date(new TZDate(year, m, 1, timeZone).getTime());
  const end = new Date(new TZDate(year, m + 1, 1, timeZone).getTime());
  if (from.getTime() > now.getTime()) throw new ReviewMonthError(`--month ${month}: that month has not started yet`);
  const partial = end.getTime() > now.getTime();
  const label = `${year}-${String(m + 1).padStart(2, '0')}`;
  return { from, to: partial ? now : end, label, partial };
}
