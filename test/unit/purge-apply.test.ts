import { describe, expect, it } from 'vitest';
import { detectDialect } from '../../src/db/dialect.js';
import { purgeTarget, type ApplyDeps } from '../../jobs/purge-locks/apply.js';
import type { PurgeConfig } from '../../jobs/purge-locks/config.js';
import type { PurgeFacts } from '../../jobs/purge-locks/facts.js';
import { planPurge, type TargetPlan } from '../../jobs/purge-locks/plan.js';
import { replicaGate, type ReplicaGate } from '../../src/replica/replica-lag.js';
import type { ReplicaProbe } from '../../src/replica/replica-probe.js';

const NOW = new Date('2026-11-30T17:00:00.000Z');
const CUTOFF = '2026-11-30 17:00:00.000000';
const baseConfig: PurgeConfig = {
  targets: [{ table: 'locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'Etc/UTC' }],
  chunk: { minRows: 10, startRows: 100, maxRows: 2000, targetMs: 100, restRatio: 0 },
  maxRowsPerRun: 1_000_000,
  maxRunSeconds: 600,
  throttle: { maxThreadsRunning: 30, pollMs: 1000 },
  retry: { maxRetries: 3, backoffMs: 50 },
};

function plan(): TargetPlan {
  const facts: PurgeFacts = {
    database: 'booking',
    replica: { kind: 'not-a-replica' },
    targets: [
      {
        target: baseConfig.targets[0]!,
        table: { engine: 'InnoDB' },
        columns: [
          { name: 'id', dataType: 'bigint' },
          { name: 'expires_at', dataType: 'datetime' },
        ],
        indexes: [
          { name: 'PRIMARY', columns: ['id'], usable: true },
          { name: 'idx_exp', columns: ['expires_at'], usable: true },
        ],
        wallClockSamples: [CUTOFF],
        zoneLabel: 'Etc/UTC',
      },
    ],
  };
  const p = planPurge(facts, baseConfig, NOW);
  if (!p.ok) throw new Error(p.refusals.join());
  return p.targets[0]!;
}

interface Row {
  id: number;
  expiry: string;
}
const ts = (minutesFromCutoff: number) =>
  new Date(NOW.getTime() + minutesFromCutoff * 60_000).toISOString().replace('T', ' ').replace('Z', '000');

/** An in-memory table behind the statements the plan builds; time moves only when the fake says so. */
function fakeTable(
  expired: number,
  live: number,
  opts: {
    msPerRow?: number;
    threads?: () => number;
    beforeDelete?: (ids: number[], rows: Row[]) => void;
    replicas?: (applied: string | null) => Promise<ReplicaGate>;
  } = {},
) {
  let rows: Row[] = [];
  let id = 1;
  // Expiries interleave ids so the walk order is not the id order; several rows share one expiry.
  for (let i = 0; i < expired; i += 1) rows.push({ id: id++, expiry: ts(-1 - ((i * 7) % 500)) });
  for (let i = 0; i < live; i += 1) rows.push({ id: id++, expiry: ts(1 + (i % 300)) });
  let time = 0;
  const log: string[] = [];
  const p = plan();
  const query = async (sql: string, values: unknown[] = []): Promise<unknown> => {
    log.push(sql.split(' ')[0]!);
    if (sql.startsWith('SHOW GLOBAL STATUS'))
      return [{ Variable_name: 'Threads_running', Value: String(opts.threads?.() ?? 3) }];
    if (sql.startsWith('EXPLAIN')) return [{ rows: rows.filter((r) => r.expiry < CUTOFF).length }];
    if (sql === p.countSql) return [{ n: rows.filter((r) => r.expiry < (values[0] as string)).length }];
    if (sql === p.selectFirstSql || sql === p.selectNextSql) {
      const [cutoff] = values as string[];
      const after = sql === p.selectNextSql ? { e: values[1] as string, id: values[4] as number } : null;
      return rows
        .filter(
          (r) => r.expiry < cutoff! && (!after || r.expiry > after.e || (r.expiry === after.e && r.id > after.id)),
        )
        .sort((a, b) => (a.expiry < b.expiry ? -1 : a.expiry > b.expiry ? 1 : a.id - b.id))
        .slice(0, values.at(-1) as number)
        .map((r) => ({ ...r }));
    }
    if (sql === p.deleteSql) {
      const [ids, cutoff] = values as [number[], string];
      opts.beforeDelete?.(ids, rows);
      const gone = new Set(rows.filter((r) => ids.includes(r.id) && r.expiry < cutoff).map((r) => r.id));
      rows = rows.filter((r) => !gone.has(r.id));
      time += gone.size * (opts.msPerRow ?? 0.02);
      return { affectedRows: gone.size };
    }
    if (/^(START TRANSACTION|COMMIT|ROLLBACK|SET SESSION)/.test(sql)) return [];
    throw new Error(`unexpected SQL ${sql}`);
  };
  const progress: string[] = [];
  const deps: ApplyDeps = {
    db: { query: query as ApplyDeps['db']['query'], dialect: detectDialect('10.11.9-MariaDB'), database: 'booking' },
    clock: () => time,
    sleep: async (ms) => {
      time += ms;
    },
    progress: (l) => progress.push(l),
    replica: { kind: 'not-a-replica' },
    maxLagSeconds: 1,
    ...(opts.replicas ? { replicas: opts.replicas } : {}),
  };
  return {
    deps,
    rows: () => rows,
    log,
    progress,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

const run = (
  f: ReturnType<typeof fakeTable>,
  config: Partial<PurgeConfig> = {},
  signal = new AbortController().signal,
) => purgeTarget(plan(), { ...baseConfig, ...config }, f.deps, { startedAt: 0, rowsDeleted: 0 }, signal);

describe('purgeTarget', () => {
  it('deletes every expired row, keeps the live ones, and grows chunks while they are fast', async () => {
    const f = fakeTable(5000, 700);
    const o = await run(f);
    expect(f.rows().filter((r) => r.expiry < CUTOFF)).toHaveLength(0);
    expect(f.rows()).toHaveLength(700);
    expect(o).toMatchObject({
      rowsDeleted: 5000,
      rowsKept: 0,
      stopReason: 'done',
      backlogLeft: 0,
      retries: 0,
      pausedMs: 0,
    });
    expect(o.chunkRows.max).toBeGreaterThan(baseConfig.chunk.startRows);
    expect(o.chunkRows.max).toBeLessThanOrEqual(baseConfig.chunk.maxRows);
    expect(o.chunks).toBeLessThan(50);
    expect(o.backlogEstimateAtStart).toBe(5000);
  });

  it('shrinks chunks when they are slow', async () => {
    const f = fakeTable(3000, 0, { msPerRow: 2 }); // 100 rows = 200 ms
    const o = await run(f);
    expect(o.chunkRows.min).toBe(50);
    expect(o.rowsDeleted).toBe(3000);
  });

  it('stops at the row cap with the rest left as backlog', async () => {
    const f = fakeTable(5000, 10);
    const o = await run(f, { maxRowsPerRun: 2500 });
    expect(o).toMatchObject({ rowsDeleted: 2500, stopReason: 'row-cap', backlogLeft: 2500 });
  });

  it('stops at the time cap between chunks', async () => {
    const f = fakeTable(5000, 0, { msPerRow: 1 });
    const o = await run(f, { maxRunSeconds: 2, chunk: { ...baseConfig.chunk, maxRows: 100 } });
    expect(o.stopReason).toBe('time-cap');
    expect(o.rowsDeleted).toBe(2000);
    expect(o.backlogLeft).toBe(3000);
  });

  it('stops between chunks on abort, does not count the backlog, leaves no half chunk', async () => {
    const ac = new AbortController();
    let deletes = 0;
    const f = fakeTable(5000, 0, {
      beforeDelete: () => {
        if (++deletes === 3) ac.abort();
      },
    });
    const o = await run(f, { chunk: { ...baseConfig.chunk, maxRows: 100 } }, ac.signal);
    expect(o).toMatchObject({ stopReason: 'aborted', rowsDeleted: 300, chunks: 3, backlogLeft: null });
    expect(f.rows()).toHaveLength(4700);
  });

  it('retries a chunk on deadlock and lock-wait timeout with growing backoff', async () => {
    let deletes = 0;
    const errs = [1213, 1205];
    const f = fakeTable(1000, 0, {
      beforeDelete: () => {
        const e = errs[deletes++];
        if (e) throw Object.assign(new Error('conflict'), { errno: e });
      },
    });
    const o = await run(f);
    expect(o).toMatchObject({ retries: 2, rowsDeleted: 1000, stopReason: 'done' });
    expect(f.log.filter((s) => s === 'ROLLBACK')).toHaveLength(2);
  });

  it('gives up after maxRetries and says so, having deleted nothing more', async () => {
    const f = fakeTable(1000, 0, {
      beforeDelete: () => {
        throw Object.assign(new Error('Lock wait timeout'), { errno: 1205 });
      },
    });
    const o = await run(f);
    expect(o).toMatchObject({ retries: 4, rowsDeleted: 0, stopReason: 'retries-exhausted', backlogLeft: 1000 });
  });

  it('does not retry other errors', async () => {
    const f = fakeTable(1000, 0, {
      beforeDelete: () => {
        throw Object.assign(new Error('syntax'), { errno: 1064 });
      },
    });
    await expect(run(f)).rejects.toThrow('syntax');
    expect(f.log.at(-1)).toBe('ROLLBACK');
  });

  it('pauses while Threads_running is over the threshold and records the time', async () => {
    let checks = 0;
    const f = fakeTable(500, 0, { threads: () => (++checks <= 3 ? 45 : 2) });
    const o = await run(f);
    expect(o.pausedMs).toBe(3000);
    expect(o.pauseReasons).toEqual(['Threads_running 45 > 30']);
    expect(o.rowsDeleted).toBe(500);
  });

  it('keeps a row whose lock was extended between the select and the delete', async () => {
    let once = false;
    const f = fakeTable(300, 0, {
      beforeDelete: (ids, rows) => {
        if (!once) {
          once = true;
          rows.find((r) => r.id === ids[0])!.expiry = ts(30);
        }
      },
    });
    const o = await run(f);
    expect(o).toMatchObject({ rowsDeleted: 299, rowsKept: 1, backlogLeft: 0 });
    expect(f.rows()).toHaveLength(1);
  });

  it('rests restRatio × each chunk time between chunks', async () => {
    const f = fakeTable(1000, 0, { msPerRow: 1 });
    const o = await run(f, { chunk: { ...baseConfig.chunk, maxRows: 100, restRatio: 0.5 } });
    expect(o.chunks).toBe(10);
    expect(o.restedMs).toBe(500);
    expect(o.durationMs).toBe(1500);
  });

  it('reports progress with rate and ETA', async () => {
    const f = fakeTable(3000, 0, { msPerRow: 2 });
    await run(f, { chunk: { ...baseConfig.chunk, maxRows: 100 } });
    expect(f.progress.length).toBeGreaterThan(2);
    expect(f.progress[0]).toMatch(/^locks: [\d,]+ rows deleted, [\d,]+ rows\/s, ETA \d+ s$/);
  });
});

/** A replica r1 whose Seconds_Behind_Master is `lag` (null: SQL thread stopped). */
function probe(lag: number | null): ReplicaProbe {
  return {
    node: 'r1',
    reachable: true,
    error: null,
    status: {
      kind: 'replica',
      ioState: 'Yes',
      ioRunning: true,
      sqlRunning: lag !== null,
      lagSeconds: lag,
      lagUnknownReason: lag === null ? 'the SQL thread is stopped' : null,
      lastError: null,
      delaySeconds: 0,
    },
    heartbeat: null,
    heartbeatNote: null,
    readOnly: true,
  };
}

describe('purgeTarget with replicas', () => {
  it('pauses between chunks while a replica lags or its lag is unknown, deletes nothing meanwhile, then resumes', async () => {
    const lags: (number | null)[] = [5, 5, null, null, 0];
    let deletedWhileLagging = 0;
    let lagging = false;
    const f = fakeTable(3000, 10, {
      replicas: async () => {
        const lag = lags.length > 0 ? lags.shift()! : 0;
        lagging = lag === null || lag > 1;
        return replicaGate([probe(lag)], 1, 'wait');
      },
      beforeDelete: (ids) => {
        if (lagging) deletedWhileLagging += ids.length;
      },
    });
    const o = await run(f, { throttle: { maxThreadsRunning: 30, pollMs: 1000 } });
    expect(deletedWhileLagging).toBe(0);
    expect(o.rowsDeleted).toBe(3000);
    expect(o.stopReason).toBe('done');
    expect(o.pauses).toEqual([
      { reason: 'replica r1 lagging', seconds: 2, replica: true, afterRows: 0 },
      { reason: 'replica r1 lag unknown', seconds: 2, replica: true, afterRows: 0 },
    ]);
    expect(o.replicaPausedMs).toBe(4000);
    expect(o.pauseReasons.join('\n')).toMatch(/r1: lag 5 s > 1 s/);
    expect(o.stoppedWaitingForReplica).toBe(false);
  });

  it('stops at the time cap while a replica stays behind, and says so', async () => {
    const f = fakeTable(500, 0, { replicas: async () => replicaGate([probe(30)], 1, 'wait') });
    const o = await run(f, { maxRunSeconds: 5, throttle: { maxThreadsRunning: 30, pollMs: 1000 } });
    expect(o).toMatchObject({ rowsDeleted: 0, stopReason: 'time-cap', stoppedWaitingForReplica: true });
    expect(f.rows()).toHaveLength(500);
  });

  it('the abort signal ends a replica pause', async () => {
    const ac = new AbortController();
    let looks = 0;
    const f = fakeTable(500, 0, {
      replicas: async () => {
        looks += 1;
        if (looks === 3) ac.abort();
        return replicaGate([probe(null)], 1, 'wait');
      },
    });
    const o = await run(f, {}, ac.signal);
    expect(o).toMatchObject({ rowsDeleted: 0, stopReason: 'aborted', stoppedWaitingForReplica: true });
  });
});

describe('purgeTarget waits for the replica to apply each chunk', () => {
  it('the next chunk waits until the replica has the mark written after the last one; that wait is not a pause', async () => {
    let marks = 0;
    let applied = 0;
    let looks = 0;
    const f = fakeTable(4000, 0, {
      // The replica needs 3 looks (25 ms apart, fake time) to apply each chunk, then it has the mark.
      replicas: async (mark: string | null) => {
        const want = mark === null ? 0 : Number(mark);
        looks += 1;
        if (applied < want && looks % 3 === 0) applied = want;
        const p = { ...probe(0), beat: String(applied).padStart(6, '0') };
        return replicaGate([p], 1, 'wait', mark === null ? null : String(want).padStart(6, '0'));
      },
    });
    f.deps.replicaMark = async () => String(++marks);
    const o = await run(f, { chunk: { minRows: 10, startRows: 100, maxRows: 2000, targetMs: 100, restRatio: 0 } });
    expect(o.rowsDeleted).toBe(4000);
    // Every chunk but the last waited for its mark (the run ends after the last one).
    expect(marks).toBeGreaterThan(2);
    expect(applied).toBe(marks - 1);
    expect(o.pauses).toEqual([]);
    expect(o.replicaSyncMs).toBeGreaterThan(0);
  });

  it('caps a chunk the replica took longer than half the lag limit to apply', async () => {
    const { replicaBoundChunkSize } = await import('../../jobs/purge-locks/chunk-size.js');
    expect(replicaBoundChunkSize(5000, 5000, 2500, 1000, { minRows: 100, maxRows: 5000 })).toBe(1000);
    expect(replicaBoundChunkSize(5000, 5000, 400, 1000, { minRows: 100, maxRows: 5000 })).toBe(5000);
    expect(replicaBoundChunkSize(5000, 5000, 1_000_000, 1000, { minRows: 100, maxRows: 5000 })).toBe(100);
  });
});
