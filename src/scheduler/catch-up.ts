import type { RunStatus } from '../db/run-history.js';
import { previousSlot, slotsBetween } from './cron-slots.js';

/** What dbkeeper_runs says about one job (real runs only; dry runs never count). */
export interface CatchUpFacts {
  /** Latest `scheduled_for` of a finished run (ok, warning or skipped), or null. */
  lastDone: Date | null;
  /** Runs after lastDone (any status, any trigger), newest first. */
  attemptsSince: readonly { scheduledFor: Date; status: RunStatus }[];
}

export interface CatchUpPolicy {
  catchUp: boolean;
  schedule: string;
  timezone: string;
}

export type CatchUpDecision =
  | { run: true; slot: Date; missedSlots: number; missedCapped: boolean; reason: string }
  | { run: false; reason: string };

/** Counting missed slots stops here (an every-second schedule down for a month has millions). */
export const MISSED_COUNT_CAP = 1000;

/** PURE: whether a job missed its latest slot while no worker ran, and which single slot to run now.
 * Never a backlog: only the most recent missed slot runs, once. A slot that already has a row (running,
 * failed, interrupted) was not missed: it is not retried. No history at all = nothing to catch up. */
export function planCatchUp(facts: CatchUpFacts, policy: CatchUpPolicy, now: Date): CatchUpDecision {
  if (!policy.catchUp) return { run: false, reason: 'catchUp is off for this job' };
  if (!facts.lastDone && facts.attemptsSince.length === 0)
    return { run: false, reason: 'no run history yet: the job starts at its next slot' };
  const latest = previousSlot(policy.schedule, policy.timezone, now);
  if (!latest) return { run: false, reason: 'the schedule produced no slot before now' };
  if (facts.lastDone && latest.getTime() <= facts.lastDone.getTime())
    return { run: false, reason: `up to date: latest slot ${latest.toISOString()} already done` };
  const attempt = facts.attemptsSince.find((a) => a.scheduledFor.getTime() === latest.getTime());
  if (attempt)
    return {
      run: false,
      reason: `latest slot ${latest.toISOString()} already has a run (${attempt.status}); not retried`,
    };
  // The baseline for counting: the last finished run, else the newest attempt.
  const since = facts.lastDone ?? facts.attemptsSince[0]!.scheduledFor;
  const attempted = new Set(facts.attemptsSince.map((a) => a.scheduledFor.getTime()));
  const slots = slotsBetween(policy.schedule, policy.timezone, since, now, MISSED_COUNT_CAP + 1);
  const missed = slots.filter((s) => !attempted.has(s.getTime()));
  const capped = slots.length > MISSED_COUNT_CAP;
  const count = capped ? MISSED_COUNT_CAP : missed.length;
  return {
    run: true,
    slot: latest,
    missedSlots: count,
    missedCapped: capped,
    reason: `missed ${capped ? `more than ${count}` : count} slot(s) since ${since.toISOString()}; running the latest (${latest.toISOString()}) once`,
  };
}
