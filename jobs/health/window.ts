import type { HealthFacts, StoredSnapshot } from './facts.js';

export const DAY_SECONDS = 86_400;
/** Server start times further apart than this mean a restart between the snapshots. */
const RESTART_TOLERANCE_SECONDS = 120;

export type WindowKind = 'first' | 'other-server' | 'restart' | 'delta';

export interface HealthWindow {
  kind: WindowKind;
  /** Seconds the deltas cover (server clock); null when there are no deltas. */
  seconds: number | null;
  previousTakenAt: Date | null;
  note: string;
}

/** Where the deltas come from: the previous snapshot of the same server, unless it restarted in between. */
export function healthWindow(current: HealthFacts, previous: StoredSnapshot | null): HealthWindow {
  if (!previous)
    return {
      kind: 'first',
      seconds: null,
      previousTakenAt: null,
      note: 'first snapshot of this server: per-day figures start with the next run',
    };
  const prev = previous.facts;
  const base = { previousTakenAt: previous.takenAt };
  if (prev.serverKey !== current.serverKey) {
    return {
      kind: 'other-server',
      seconds: null,
      ...base,
      note: `previous snapshot is of another server (${prev.serverKey}): no deltas`,
    };
  }
  const prevStart = prev.serverEpochMs / 1000 - prev.uptimeSeconds;
  const curStart = current.serverEpochMs / 1000 - current.uptimeSeconds;
  const seconds = (current.serverEpochMs - prev.serverEpochMs) / 1000;
  if (current.uptimeSeconds < prev.uptimeSeconds || curStart - prevStart > RESTART_TOLERANCE_SECONDS) {
    const startedAt = new Date(Math.round(curStart) * 1000).toISOString();
    return {
      kind: 'restart',
      seconds: current.uptimeSeconds,
      ...base,
      note: `the server restarted at ${startedAt} (after the previous snapshot of ${previous.takenAt.toISOString()}): counters restarted from 0, figures cover the ${hours(current.uptimeSeconds)} since the restart`,
    };
  }
  return {
    kind: 'delta',
    seconds,
    ...base,
    note: `since the previous snapshot of ${previous.takenAt.toISOString()} (${hours(seconds)})`,
  };
}

/** A window length as a person reads it: seconds, minutes or hours. */
export function hours(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Counts for "per day" limits: windows longer than a day are scaled down; shorter ones are not scaled up
 * (a count that already exceeds a daily limit in a few hours exceeds it). */
export function perDayBasis(count: number, windowSeconds: number): number {
  return windowSeconds > DAY_SECONDS ? (count * DAY_SECONDS) / windowSeconds : count;
}
