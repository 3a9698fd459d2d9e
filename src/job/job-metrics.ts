import type { JobResult } from './job-contract.js';

/** One gauge sample a job publishes from its result (the engine prefixes `dbkeeper_` and checks the name). */
export interface JobMetricSample {
  /** `[a-z][a-z0-9_]*`, unit as a suffix (`_bytes`, `_seconds`), e.g. `purge_rows_deleted`. */
  name: string;
  help: string;
  labels?: Record<string, string>;
  value: number;
}

/** A job's mapping of its stored result to samples: pure, reads nothing but the result. `now` is when the
 * metrics are refreshed (for figures such as "seconds until"). */
export type JobMetrics = (result: JobResult, now: Date) => JobMetricSample[];
