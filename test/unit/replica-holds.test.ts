// The writing jobs' one call before a statement (issue 16): OPTIMIZE skipped with the figure, the purge's alert.
import { describe, expect, it } from 'vitest';
import { applyOptimize } from '../../jobs/table-maintenance/apply.js';
import { boundReplicatedRebuilds, predictRebuildSeconds } from '../../jobs/table-maintenance/rebuild-speed.js';
import type { MaintenanceTablePlan } from '../../jobs/table-maintenance/plan.js';
import { untouchedOutcome } from '../../jobs/purge-locks/apply.js';
import { purgeResult } from '../../jobs/purge-locks/report.js';
import type { PurgePlan } from '../../jobs/purge-locks/plan.js';
import { detectDialect } from '../../src/db/dialect.js';
import type { JobDb } from '../../src/db/job-db.js';
import { holdForReplicas } from '../../src/replica/replica-hold.js';
import { noReplicas } from '../../src/replica/job-replicas.js';

const rebuild = (table: string): MaintenanceTablePlan => ({
  table,
  error: null,
  analyze: [],
  analyzeReason: null,
  optimize: {
    action: 'rebuild',
    reason: 'bloated',
    statement: { sql: `OPTIMIZE TABLE \`${table}\``, values: [], method: 'optimize', why: 'test' },
  },
  facts: null,
  estimate: null,
  prediction: null,
  predictionNote: null,
});

function fakeDb(): { db: JobDb; sql: string[] } {
  const sql: string[] = [];
  const db = {
    dialect: detectDialect('10.11.9-MariaDB'),
    database: 'booking',
    schema: 'booking',
    conn: null as unknown as JobDb['conn'],
    query: async (s: string) => {
      sql.push(s);
      return [{ Msg_type: 'status', Msg_text: 'OK' }];
    },
  } as unknown as JobDb;
  return { db, sql };
}

describe('OPTIMIZE waits for the replicas', () => {
  it('skips a rebuild the replicas are too far behind for, with the figure, and runs the next one once they catch up', async () => {
    const { db, sql } = fakeDb();
    const holds = ['waited 300 s; r1: lag 42 s > 1 s (status 42 s, heartbeat 41.8 s)', null];
    const out = await applyOptimize([rebuild('a'), rebuild('b')], db, {
      schema: 'booking',
      signal: new AbortController().signal,
      progress: () => {},
      mdlWaitSeconds: 0,
      longTransactionSeconds: 5,
      ddlLockWaitSeconds: 2,
      holdForReplicas: async () => holds.shift() ?? null,
    });
    expect(out[0]).toMatchObject({
      table: 'a',
      outcome: 'replica-lagging',
      message: 'waited 300 s; r1: lag 42 s > 1 s (status 42 s, heartbeat 41.8 s)',
    });
    expect(out[1]).toMatchObject({ table: 'b', outcome: 'ok' });
    // Only b's rebuild reached the server (beside the session's lock_wait_timeout, set and restored around it).
    expect(sql.filter((q) => !/lock_wait_timeout/.test(q))).toEqual(['OPTIMIZE TABLE `b`']);
  });

  it('without replicas configured the hold passes at once', async () => {
    expect(await holdForReplicas(noReplicas(), new AbortController().signal)).toBeNull();
  });
});

describe('purge held back by a replica', () => {
  const plan = { ok: true, targets: [], notes: [] } as unknown as Extract<PurgePlan, { ok: true }>;
  const facts = { database: 'booking', targets: [], replica: { kind: 'not-a-replica' as const } };
  const target = {
    table: 'appointment_locks',
    expiryColumn: 'expires_at',
    index: 'idx',
    cutoff: 'c',
    cutoffBasis: 'b',
    zone: 'UTC',
  };

  it('asks for an alert when it stopped while waiting for a replica', () => {
    const o = {
      ...untouchedOutcome(target, 'time-cap'),
      stoppedWaitingForReplica: true,
      replicaPausedMs: 3_600_000,
      pauseReasons: ['replica r1: lag 90 s > 1 s (status 90 s, heartbeat none)'],
    };
    const r = purgeResult([o], plan, facts, { nodes: ['r1'], maxLagSeconds: 1 });
    expect(r.status).toBe('warning');
    expect(r.alert).toBe(
      'purge stopped while waiting for a replica (appointment_locks: 0 rows deleted, 3600 s waiting): replica r1: lag 90 s > 1 s (status 90 s, heartbeat none)',
    );
    const figure = r
      .sections!.flatMap((s) => (s.kind === 'figures' ? s.figures : []))
      .find((f) => f.label === 'appointment_locks: paused for replicas');
    expect(figure).toMatchObject({ value: 3_600_000, status: 'fail' });
  });

  it('no alert for a run that paused for a replica and finished', () => {
    const o = { ...untouchedOutcome(target, 'done'), replicaPausedMs: 2_000 };
    expect(purgeResult([o], plan, facts, { nodes: ['r1'], maxLagSeconds: 1 }).alert).toBeUndefined();
  });
});

describe('a rebuild replays on the replicas as one event: the predicted-duration bound', () => {
  const plan = (bytes: number): MaintenanceTablePlan => ({
    ...rebuild('appointments'),
    facts: {
      table: 'appointments',
      exists: true,
      tableType: 'BASE TABLE',
      engine: 'InnoDB',
      rows: 1,
      dataLength: bytes,
      indexLength: 0,
      dataFree: 0,
      blockingIndexes: [],
      statsUpdatedAt: null,
      tablespace: null,
    },
  });
  const bound = {
    replicas: true,
    maintenanceWindow: false,
    maxReplicatedRebuildSeconds: 60,
    assumedRebuildBytesPerSecond: 10 * 1048576,
    speeds: new Map<string, number>(),
  };

  it('predicts from the last rebuild of the table, else the assumed speed', () => {
    expect(predictRebuildSeconds(600 * 1048576, undefined, 10 * 1048576)).toEqual({
      seconds: 60,
      basis: 'no rebuild measured yet: assumed 10.0 MiB/s (assumedRebuildBytesPerSecond)',
    });
    expect(predictRebuildSeconds(600 * 1048576, 50 * 1048576, 10 * 1048576)).toEqual({
      seconds: 12,
      basis: 'its last rebuild ran at 50.0 MiB/s',
    });
  });

  it('skips a rebuild predicted above the bound, unless --maintenance-window or no replicas', () => {
    const [skipped] = boundReplicatedRebuilds([plan(1200 * 1048576)], bound);
    expect(skipped!.optimize).toEqual({
      action: 'skip',
      reason:
        'replica-lagging: a rebuild replays on the replicas as one event; predicted 120 s (no rebuild measured yet: assumed 10.0 MiB/s (assumedRebuildBytesPerSecond)) > maxReplicatedRebuildSeconds 60 s; allowed only with --maintenance-window',
    });
    expect(
      boundReplicatedRebuilds([plan(1200 * 1048576)], { ...bound, maintenanceWindow: true })[0]!.optimize!.action,
    ).toBe('rebuild');
    expect(boundReplicatedRebuilds([plan(1200 * 1048576)], { ...bound, replicas: false })[0]!.optimize!.action).toBe(
      'rebuild',
    );
    expect(boundReplicatedRebuilds([plan(600 * 1048576)], bound)[0]!.optimize!.action).toBe('rebuild');
    expect(
      boundReplicatedRebuilds([plan(1200 * 1048576)], {
        ...bound,
        speeds: new Map([['appointments', 40 * 1048576]]),
      })[0]!.optimize!.action,
    ).toBe('rebuild');
  });
});
