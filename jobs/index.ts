import type { AnyJob } from '../src/job/job-contract.js';
import { healthJob } from './health/job.js';
import { indexReviewJob } from './index-review/job.js';
import { partitionsJob } from './partitions/job.js';
import { performanceReviewJob } from './performance-review/job.js';
import { pingJob } from './ping/job.js';
import { purgeLocksJob } from './purge-locks/job.js';
import { tableMaintenanceJob } from './table-maintenance/job.js';

/** Every job dbkeeper knows, in the order a report lists them. */
export const ALL_JOBS: readonly AnyJob[] = [
  // daily
  pingJob,
  purgeLocksJob,
  healthJob,
  // weekly
  tableMaintenanceJob,
  // monthly
  partitionsJob,
  indexReviewJob,
  performanceReviewJob,
];

export function findJob(name: string): AnyJob | undefined {
  return ALL_JOBS.find((j) => j.name === name);
}
