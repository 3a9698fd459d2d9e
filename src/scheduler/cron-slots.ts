import { parse, type ParsedFields } from 'node-cron';
import { wallClock, type WallClock } from '../time/wall-clock.js';

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

function nearestWeekday(year: number, month: number, target: number): number {
  const last = lastDayOfMonth(year, month);
  if (target < 1 || target > last) return -1;
  const wd = weekdayOf(year, month, target);
  if (wd === 6) return target === 1 ? target + 2 : target - 1;
  if (wd === 0) return target === last ? target - 2 : target + 1;
  return target;
}

/** node-cron 4.6's day-of-month tokens: numbers, `L`, `<n>W`/`LW` (nearest weekday), `L-<n>`. */
function matchesDayOfMonth(field: readonly (number | string)[], year: number, month: number, day: number): boolean {
  for (const v of field) {
    if (v === day) return true;
    if (typeof v !== 'string') continue;
    if (v === 'L' && day === lastDayOfMonth(year, month)) return true;
    const w = /^(\d{1,2}|L)W$/.exec(v);
    if (w) {
      const target = w[1] === 'L' ? lastDayOfMonth(year, month) : Number(w[1]);
      if (nearestWeekday(year, month, target) === day) return true;
    }
    const off = /^L-(\d{1,2})$/.exec(v);
    if (off) {
      const target = lastDayOfMonth(year, month) - Number(off[1]);
      if (target >= 1 && target === day) return true;
    }
  }
  return false;
}

/** node-cron 4.6's day-of-week tokens: numbers (0 = Sunday), `<d>L` (last in month), `<d>#<n>` (n-th in month). */
function matchesDayOfWeek(field: readonly (number | string)[], year: number, month: number, day: number): boolean {
  const weekday = weekdayOf(year, month, day);
  for (const v of field) {
    if (v === weekday) return true;
    if (typeof v !== 'string') continue;
    const nth = /^([0-7])#([1-5])$/.exec(v);
    if (nth) {
      if (Number(nth[1]) % 7 === weekday && Math.floor((day - 1) / 7) + 1 === Number(nth[2])) return true;
      continue;
    }
    const last = /^([0-7])L$/i.exec(v);
    if (last && Number(last[1]) % 7 === weekday && day + 7 > lastDayOfMonth(year, month)) return true;
  }
  return false;
}

function dayMatches(fields: ParsedFields, year: number, month: number, day: number): boolean {
  return (
    fields.month.includes(month) &&
    matchesDayOfMonth(fields.dayOfMonth, year, month, day) &&
    matchesDayOfWeek(fields.dayOfWeek, year, month, day)
  );
}

/** node-cron's own rule: every field matches the wall clock in the zone (day-of-month AND day-of-week). */
export function matchesWallClock(fields: ParsedFields, w: WallClock): boolean {
  return (
    fields.second.includes(w.second) &&
    fields.minute.includes(w.minute) &&
    fields.hour.includes(w.hour) &&
    dayMatches(fields, w.year, w.month, w.day)
  );
}

/** Offset of the zone at an instant, in ms (wall clock minus UTC). */
function offsetMs(ts: number, tz: string): number {
  const w = wallClock(ts, tz);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ts / 1000) * 1000;
}

function readsBackTo(
  ts: number,
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  tz: string,
): boolean {
  const w = wallClock(ts, tz);
  return w.year === y && w.month === mo && w.day === d && w.hour === h && w.minute === mi && w.second === s;
}

/** node-cron 4.6's local-time-to-instant rule, kept identical so DST days give the same instants:
 * a time in the spring-forward gap maps to an instant that reads later (and then usually does not match);
 * a time in the repeated autumn hour maps to ONE of its two instants (the later in zones east of UTC,
 * the earlier in zones west of it), so it fires once, not twice. */
function localToInstant(y: number, mo: number, d: number, h: number, mi: number, s: number, tz: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  const first = offsetMs(guess, tz);
  const c1 = guess - first;
  const second = offsetMs(c1, tz);
  if (second === first) return c1;
  const c2 = guess - second;
  if (readsBackTo(c1, y, mo, d, h, mi, s, tz)) return c1;
  if (readsBackTo(c2, y, mo, d, h, mi, s, tz)) return c2;
  return Math.max(c1, c2);
}

interface Compiled {
  fields: ParsedFields;
  seconds: number[];
  minutes: number[];
  hours: number[];
}

