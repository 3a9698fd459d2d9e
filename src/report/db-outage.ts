/** A stretch of time the worker could not reach the database. `until` is null while it lasts. */
export interface DbOutage {
  since: Date;
  until: Date | null;
  /** Scheduled slots (job runs) that could not start because of it. */
  slotsMissed: number;
  /** The error that started it (message and code only; no connection details beyond what the driver says). */
  error: string;
}

/** The line a person reads about an outage, in the alert (still down) or the next summary (recovered). */
export function outageLine(o: DbOutage, time: (d: Date) => string): string {
  const missed = `${o.slotsMissed} slot${o.slotsMissed === 1 ? '' : 's'} missed`;
  if (o.until === null)
    return `database unreachable since ${time(o.since)} (${o.error}); ${missed} so far; catch-up runs the latest missed slot when it is back`;
  return `recovered: database was unreachable from ${time(o.since)} to ${time(o.until)} (${o.error}); ${missed}`;
}
