import type { DbOutage } from '../report/db-outage.js';

/** The error as a short line: driver code and message, nothing else of the error object. */
function describe(err: unknown): string {
  const e = err as { code?: string; message?: string } | null;
  const message = String(e?.message ?? err ?? 'unknown error').slice(0, 200);
  return e?.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

/** The outage in progress (DbHealth says when it starts and ends), the slots it cost, and ended outages
 * waiting for the next summary. */
export class OutageTracker {
  private current: DbOutage | null = null;
  private ended: DbOutage[] = [];

  begin(at: Date, err: unknown): DbOutage {
    this.current = { since: at, until: null, slotsMissed: 0, error: describe(err) };
    return { ...this.current };
  }

  slotMissed(): void {
    if (this.current) this.current.slotsMissed += 1;
  }

  end(at: Date): DbOutage | null {
    if (!this.current) return null;
    const done = { ...this.current, until: at };
    this.current = null;
    this.ended.push(done);
    return done;
  }

  /** Ended outages not yet reported; each is handed out once. */
  takeEnded(): DbOutage[] {
    const out = this.ended;
    this.ended = [];
    return out;
  }
}
