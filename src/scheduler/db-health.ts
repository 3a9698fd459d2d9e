import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { backoffDelay } from '../core/backoff.js';
import { errorFields } from '../log/error-fields.js';

export interface DbHealthOptions {
  /** One cheap round trip to the server; throws when it is unreachable. */
  probe: () => Promise<void>;
  log: Logger;
  /** Called once when an outage starts (the probe failed too), with the error that revealed it. */
  onDown?: (err: unknown) => void;
  /** Called once when the server answers again after an outage. */
  onBack: () => void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Tracks whether the database answers. Logs once per state change (not once per failed slot), probes with
 * exponential backoff while it is down, and calls onBack when it returns. */
export class DbHealth {
  private down = false;
  private readonly stop = new AbortController();
  private probing: Promise<void> | null = null;

  constructor(private readonly opts: DbHealthOptions) {}

  get isDown(): boolean {
    return this.down;
  }

  /** Something failed talking to the server: find out whether it is an outage. */
  async suspect(err: unknown): Promise<void> {
    if (this.down || this.stop.signal.aborted) return;
    try {
      await this.opts.probe();
      this.opts.log.error({ err }, 'database call failed although the server answers');
      return;
    } catch {
      /* an outage */
    }
    if (this.down) return;
    this.down = true;
    this.opts.log.warn(
      { err: errorFields(err) },
      'database unreachable: slots are skipped until it is back; retrying with backoff',
    );
    this.opts.onDown?.(err);
    this.probing = this.probeUntilBack();
  }

  private async probeUntilBack(): Promise<void> {
    const policy = { initialMs: this.opts.initialBackoffMs ?? 1_000, maxMs: this.opts.maxBackoffMs ?? 60_000 };
    for (let attempt = 0; !this.stop.signal.aborted; attempt += 1) {
      try {
        await sleep(backoffDelay(attempt, policy), undefined, { signal: this.stop.signal });
      } catch {
        return;
      }
      try {
        await this.opts.probe();
        this.down = false;
        this.opts.log.info('database reachable again: catching up and resuming the schedule');
        this.opts.onBack();
        return;
      } catch {
        // the next attempt waits twice as long, up to maxBackoffMs
      }
    }
  }

  close(): void {
    this.stop.abort();
  }
}
