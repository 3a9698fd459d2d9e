import type { Period } from '../job/job-contract.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import type { DbOutage } from './db-outage.js';
import type { RenderedReport, ReportKind, ReportPeriod } from './report-input.js';

/** Where a report ended up. */
export interface Delivery {
  /** written: kept as .eml in the outbox (no SMTP); delivered: SMTP took it; pending: SMTP failed, retried later;
   * failed: SMTP refused it for good (outbox/failed), or SMTP failed while the outbox could not be written (path null:
   * the report is lost, logged as an error); duplicate: this report was already queued or delivered; off: disabled in
   * config. */
  state: 'written' | 'delivered' | 'pending' | 'failed' | 'duplicate' | 'off';
  path: string | null;
  subject: string | null;
}

/** What the scheduler and the CLI call after runs; the report issue implements it (render + mail/outbox). */
export interface Reporter {
  /** One summary email for the runs of one scheduled slot (e.g. all daily jobs at 03:15). */
  sendSummary(period: Period | 'manual', outcomes: readonly RunOutcome[], outages?: readonly DbOutage[]): Promise<void>;
  /** The database went away: one alert per outage, built without the database (no trends, no run history). */
  sendOutageAlert(outage: DbOutage): Promise<void>;
  /** An immediate alert for a failed (or interrupted) run, separate from the summary. */
  sendAlert(outcome: RunOutcome): Promise<void>;
  /** Retry reports left in outbox/pending by an earlier SMTP failure. */
  retryPending(): Promise<void>;
  /** Like sendSummary, and says where the report went (CLI --email). Ignores `report.summary` (the caller asked). */
  send(kind: Exclude<ReportKind, 'preview'>, period: ReportPeriod, outcomes: readonly RunOutcome[]): Promise<Delivery>;
  /** Render with the trend from dbkeeper_runs, without sending. */
  render(kind: ReportKind, period: ReportPeriod, outcomes: readonly RunOutcome[]): Promise<RenderedReport>;
  /** Always a .eml file in the outbox, never SMTP (the demo). Returns its path. */
  writeToOutbox(
    kind: Exclude<ReportKind, 'preview'>,
    period: ReportPeriod,
    outcomes: readonly RunOutcome[],
  ): Promise<string>;
}
