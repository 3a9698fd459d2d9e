/** Month arithmetic in UTC on epoch seconds: the only clock partition boundaries know. */

/** Epoch seconds of the first instant of the UTC month `offset` months from the month holding `at`. */
export function monthStartSeconds(at: Date | number, offset = 0): number {
  const d = typeof at === 'number' ? new Date(at * 1000) : at;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1) / 1000;
}

/** True when `seconds` is exactly 00:00:00 UTC on the 1st of a month. */
export function isUtcMonthStart(seconds: number): boolean {
  return Number.isInteger(seconds) && monthStartSeconds(seconds) === seconds;
}

/** Whole months from `from` to `to` (both UTC month starts); negative when `to` is earlier. */
export function monthsBetween(from: number, to: number): number {
  const a = new Date(from * 1000);
  const b = new Date(to * 1000);
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
}

/** `pYYYYMM` of the month starting at `start`: names derive from boundaries, never the reverse. */
export function partitionNameFor(start: number): string {
  const d = new Date(start * 1000);
  return `p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** `2026-11-01` for a boundary, as a person reads it. */
export function isoDay(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** The last second a TIMESTAMP column can hold (2038-01-19 03:14:07 UTC). */
export const TIMESTAMP_MAX_SECONDS = 2 ** 31 - 1;
