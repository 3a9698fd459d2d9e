import type { Trigger } from '../job/job-contract.js';

/** A run the scheduler started and has not seen end: what the drain needs to wait for it or abandon it. */
export interface InFlight {
  job: string;
  trigger: Trigger;
  slot: Date;
  startedAt: Date;
  runId: number | null;
  /** The session holding the run's named lock, known once the run row exists. */
  lockConnectionId: number | null;
  /** The job's own session, known once it is set up: a run abandoned at the drain time has its statement KILLed. */
  jobConnectionId: number | null;
  done: Promise<unknown>;
}
