import { parse, type ParsedFields } from 'node-cron';

/** Wall-clock fields of an instant in a time zone. */
interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export function wallClock(at: Date, tz: string): WallClock {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(tz).formatToParts(at)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday!] ?? 0,
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function dayMatches(values: (number | string)[], w: WallClock, isWeekday: boolean): boolean {
  return values.some((v) => {
    if (typeof v === 'number') return isWeekday ? v % 7 === w.weekday : v === w.day;
    if (v === 'L' && !isWeekday) return w.day === daysInMonth(w.year, w.month);
    return false;
  });
}

/** node-cron's own rule: every field matches the wall clock in the zone (day-of-month AND day-of-week). */
export function matchesWallClock(fields: ParsedFields, w: WallClock): boolean {
  return (
    fields.second.includes(w.second) &&
    fields.minute.includes(w.minute) &&
    fields.hour.includes(w.hour) &&
    fields.month.includes(w.month) &&
    dayMatches(fields.dayOfMonth, w, false) &&
    dayMatches(fields.dayOfWeek, w, true)
  );
}

/** Every instant in (from, to] at which node-cron would fire this expression in this zone, oldest first.
 * Steps through real instants, so DST gaps skip a slot and repeated hours fire twice, as node-cron does. */
export function slotsBetween(expression: string, tz: string, from: Date, to: Date, limit = 10_000): Date[] {
  const fields = parse(expression);
  const perSecond = !(fields.second.length === 1 && fields.second[0] === 0);
  const step = perSecond ? 1000 : 60_000;
  let t = Math.floor(from.getTime() / step) * step + step;
  const out: Date[] = [];
  for (; t <= to.getTime() && out.length < limit; t += step) {
    const at = new Date(t);
    if (matchesWallClock(fields, wallClock(at, tz))) out.push(at);
  }
  return out;
}

/** The next instant after `after` at which the expression fires (searches up to ~13 months ahead). */
export function nextSlot(expression: string, tz: string, after: Date): Date | null {
  const horizon = new Date(after.getTime() + 400 * 86_400_000);
  return slotsBetween(expression, tz, after, horizon, 1)[0] ?? null;
}
