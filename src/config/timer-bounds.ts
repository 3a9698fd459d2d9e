import { z } from 'zod';

/** Node's setTimeout takes at most 2^31-1 ms; a longer delay fires after 1 ms instead. Every timeout, interval
 * and delay in the config stays within it after unit conversion. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

const tooLong = (max: number, unit: string) =>
  `must be at most ${max} ${unit} (about 24.8 days: longer Node timers fire at once)`;

/** A delay in ms, 1..maxMs (default: the timer limit; pass less when the value is multiplied, e.g. doubled). */
export function timerMs(maxMs = MAX_TIMER_MS) {
  return z
    .number()
    .int()
    .positive()
    .max(maxMs, { message: tooLong(maxMs, 'ms') });
}

/** A delay in seconds, 1.. the timer limit; `allowZero` for settings where 0 means "off". */
export function timerSeconds(opts: { allowZero?: boolean } = {}) {
  const base = opts.allowZero ? z.number().int().nonnegative() : z.number().int().positive();
  return base.max(MAX_TIMER_SECONDS, { message: tooLong(MAX_TIMER_SECONDS, 's') });
}
