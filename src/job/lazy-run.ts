import type { JobContext, JobDetails, JobResult } from './job-contract.js';

/** A job's run function; R is what it returns, so `defineJob` still infers the job's details from it. */
export type JobRun<C, R extends JobResult<JobDetails> = JobResult> = (ctx: JobContext<C>) => Promise<R>;

/** A job's run code imported at its first run instead of at start-up: the idle worker keeps only the definitions
 * (name, schedule, schema, flags, migrations). `load` is a dynamic `import()`, which the module system caches. */
export function lazyRun<C, R extends JobResult<JobDetails> = JobResult>(
  load: () => Promise<JobRun<C, R>>,
): JobRun<C, R> {
  return async (ctx) => (await load())(ctx);
}
