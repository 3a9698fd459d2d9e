/** The cutoff: computed once per run from ctx.now and passed to every statement as a value.
 *
 * TIMESTAMP columns: the session is UTC, so the cutoff is the UTC wall clock of (now - grace).
 * DATETIME columns: wall-clock values written by the application in its zone. Rows whose wall clock is
 * below the cutoff must be instants before (now - grace). Where the zone turns its clocks back in the
 * next hours, a wall clock may occur again later, so the cutoff is the smallest wall clock of any
 * instant from (now - grace) on: it is held back to the turn-back time and those rows wait for the next run. */

import { wallClock } from '../../src/time/wall-clock.js';

const QUARTER_HOUR_MS = 15 * 60_000;
/** Longer than any clock turn-back in the tz database (1 h; 2 h historically). */
export const TURN_BACK_HORIZON_MS = 3 * 3_600_000;

/** `YYYY-MM-DD HH:MM:SS.ffffff`: what DATE_FORMAT(col, '%Y-%m-%d %H:%i:%s.%f') gives; sorts as it compares. */
export type WallClock = string;

/** The instants at which to read the zone's wall clock: the start instant and every UTC quarter hour after it
 * within the horizon (offset changes happen on UTC quarter hours in every zone in use). */
export function cutoffSampleInstants(start: Date, horizonMs = TURN_BACK_HORIZON_MS): Date[] {
  const out = [start];
  let q = Math.floor(start.getTime() / QUARTER_HOUR_MS) * QUARTER_HOUR_MS + QUARTER_HOUR_MS;
  for (; q <= start.getTime() + horizonMs; q += QUARTER_HOUR_MS) out.push(new Date(q));
  return out;
}

export interface WallClockCutoff {
  cutoff: WallClock;
  /** The wall clock at (now - grace); differs from `cutoff` when a turn-back lies ahead. */
  wallAtStart: WallClock;
  heldBackForTurnBack: boolean;
}

/** Smallest wall clock among the samples (the first is the start instant). */
export function wallClockCutoff(samples: readonly WallClock[]): WallClockCutoff {
  if (samples.length === 0) throw new Error('wallClockCutoff needs at least the start sample');
  const wallAtStart = samples[0]!;
  let cutoff = wallAtStart;
  for (const s of samples) if (s < cutoff) cutoff = s;
  return { cutoff, wallAtStart, heldBackForTurnBack: cutoff !== wallAtStart };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function utcWallClock(instant: Date): WallClock {
  return `${instant.getUTCFullYear()}-${pad(instant.getUTCMonth() + 1)}-${pad(instant.getUTCDate())} ${pad(instant.getUTCHours())}:${pad(instant.getUTCMinutes())}:${pad(instant.getUTCSeconds())}.${pad(instant.getUTCMilliseconds(), 3)}000`;
}

/** The wall clock of `instant` in an IANA zone (no server time zone tables needed). */
export function zoneWallClock(instant: Date, timeZone: string): WallClock {
  const w = wallClock(instant, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}.${pad(instant.getUTCMilliseconds(), 3)}000`;
}
