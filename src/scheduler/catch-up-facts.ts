import type { Connection } from 'mysql2/promise';
import { lastDoneSlot, slotAttemptsSince } from '../db/run-slots.js';
import type { CatchUpFacts } from './catch-up.js';

/** Reads what planCatchUp needs from dbkeeper_runs: two small indexed queries per job. */
export async function collectCatchUpFacts(
  conn: Pick<Connection, 'query'>,
  schema: string,
  job: string,
): Promise<CatchUpFacts> {
  const lastDone = await lastDoneSlot(conn, schema, job);
  return { lastDone, attemptsSince: await slotAttemptsSince(conn, schema, job, lastDone ?? new Date(0)) };
}
