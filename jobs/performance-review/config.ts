import { z } from 'zod';
import { jobBaseShape, type JobOwnConfig } from '../../src/config/config-schema.js';

export const performanceReviewDefaults = { schedule: '30 4 1 * *', catchUp: true };

/** `jobs.performance-review`, every key with its default. */
export const performanceReviewConfigSchema = z.object({
  ...jobBaseShape(performanceReviewDefaults),
  /** How many statements each top list shows. */
  topStatements: z.number().int().min(1).max(100).default(10),
  /** The application's pool size per instance; null = DB_POOL_MAX from the platform's .env. */
  appPoolMax: z.number().int().min(1).nullable().default(null),
  /** How many application instances each open such a pool. */
  appInstances: z.number().int().min(1).default(1),
  /** Spare connections on top of the month's peak when recommending a pool size. */
  poolHeadroomPercent: z.number().min(0).max(400).default(25),
  /** Connection-use target: the pools together should stay below this share of max_connections. */
  connectionUsePercentTarget: z.number().gt(0).max(100).default(80),
  /** Stop reading the slow log after this many executions in the month (the report says so). */
  maxSlowLogEntries: z.number().int().min(1).default(1000000),
  /** Keep one real statement per fingerprint (customer data): only in a file on the worker host, never in the report.
   */
  rawSamples: z.boolean().default(false),
  /** Where those files go on the worker host (mode 0600, directory 0700). */
  rawSamplesDir: z.string().min(1).default('./raw-samples'),
});

export type PerformanceReviewConfig = JobOwnConfig<typeof performanceReviewConfigSchema>;

/** The job's keys with the install-wide settings filled in: the pool size and DB_SLOW_QUERY_TIME. */
export type PerformanceReviewPolicy = Omit<PerformanceReviewConfig, 'appPoolMax'> & {
  appPoolMax: number;
  slowQueryTimeSeconds: number;
};

export function performanceReviewPolicy(
  config: PerformanceReviewConfig,
  settings: { dbPoolMax: number; slowQueryTimeSeconds: number },
): PerformanceReviewPolicy {
  return {
    ...config,
    appPoolMax: config.appPoolMax ?? settings.dbPoolMax,
    slowQueryTimeSeconds: settings.slowQueryTimeSeconds,
  };
}
