import { z } from 'zod';

/** The performance-review job's own keys (config/default.json `jobs.performance-review`). */
export const reviewConfigSchema = z.object({
    /** How many statements each top list shows. */
    topStatements: z.number().int().min(1).max(100),
    /** The application's pool size per instance; null = DB_POOL_MAX from the platform's .env. */
    appPoolMax: z.number().int().min(1).nullable(),
    /** How many application instances each open such a pool. */
    appInstances: z.number().int().min(1),
    /** Spare connections on top of the month's peak when recommending a pool size. */
    poolHeadroomPercent: z.number().min(0).max(400),
    /** Connection-use target: the pools together should stay below this share of max_connections. */
    connectionUsePercentTarget: z.number().gt(0).max(100),
    /** Stop reading the slow log after this many executions in the month (the report says so). */
    maxSlowLogEntries: z.number().int().min(1),
    /** Keep one real statement per fingerprint (customer data): only in a file on the worker host, never in the report. */
    rawSamples: z.boolean(),
    /** Where those files go on the worker host (mode 0600, directory 0700). */
    rawSamplesDir: z.string().min(1),
  });

export type ReviewConfig = z.infer<typeof reviewConfigSchema>;

/** The job's keys with the install-wide settings filled in: the pool size and DB_SLOW_QUERY_TIME. */
export type ReviewPolicy = Omit<ReviewConfig, 'appPoolMax'> & { appPoolMax: number; slowQueryTimeSeconds: number };

export function reviewPolicy(config: ReviewConfig, settings: { dbPoolMax: number; slowQueryTimeSeconds: number }): ReviewPolicy {
  return { ...config, appPoolMax: config.appPoolMax ?? settings.dbPoolMax, slowQueryTimeSeconds: settings.slowQueryTimeSeconds };
}
