import type { JobContext, JobResult } from './job-contract.js';

export type JobRun<C> = (ctx: JobContext<C>) => Promise<JobResult>;

/** A job's run code imported at its first run instead of at start-up: the idle worker keeps only the definitions
 * (name, schedule, schema, flags, migrations). `load` is a dynamic `import()`, which the module system caches. */
export function lazyRun<C>(load: () => Promise<JobRun<C>>): JobRun<C> {
  return async (ctx) => (await load())(ctx);
}
