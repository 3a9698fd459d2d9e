import { z } from 'zod';

/** The performance-review job's own keys (config/default.json `jobs.performance-review`). */
export const reviewConfigSchema = z.object({
    /** How many statements each top list shows. */
    topStatements: z.number().int().min(1).max(100),
    /** The application's pool size per instance (the platform's DB_POOL_MAX; not dbkeeper's own db.poolMax). */
    appPoolMax: z.number().int().min(1),
    /** How many application instances each open such a pool. */
    appInstances: z.number().int().min(1),
    /** Spare connections on top of the month's peak when recommending a pool size. */
    poolHeadroomPercent: z.number().min(0).max(400),
    /** Connection-use target: the pools together should stay below this share of max_connections. */
    connectionUsePercentTarget: z.number().gt(0).max(100),
    /** The platform's DB_SLOW_QUERY_TIME: the long_query_time advised when no source is on. */
    slowQueryTimeSeconds: z.number().positive().max(3600),
    /** Stop reading the slow log after this many executions in the month (the report says so). */
    maxSlowLogEntries: z.number().int().min(1),
  });

export type ReviewPolicy = z.infer<typeof reviewConfigSchema>;
