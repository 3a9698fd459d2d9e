import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mysql2/promise';
import { lockHolder } from '../db/named-lock.js';
import { insertCoveredSlot, runningRun, type RunRow } from '../db/run-history.js';
import type { Trigger } from '../job/job-contract.js';
import type { RunSkip } from '../core/run-skip.js';

export interface BlockedSlot {
  job: string;
  trigger: Trigger;
  scheduledFor: Date;
  evaluatedAt: Date;
  startedAt: Date;
  host: string;
  pid: number;
}

/** The dbkeeper run holding the lock, if it is one. The holder writes its row just after taking the lock: wait a moment
 * for it. */
async function holderRun(book: Pick<Connection, 'query'>, schema: string, job: string): Promise<RunRow | null> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const run = await runningRun(book, schema, job).catch(() => null);
    if (run) return run;
    await sleep(50);
  }
  return null;
}

/** PURE: a real manual run that was already running at the slot's time did that slot's work. */
export function coversSlot(
  holder: Pick<RunRow, 'trigger' | 'dryRun' | 'startedAt'>,
  slot: Pick<BlockedSlot, 'trigger' | 'scheduledFor'>,
): boolean {
  return (
    slot.trigger !== 'manual' &&
    holder.trigger === 'manual' &&
    !holder.dryRun &&
    holder.startedAt.getTime() <= slot.scheduledFor.getTime()
  );
}

/** The job's lock is held by someone else: why this run is skipped, and the row it wrote (covered slots only).
 * `book` is the runner's bounded bookkeeping handle, like every other run-history query of a run. */
export async function skipForHeldLock(
  book: Pick<Connection, 'query'>,
  schema: string,
  lock: string,
  slot: BlockedSlot,
): Promise<{ skip: RunSkip; runId: number | null }> {
  const run = await holderRun(book, schema, slot.job);
  if (run && coversSlot(run, slot)) {
    const id = await insertCoveredSlot(book, schema, slot, run.id);
    if (id === 'duplicate') return { skip: { kind: 'slot-done' }, runId: null };
    return { skip: { kind: 'covered-by-manual', runId: run.id }, runId: id };
  }
  if (run) return { skip: { kind: 'locked', holder: `${run.host}:${run.pid}` }, runId: null };
  const connection = await lockHolder(book, lock).catch(() => null);
  return {
    skip: {
      kind: 'locked',
      holder: connection === null ? 'another session' : `another session (connection ${connection})`,
    },
    runId: null,
  };
}
