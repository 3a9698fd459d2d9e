import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { backoffDelay } from '../../src/core/backoff.js';
import { formatNumber } from '../../src/core/number-format.js';
import type { JobDb } from '../../src/db/job-db.js';
import { nextChunkSize, replicaBoundChunkSize } from './chunk-size.js';
import type { PurgeConfig } from './config.js';
import { readReplica, readThreadsRunning } from './collect.js';
import type { ReplicaFacts } from './facts.js';
import type { TargetPlan } from './plan.js';
import type { ReplicaGate } from '../../src/replica/replica-lag.js';
import { throttleVerdict } from './throttle.js';
import { testPause } from '../../src/testing/test-pause.js';

export type StopReason = 'done' | 'aborted' | 'row-cap' | 'time-cap' | 'retries-exhausted' | 'not-started';

export interface TargetOutcome {
  table: string;
  expiryColumn: string;
  index: string;
  cutoff: string;
  cutoffBasis: string;
  /** The zone the expiry values were read in (TargetPlan.zone). */
  zone: string;
  rowsDeleted: number;
  /** Selected as expired but changed before the DELETE (lock extended): kept. */
  rowsKept: number;
  chunks: number;
  durationMs: number;
  rowsPerSecond: number | null;
  slowestChunkMs: number | null;
  chunkRows: { first: number; last: number; min: number | null; max: number | null };
  pausedMs: number;
  /** Time spent resting between chunks (chunk.restRatio). */
  restedMs: number;
  pauseReasons: string[];
  /** Each pause: why (short kind), how long, and whether a replica held it (the first 100). */
  pauses: PauseRecord[];
  /** Time spent paused for replicas (lagging, lag unknown, unreachable). */
  replicaPausedMs: number;
  /** Time spent waiting for the replicas to apply the previous chunk (within the limit; not counted as pauses). */
  replicaSyncMs: number;
  /** The run stopped (time cap, shutdown) while it waited for a replica. */
  stoppedWaitingForReplica: boolean;
  retries: number;
  /** Expired rows (expiry < cutoff) still there after the run; null when not counted. */
  backlogLeft: number | null;
  backlogEstimateAtStart: number | null;
  stopReason: StopReason;
}

export interface PauseRecord {
  reason: string;
  seconds: number;
  replica: boolean;
  /** Rows this target had deleted when the pause began. */
  afterRows: number;
}

const MAX_PAUSE_RECORDS = 100;
/** How often the replicas are looked at while they apply the last chunk. */
const APPLY_POLL_MS = 25;

export interface ApplyDeps {
  db: Pick<JobDb, 'query' | 'dialect' | 'database'>;
  /** Monotonic milliseconds, for durations only (the cutoff comes from ctx.now). */
  clock: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  progress: (line: string) => void;
  /** Replica visibility found by the collector: only a replica's lag is polled. */
  replica: ReplicaFacts;
  /** One look at the configured replicas (ctx.replicas.check); `applied`: the mark written after the last chunk,
   * which each replica must have applied. Absent = none configured. */
  replicas?: (applied: string | null) => Promise<ReplicaGate>;
  /** A heartbeat written right after a chunk (ctx.replicas.mark): the next chunk waits until the replicas have it. */
  replicaMark?: () => Promise<string | null>;
  /** replicas.maxLagSeconds: the one lag limit. */
  maxLagSeconds: number;
}

export const realSleep = (ms: number, signal: AbortSignal) =>
  sleepTimer(ms, undefined, { signal }).catch(() => undefined);

const RETRYABLE = new Set([1205, 1213]);

export interface RunBudget {
  startedAt: number;
  rowsDeleted: number;
}

/** A target's outcome before its first chunk (also the outcome of one never started). */
export function untouchedOutcome(
  plan: Pick<TargetPlan, 'table' | 'expiryColumn' | 'index' | 'cutoff' | 'cutoffBasis' | 'zone'>,
  stopReason: TargetOutcome['stopReason'],
  chunkRows = 0,
): TargetOutcome {
  return {
    table: plan.table,
    expiryColumn: plan.expiryColumn,
    index: plan.index,
    cutoff: plan.cutoff,
    cutoffBasis: plan.cutoffBasis,
    zone: plan.zone,
    rowsDeleted: 0,
    rowsKept: 0,
    chunks: 0,
    durationMs: 0,
    rowsPerSecond: null,
    slowestChunkMs: null,
    chunkRows: { first: chunkRows, last: chunkRows, min: null, max: null },
    pausedMs: 0,
    restedMs: 0,
    pauseReasons: [],
    pauses: [],
    replicaPausedMs: 0,
    stoppedWaitingForReplica: false,
    replicaSyncMs: 0,
    retries: 0,
    backlogLeft: null,
    backlogEstimateAtStart: null,
    stopReason,
  };
}

