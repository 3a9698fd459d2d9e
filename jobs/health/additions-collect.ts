import type { JobDb } from '../../src/db/job-db.js';
import type { HealthConfig } from './config.js';
import type { HealthFacts } from './facts.js';
import { collectPlatformTargets } from './platform-collect.js';

type Db = Pick<JobDb, 'query' | 'dialect' | 'database'>;

/** The facts health reads beside global status: the platform's own targets (its tables). Stored in the snapshot. */
export async function collectHealthAdditions(
  db: Db,
  c: HealthConfig,
  now: Date,
  signal?: AbortSignal,
): Promise<Pick<HealthFacts, 'platform'>> {
  return { platform: await collectPlatformTargets(db, c, now, signal) };
}