const compiledCache = new Map<string, Compiled>();
function compile(expression: string): Compiled {
  let c = compiledCache.get(expression);
  if (!c) {
    const fields = parse(expression);
    const asc = (v: number[]) => [...v].sort((a, b) => a - b);
    c = { fields, seconds: asc(fields.second), minutes: asc(fields.minute), hours: asc(fields.hour) };
    compiledCache.set(expression, c);
  }
  return c;
}

/** How far the walkers look for a matching day (node-cron gives up after 100 years; so do we). */
const MAX_DAYS = 366 * 100;

function shiftDay(y: number, mo: number, d: number, by: number): [number, number, number] {
  const t = new Date(Date.UTC(y, mo - 1, d + by));
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
}

/** The first instant strictly after `after` (whole seconds) at which node-cron fires the expression in the zone.
 * Same walk as node-cron 4.6's `getNextMatch`: day by day in the zone, times ascending, each wall time to its instant.
 * */
export function nextSlot(expression: string, tz: string, after: Date): Date | null {
  const c = compile(expression);
  const baseMs = Math.floor(after.getTime() / 1000) * 1000;
  const base = wallClock(baseMs, tz);
  const baseSecondOfDay = base.hour * 3600 + base.minute * 60 + base.second;
  let [y, mo, d] = [base.year, base.month, base.day];
  for (let i = 0; i < MAX_DAYS; i++) {
    if (dayMatches(c.fields, y, mo, d)) {
      for (const h of c.hours) {
        if (i === 0 && h < base.hour) continue;
        for (const mi of c.minutes) {
          for (const s of c.seconds) {
            if (i === 0 && h * 3600 + mi * 60 + s <= baseSecondOfDay) continue;
            const ts = localToInstant(y, mo, d, h, mi, s, tz);
            if (ts > baseMs && matchesWallClock(c.fields, wallClock(ts, tz))) return new Date(ts);
          }
        }
      }
    }
    [y, mo, d] = shiftDay(y, mo, d, 1);
  }
  return null;
}

function descending(v: number[]): number[] {
  return [...v].reverse();
}

/** The latest instant at or before `atOrBefore` at which node-cron fires the expression in the zone, or null when
 * there is none within `maxDays` days. Walks days backwards; each candidate is confirmed with the forward walk,
 * so it is exactly a slot node-cron would have fired. */
export function previousSlot(expression: string, tz: string, atOrBefore: Date, maxDays = MAX_DAYS): Date | null {
  const c = compile(expression);
  const limitMs = Math.floor(atOrBefore.getTime() / 1000) * 1000;
  // Wall days near a DST change can hold instants of the next UTC day and vice versa: start one day later.
  const top = wallClock(limitMs, tz);
  let [y, mo, d] = shiftDay(top.year, top.month, top.day, 1);
  // A wall time later than limit + the zone's largest offset around it cannot be at or before the limit: skip it
  // without asking Intl (keeps every-second expressions cheap).
  const maxOffset = Math.max(...[-50, 0, 50].map((hours) => offsetMs(limitMs + hours * 3_600_000, tz)));
  const [hours, minutes, seconds] = [descending(c.hours), descending(c.minutes), descending(c.seconds)];
  for (let i = 0; i <= maxDays + 1; i++) {
    if (dayMatches(c.fields, y, mo, d)) {
      const dayStart = Date.UTC(y, mo - 1, d);
      for (const h of hours) {
        for (const mi of minutes) {
          for (const s of seconds) {
            if (dayStart + (h * 3600 + mi * 60 + s) * 1000 > limitMs + maxOffset) continue;
            const ts = localToInstant(y, mo, d, h, mi, s, tz);
            if (ts > limitMs || !matchesWallClock(c.fields, wallClock(ts, tz))) continue;
            if (nextSlot(expression, tz, new Date(ts - 1000))?.getTime() === ts) return new Date(ts);
          }
        }
      }
    }
    [y, mo, d] = shiftDay(y, mo, d, -1);
  }
  return null;
}

/** Every instant in (from, to] at which node-cron fires the expression in the zone, oldest first, at most `limit`. */
export function slotsBetween(expression: string, tz: string, from: Date, to: Date, limit = 10_000): Date[] {
  const out: Date[] = [];
  let t: Date | null = from;
  while (out.length < limit) {
    t = nextSlot(expression, tz, t);
    if (!t || t.getTime() > to.getTime()) break;
    out.push(t);
  }
  return out;
}

/** Whether node-cron fires the expression at exactly this instant. */
export function firesAt(expression: string, tz: string, at: Date): boolean {
  return (
    at.getTime() % 1000 === 0 && nextSlot(expression, tz, new Date(at.getTime() - 1000))?.getTime() === at.getTime()
  );
}
