import type { JobDb } from '../../src/db/job-db.js';
import type { HealthConfig } from './config.js';
import type { HealthFacts } from './facts.js';
import { collectPlatformTargets } from './platform-collect.js';
import { collectTuner } from './tuner-collect.js';

type Db = Pick<JobDb, 'query' | 'dialect' | 'database'>;

/** The facts health reads beside global status: the platform's own targets (its tables) and the checks mysqltuner
 * makes. Both are stored in the snapshot: the tuner counters give per-day deltas the next day. */
export async function collectHealthAdditions(
  db: Db,
  c: HealthConfig,
  now: Date,
  signal?: AbortSignal,
): Promise<Pick<HealthFacts, 'platform' | 'tuner'>> {
  const platform = await collectPlatformTargets(db, c, now, signal);
  signal?.throwIfAborted();
  const tuner = await collectTuner(db, c);
  return { platform, tuner };
}
