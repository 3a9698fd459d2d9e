import type { AnyJob } from '../src/job/job-contract.js';
import { healthJob } from './health.js';
import { indexReviewJob } from './index-review.js';
import { partitionsJob } from './partitions.js';
import { performanceReviewJob } from './performance-review.js';
import { pingJob } from './ping.js';
import { purgeLocksJob } from './purge-locks.js';
import { tableMaintenanceJob } from './table-maintenance.js';

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
