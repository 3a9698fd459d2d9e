import type { Period } from '../job/job-contract.js';
import type { RunOutcome } from '../runner/run-outcome.js';

interface Group {
  period: Period;
  slot: Date;
  /** Jobs due at this instant that have not finished (or been ruled out) yet. */
  pending: Set<string>;
  started: Set<string>;
  outcomes: RunOutcome[];
}

/** Collects the runs of one slot (same period, same scheduled instant) so they go out as ONE summary,
 * once every job due at that instant has finished. Runs this worker did not record (locked by another
 * worker, slot already ran) are left out: the worker that ran them reports them. */
export class SlotGroups {
  private groups = new Map<string, Group>();

  constructor(private readonly onComplete: (period: Period, slot: Date, outcomes: readonly RunOutcome[]) => void) {}

  private key(period: Period, slot: Date): string {
    return `${period}|${slot.toISOString()}`;
  }

  /** Declare the jobs due at this slot (called again by each of them: members are merged). */
  expect(period: Period, slot: Date, jobs: readonly string[]): void {
    const key = this.key(period, slot);
    let g = this.groups.get(key);
    if (!g) {
      g = { period, slot, pending: new Set(), started: new Set(), outcomes: [] };
      this.groups.set(key, g);
    }
    for (const j of jobs) if (!g.outcomes.some((o) => o.job === j)) g.pending.add(j);
  }

  started(period: Period, slot: Date, job: string): void {
    this.groups.get(this.key(period, slot))?.started.add(job);
  }

  /** A job of the slot is done: with its outcome, or null when it did not run here (overlap, missed, DB down). */
  settle(period: Period, slot: Date, job: string, outcome: RunOutcome | null): void {
    const key = this.key(period, slot);
    const g = this.groups.get(key);
    if (!g) return;
    g.pending.delete(job);
    if (outcome && outcome.runId !== null) g.outcomes.push(outcome);
    if (g.pending.size === 0) this.complete(key, g);
  }

  /** Give up on jobs of a slot that never started (e.g. blocked without an event); started ones are awaited. */
  dropUnstarted(period: Period, slot: Date): void {
    const key = this.key(period, slot);
    const g = this.groups.get(key);
    if (!g) return;
    for (const j of [...g.pending]) if (!g.started.has(j)) g.pending.delete(j);
    if (g.pending.size === 0) this.complete(key, g);
  }

  /** Shutdown: report whatever each open slot has. */
  flush(): void {
    for (const [key, g] of [...this.groups]) this.complete(key, g);
  }

  get openSlots(): number {
    return this.groups.size;
  }

  private complete(key: string, g: Group): void {
    this.groups.delete(key);
    if (g.outcomes.length > 0) this.onComplete(g.period, g.slot, g.outcomes);
  }
}
