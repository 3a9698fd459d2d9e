import type { Period } from '../job/job-contract.js';
import type { RunOutcome } from '../runner/run-outcome.js';

/** What the scheduler and the CLI call after runs; the report issue implements it (render + mail/outbox). */
export interface Reporter {
  /** One summary email for the runs of one scheduled slot (e.g. all daily jobs at 03:15). */
  sendSummary(period: Period | 'manual', outcomes: readonly RunOutcome[]): Promise<void>;
  /** An immediate alert for a failed (or interrupted) run, separate from the summary. */
  sendAlert(outcome: RunOutcome): Promise<void>;
  /** Retry reports left in outbox/pending by an earlier SMTP failure. */
  retryPending(): Promise<void>;
}
