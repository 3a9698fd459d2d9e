import { z } from 'zod';
import { identifierSchema } from '../config/identifier.js';

const limit = z.number().nonnegative();

/** The health job's own keys (config/default.json `jobs.health`). Every limit: ok while the value is at or
 * below it. Defaults come from the platform targets: avg query < 100 ms, connection use < 80 %, 0 deadlocks/day. */
export const healthConfigShape = {
  avgQueryTimeMsWarn: limit,
  avgQueryTimeMsFail: limit,
  connectionUsePercentWarn: z.number().min(0).max(100),
  connectionUsePercentFail: z.number().min(0).max(100),
  deadlocksPerDayFail: limit,
  slowQueriesPerDayWarn: limit,
  slowQueriesPerDayFail: limit,
  rowLockWaitsPerDayWarn: limit,
  rowLockWaitAvgMsWarn: limit,
  refusedConnectionsPerDayFail: limit,
  abortedConnectsPerDayWarn: limit,
  /** Connections closed without a proper quit (client crashed or timed out). */
  abortedClientsPerDayWarn: limit,
  /** Lower is worse: warn/fail when the hit ratio falls below. */
  bufferPoolHitPercentWarn: z.number().min(0).max(100),
  bufferPoolHitPercentFail: z.number().min(0).max(100),
  historyListLengthWarn: limit,
  historyListLengthFail: limit,
  replicaLagSecondsWarn: limit,
  replicaLagSecondsFail: limit,
  /** How many of the connected database's largest tables to list and track. */
  largestTables: z.number().int().min(1).max(100),
  /** Store a daily snapshot of index usage counters for the monthly index review (it sums them across restarts). */
  indexUsageSnapshot: z.boolean(),
  /** Schemas whose index usage is snapshotted; empty = the connected database. Keep equal to index-review's `schemas`. */
  indexUsageSchemas: z.array(identifierSchema),
};

export const healthConfigSchema = z.object(healthConfigShape).superRefine((c, ctx) => {
  const pairs: [keyof typeof c, keyof typeof c][] = [
    ['avgQueryTimeMsWarn', 'avgQueryTimeMsFail'],
    ['connectionUsePercentWarn', 'connectionUsePercentFail'],
    ['slowQueriesPerDayWarn', 'slowQueriesPerDayFail'],
    ['historyListLengthWarn', 'historyListLengthFail'],
    ['replicaLagSecondsWarn', 'replicaLagSecondsFail'],
  ];
  for (const [warn, fail] of pairs) {
    if (c[warn] > c[fail]) ctx.addIssue({ code: 'custom', path: [warn], message: `${warn} (${c[warn]}) must not exceed ${fail} (${c[fail]})` });
  }
  if (c.bufferPoolHitPercentWarn < c.bufferPoolHitPercentFail) {
    ctx.addIssue({
      code: 'custom',
      path: ['bufferPoolHitPercentWarn'],
      message: `bufferPoolHitPercentWarn (${c.bufferPoolHitPercentWarn}) must not be below bufferPoolHitPercentFail (${c.bufferPoolHitPercentFail}): lower hit ratios are worse`,
    });
  }
});

export type HealthPolicy = z.infer<typeof healthConfigSchema>;
