import { formatSeconds } from '../core/number-format.js';
import type { Clocks } from '../db/server-clock.js';

/** Host and server clock of one run; skewMs = host − server (positive: the host runs fast). */
export interface RunClock extends Clocks {
  skewMs: number;
}

export class ClockSkewError extends Error {
  override name = 'ClockSkew';
}

export type SkewVerdict =
  | { kind: 'ok'; clock: RunClock }
  /** Go on, with this warning in the result. */
  | { kind: 'warn'; clock: RunClock; warning: string }
  /** Do nothing: the run ends failed with ClockSkew and this message. */
  | { kind: 'refuse'; clock: RunClock; message: string };

export function describeSkew(clock: RunClock): string {
  const seconds = formatSeconds(Math.abs(clock.skewMs), 3);
  const direction = clock.skewMs >= 0 ? 'ahead of' : 'behind';
  return `host clock ${clock.host.toISOString()} is ${seconds} ${direction} the server clock ${clock.server.toISOString()}`;
}

/** PURE: a writing run (not a dry run) refuses above the limit; any other run goes on with a warning. */
export function judgeClockSkew(clocks: Clocks, maxSkewSeconds: number, writes: boolean): SkewVerdict {
  const clock: RunClock = { ...clocks, skewMs: clocks.host.getTime() - clocks.server.getTime() };
  if (Math.abs(clock.skewMs) <= maxSkewSeconds * 1000) return { kind: 'ok', clock };
  const text = `${describeSkew(clock)} (guards.maxClockSkewSeconds ${maxSkewSeconds})`;
  if (writes)
    return {
      kind: 'refuse',
      clock,
      message: `${text}: nothing done; fix the host's time sync (NTP) or raise the limit`,
    };
  return {
    kind: 'warn',
    clock,
    warning: `${text}: cutoffs come from the server's clock, but fix the host's time sync (NTP)`,
  };
}

/** The evaluation time a job gets: `--at` (dry runs only), else the server's clock. Never the host's. */
export function evaluationTime(clocks: Clocks, at?: Date): Date {
  return at ?? clocks.server;
}

/** A read-only run's result with the skew warning: it needs a person, so ok becomes warning. */
export function withSkewWarning<R extends { status: string; warnings?: string[] }>(result: R, warning: string): R {
  return {
    ...result,
    status: result.status === 'ok' ? 'warning' : result.status,
    warnings: [...(result.warnings ?? []), warning],
  };
}

/** The clock as JSON in the run row's summary (beside the job's result). */
export function clockJson(clock: RunClock): { host: string; server: string; skewMs: number } {
  return { host: clock.host.toISOString(), server: clock.server.toISOString(), skewMs: clock.skewMs };
}