/** Executes the purge of one table chunk by chunk; checks the signal and the caps between chunks. */
export async function purgeTarget(
  plan: TargetPlan,
  config: PurgeConfig,
  deps: ApplyDeps,
  budget: RunBudget,
  signal: AbortSignal,
): Promise<TargetOutcome> {
  const { db, clock } = deps;
  const started = clock();
  const out: TargetOutcome = {
    ...untouchedOutcome(plan, 'done', config.chunk.startRows),
    backlogEstimateAtStart: await estimateBacklog(db, plan),
  };
  const timeCapMs = config.maxRunSeconds * 1000;
  const overTime = () => clock() - budget.startedAt >= timeCapMs;
  let size = config.chunk.startRows;
  let last: { expiry: string; id: unknown } | null = null;
  let lastProgress = -Infinity;
  // With replicas: the mark after the last chunk, and that chunk's rows (its apply time on the replica sizes the next).
  let mark: string | null = null;
  let lastRows = 0;

  await db.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  for (;;) {
    if (signal.aborted) {
      out.stopReason = 'aborted';
      break;
    }
    if (budget.rowsDeleted >= config.maxRowsPerRun) {
      out.stopReason = 'row-cap';
      break;
    }
    if (overTime()) {
      out.stopReason = 'time-cap';
      break;
    }

    const syncBefore = out.replicaSyncMs;
    const waitStarted = clock();
    const stop = await waitWhileBusy(deps, config, out, signal, overTime, mark);
    if (stop) {
      out.stopReason = stop;
      break;
    }
    // The replica took this long to apply the last chunk: it must stay well within the lag limit.
    if (mark && out.replicaSyncMs > syncBefore)
      size = replicaBoundChunkSize(size, lastRows, clock() - waitStarted, deps.maxLagSeconds * 1000, config.chunk);

    const limit = Math.min(size, config.maxRowsPerRun - budget.rowsDeleted);
    let chunk: { selected: { id: unknown; expiry: string }[]; deleted: number; ms: number } | null = null;
    for (let attempt = 0; ; attempt += 1) {
      try {
        chunk = await runChunk(db, plan, last, limit, clock);
        break;
      } catch (err) {
        const errno = (err as { errno?: number }).errno;
        if (errno === undefined || !RETRYABLE.has(errno)) throw err;
        out.retries += 1;
        if (attempt >= config.retry.maxRetries || signal.aborted) break;
        await deps.sleep(backoffDelay(attempt, { initialMs: config.retry.backoffMs }), signal);
      }
    }
    if (!chunk) {
      out.stopReason = signal.aborted ? 'aborted' : 'retries-exhausted';
      break;
    }

    const n = chunk.selected.length;
    if (n > 0) {
      out.chunks += 1;
      out.rowsDeleted += chunk.deleted;
      budget.rowsDeleted += chunk.deleted;
      out.rowsKept += n - chunk.deleted;
      out.slowestChunkMs = Math.max(out.slowestChunkMs ?? 0, chunk.ms);
      out.chunkRows.last = limit;
      out.chunkRows.min = Math.min(out.chunkRows.min ?? limit, limit);
      out.chunkRows.max = Math.max(out.chunkRows.max ?? limit, limit);
      last = chunk.selected[n - 1]!;
      lastRows = n;
      if (deps.replicaMark) mark = await deps.replicaMark();
    }
    if (n < limit) break; // the walk reached the cutoff
    await testPause('purge-between-chunks');
    size = nextChunkSize(n, chunk.ms, config.chunk);

    const now = clock();
    if (now - lastProgress >= 250) {
      lastProgress = now;
      deps.progress(progressLine(out, now - started));
    }
    if (config.chunk.restRatio > 0) {
      const rest = chunk.ms * config.chunk.restRatio;
      await deps.sleep(rest, signal);
      out.restedMs += rest;
    }
  }
  out.durationMs = clock() - started;
  out.rowsPerSecond = out.durationMs > 0 ? Math.round((out.rowsDeleted * 1000) / out.durationMs) : null;
  // A count after an abort could outlast the shutdown grace; skip it then.
  if (!signal.aborted) {
    const rows = await db.query<RowDataPacket[]>(plan.countSql, [plan.cutoff]);
    out.backlogLeft = Number(rows[0]!.n);
  }
  return out;
}

