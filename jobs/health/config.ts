import { z } from 'zod';
import { jobBaseShape, type JobOwnConfig } from '../../src/config/config-schema.js';
import { identifierSchema } from '../../src/config/identifier.js';
import { platformTargetsConfigShape } from './platform-config.js';
import { tunerConfigShape } from './tuner-config.js';

const limit = z.number().nonnegative();

export const healthDefaults = { schedule: '15 3 * * *', catchUp: true };

/** `jobs.health`, every key with its default. Every limit: ok while the value is at or
 * below it. Defaults come from the platform targets: avg query < 100 ms, connection use < 80 %, 0 deadlocks/day. */
export const healthConfigShape = {
  ...jobBaseShape(healthDefaults),
  avgQueryTimeMsWarn: limit.default(100),
  avgQueryTimeMsFail: limit.default(500),
  connectionUsePercentWarn: z.number().min(0).max(100).default(80),
  connectionUsePercentFail: z.number().min(0).max(100).default(95),
  deadlocksPerDayFail: limit.default(0),
  slowQueriesPerDayWarn: limit.default(100),
  slowQueriesPerDayFail: limit.default(1000),
  rowLockWaitsPerDayWarn: limit.default(10000),
  rowLockWaitAvgMsWarn: limit.default(500),
  refusedConnectionsPerDayFail: limit.default(0),
  abortedConnectsPerDayWarn: limit.default(100),
  /** Connections closed without a proper quit (client crashed or timed out). */
  abortedClientsPerDayWarn: limit.default(1000),
  /** Lower is worse: warn/fail when the hit ratio falls below. */
  bufferPoolHitPercentWarn: z.number().min(0).max(100).default(99),
  bufferPoolHitPercentFail: z.number().min(0).max(100).default(95),
  historyListLengthWarn: limit.default(100000),
  historyListLengthFail: limit.default(1000000),
  replicaLagSecondsWarn: limit.default(60),
  replicaLagSecondsFail: limit.default(600),
  /** How many of the connected database's largest tables to list and track. */
  largestTables: z.number().int().min(1).max(100).default(10),
  /** Store a daily snapshot of index usage counters for the monthly index review (it sums them across restarts). */
  indexUsageSnapshot: z.boolean().default(true),
  /** Schemas whose index usage is snapshotted; empty = the connected database. Keep equal to index-review's `schemas`.
   */
  indexUsageSchemas: z.array(identifierSchema).default(() => []),
  ...platformTargetsConfigShape,
  ...tunerConfigShape,
};

type HealthLimits = Omit<z.infer<z.ZodObject<typeof healthConfigShape>>, 'timezone'>;

export const healthConfigSchema = z.object(healthConfigShape).superRefine((c, ctx) => {
  const pairs: [keyof HealthLimits, keyof HealthLimits][] = [
    ['avgQueryTimeMsWarn', 'avgQueryTimeMsFail'],
    ['connectionUsePercentWarn', 'connectionUsePercentFail'],
    ['slowQueriesPerDayWarn', 'slowQueriesPerDayFail'],
    ['historyListLengthWarn', 'historyListLengthFail'],
    ['replicaLagSecondsWarn', 'replicaLagSecondsFail'],
  ];
  for (const [warn, fail] of pairs) {
    if (c[warn] > c[fail])
      ctx.addIssue({
        code: 'custom',
        path: [warn],
        message: `${warn} (${c[warn]}) must not exceed ${fail} (${c[fail]})`,
      });
  }
  if (c.bufferPoolHitPercentWarn < c.bufferPoolHitPercentFail) {
    ctx.addIssue({
      code: 'custom',
      path: ['bufferPoolHitPercentWarn'],
      message: `bufferPoolHitPercentWarn (${c.bufferPoolHitPercentWarn}) must not be below bufferPoolHitPercentFail (${c.bufferPoolHitPercentFail}): lower hit ratios are worse`,
    });
  }
});

export type HealthConfig = JobOwnConfig<typeof healthConfigSchema>;
