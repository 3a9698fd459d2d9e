import type { AnyJob, DetailsOf, JobResult } from '../../src/job/job-contract.js';
import { runJob, type RunnerDeps, type RunRequest } from '../../src/runner/run-job.js';
import type { RunOutcome } from '../../src/runner/run-outcome.js';

/** One run as a test reads it: the outcome, and the job's result and details typed as the job returns them. */
export interface JobRunForTest<D> {
  outcome: RunOutcome;
  /** null when the run ended before the job returned (outcome.error says why). */
  result: JobResult<D & Record<string, unknown>> | null;
  /** result.details; undefined when there is no result or the job set none. */
  details: D | undefined;
}

/** Runs `job` through the real runner (lock, run row, guards) and hands back what happened. It asserts nothing:
 * each test says what it expects of the outcome (e.g. `expect(run.outcome.error).toBeUndefined()`). */
export async function runJobForTest<J extends AnyJob>(
  deps: RunnerDeps,
  job: J,
  req: RunRequest,
): Promise<JobRunForTest<DetailsOf<J>>> {
  const outcome = await runJob(deps, job, req);
  const result = outcome.result as JobResult<DetailsOf<J> & Record<string, unknown>> | null;
  return { outcome, result, details: result?.details };
}