async function runChunk(
  db: ApplyDeps['db'],
  plan: TargetPlan,
  last: { expiry: string; id: unknown } | null,
  limit: number,
  clock: () => number,
) {
  const t0 = clock();
  await db.query('START TRANSACTION');
  try {
    const selected = last
      ? await db.query<RowDataPacket[]>(plan.selectNextSql, [
          plan.cutoff,
          last.expiry,
          last.expiry,
          last.expiry,
          last.id,
          limit,
        ])
      : await db.query<RowDataPacket[]>(plan.selectFirstSql, [plan.cutoff, limit]);
    let deleted = 0;
    if (selected.length > 0) {
      const res = await db.query<ResultSetHeader>(plan.deleteSql, [selected.map((r) => r.id), plan.cutoff]);
      deleted = res.affectedRows;
    }
    await testPause('purge-before-commit');
    await db.query('COMMIT');
    return {
      selected: selected.map((r) => ({ id: r.id as unknown, expiry: String(r.expiry) })),
      deleted,
      ms: clock() - t0,
    };
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Pauses while the server is busy or a replica is behind; returns why to stop instead, or null to go on. */
async function waitWhileBusy(
  deps: ApplyDeps,
  config: PurgeConfig,
  out: TargetOutcome,
  signal: AbortSignal,
  overTime: () => boolean,
  mark: string | null,
): Promise<StopReason | null> {
  const limits = { maxThreadsRunning: config.throttle.maxThreadsRunning, maxReplicaLagSeconds: deps.maxLagSeconds };
  // The current pause: one record per run of the same reason kind.
  let current: { kind: string; replica: boolean; applying: boolean; since: number } | null = null;
  const close = () => {
    if (!current) return;
    const ms = deps.clock() - current.since;
    if (current.applying) {
      out.replicaSyncMs += ms;
      current = null;
      return;
    }
    out.pausedMs += ms;
    if (current.replica) out.replicaPausedMs += ms;
    if (out.pauses.length < MAX_PAUSE_RECORDS)
      out.pauses.push({
        reason: current.kind,
        seconds: Math.round(ms) / 1000,
        replica: current.replica,
        afterRows: out.rowsDeleted,
      });
    current = null;
  };
  try {
    for (;;) {
      const replica = deps.replica.kind === 'replica' ? await readReplica(deps.db) : deps.replica;
      const replicas = deps.replicas ? await deps.replicas(mark) : null;
      const verdict = throttleVerdict({ threadsRunning: await readThreadsRunning(deps.db), replica, replicas }, limits);
      if (!verdict) return null;
      if (current && current.kind !== verdict.kind) close();
      current ??= {
        kind: verdict.kind,
        replica: verdict.replica,
        applying: verdict.applying === true,
        since: deps.clock(),
      };
      if (!verdict.applying && !out.pauseReasons.includes(verdict.reason) && out.pauseReasons.length < 10)
        out.pauseReasons.push(verdict.reason);
      const stop: StopReason | null = signal.aborted ? 'aborted' : overTime() ? 'time-cap' : null;
      if (stop) {
        out.stoppedWaitingForReplica = verdict.replica;
        return stop;
      }
      // Catching up on one chunk takes milliseconds to a second: look again soon.
      await deps.sleep(
        verdict.applying ? Math.min(config.throttle.pollMs, APPLY_POLL_MS) : config.throttle.pollMs,
        signal,
      );
    }
  } finally {
    close();
  }
}

async function estimateBacklog(db: ApplyDeps['db'], plan: TargetPlan): Promise<number | null> {
  try {
    const rows = await db.query<RowDataPacket[]>(`EXPLAIN ${plan.countSql}`, [plan.cutoff]);
    const n = rows[0]?.rows;
    return n === null || n === undefined ? null : Number(n);
  } catch {
    return null;
  }
}

export function progressLine(o: TargetOutcome, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (o.rowsDeleted * 1000) / elapsedMs : 0;
  const left = o.backlogEstimateAtStart === null ? null : Math.max(0, o.backlogEstimateAtStart - o.rowsDeleted);
  const eta = left === null || rate <= 0 ? '?' : `${Math.ceil(left / rate)} s`;
  return `${o.table}: ${formatNumber(o.rowsDeleted)} rows deleted, ${formatNumber(Math.round(rate))} rows/s, ETA ${eta}`;
}
