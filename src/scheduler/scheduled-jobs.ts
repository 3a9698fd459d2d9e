import { jobSection, jobTimezone, type Config } from '../config/load-config.js';
import type { AnyJob } from '../job/job-contract.js';

export interface ScheduledJob {
  job: AnyJob;
  schedule: string;
  timezone: string;
  catchUp: boolean;
}

/** The enabled jobs with their effective schedule and zone (job section, else the global timezone). */
export function scheduledJobs(config: Config, jobs: readonly AnyJob[]): ScheduledJob[] {
  return jobs.flatMap((job) => {
    const s = jobSection(config, job.name);
    if (!s?.enabled) return [];
    return [{ job, schedule: s.schedule, timezone: jobTimezone(config, job.name), catchUp: s.catchUp }];
  });
}
