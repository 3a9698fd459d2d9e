import { describe, expect, it } from 'vitest';
import { detectDialect, replicaNodeStatusStatement } from '../../src/db/dialect.js';
import { heartbeatLag, utcMs } from '../../src/replica/heartbeat.js';
import { describeNodeLag, gateReason, nodeLag, replicaGate } from '../../src/replica/replica-lag.js';
import { replicaHoldOf, replicaHoldText } from '../../src/replica/replica-hold.js';
import type { ReplicaProbe } from '../../src/replica/replica-probe.js';
import { parseReplicaStatus } from '../../src/replica/replica-status.js';
import { waitForReplicaGate } from '../../src/replica/wait-for-replicas.js';

// Recorded rows (the columns that matter), MariaDB 10.11 `SHOW REPLICA STATUS` and MySQL 8.0.36 `SHOW REPLICA STATUS`.
const MARIADB_RUNNING = {
  Slave_IO_Running: 'Yes',
  Slave_SQL_Running: 'Yes',
  Seconds_Behind_Master: 0,
  Last_IO_Error: '',
  Last_SQL_Error: '',
  SQL_Delay: 0,
};
const MARIADB_SQL_STOPPED = { ...MARIADB_RUNNING, Slave_SQL_Running: 'No', Seconds_Behind_Master: null };
const MARIADB_DELAYED = { ...MARIADB_RUNNING, Seconds_Behind_Master: 2, SQL_Delay: 5 };
const MYSQL_RUNNING = {
  Replica_IO_Running: 'Yes',
  Replica_SQL_Running: 'Yes',
  Seconds_Behind_Source: 7,
  Last_IO_Error: '',
  Last_SQL_Error: '',
  SQL_Delay: 0,
};
const MYSQL_BROKEN = {
  ...MYSQL_RUNNING,
  Replica_SQL_Running: 'No',
  Seconds_Behind_Source: null,
  Last_SQL_Error:
    "Could not execute Write_rows event on table booking.users; Duplicate entry 'ann@example.com' for key 'uq_email'",
};
const MYSQL_CONNECTING = {
  ...MYSQL_RUNNING,
  Replica_IO_Running: 'Connecting',
  Seconds_Behind_Source: 0,
  Last_IO_Error: 'error connecting to source',
};

describe('replica status statement', () => {
  it.each([
    ['10.11.9-MariaDB', 'SHOW REPLICA STATUS'],
    ['10.5.1-MariaDB', 'SHOW REPLICA STATUS'],
    ['10.4.30-MariaDB', 'SHOW SLAVE STATUS'],
    ['8.0.36', 'SHOW REPLICA STATUS'],
    ['8.0.22', 'SHOW REPLICA STATUS'],
    ['8.0.21', 'SHOW SLAVE STATUS'],
    ['5.7.44-log', 'SHOW SLAVE STATUS'],
  ])('%s: %s', (version, sql) => {
    expect(replicaNodeStatusStatement(detectDialect(version))).toBe(sql);
  });
});

describe('parseReplicaStatus', () => {
  it('reads a running MariaDB replica', () => {
    expect(parseReplicaStatus([MARIADB_RUNNING])).toEqual({
      kind: 'replica',
      ioState: 'Yes',
      ioRunning: true,
      sqlRunning: true,
      lagSeconds: 0,
      lagUnknownReason: null,
      lastError: null,
      delaySeconds: 0,
    });
  });

  it('a stopped SQL thread is unknown lag, never 0', () => {
    expect(parseReplicaStatus([MARIADB_SQL_STOPPED])).toMatchObject({
      sqlRunning: false,
      lagSeconds: null,
      lagUnknownReason: 'the SQL thread is stopped',
    });
  });

  it('an IO thread that is connecting makes a 0 unknown', () => {
    expect(parseReplicaStatus([MYSQL_CONNECTING])).toMatchObject({
      ioState: 'Connecting',
      lagSeconds: null,
      lagUnknownReason: 'the IO thread is Connecting',
      lastError: 'error connecting to source',
    });
  });

  it("reads MySQL 8.0.22+'s Replica_*/Source_* columns", () => {
    expect(parseReplicaStatus([MYSQL_RUNNING])).toMatchObject({ ioRunning: true, sqlRunning: true, lagSeconds: 7 });
  });

  it('masks the values a failed row event quotes', () => {
    const s = parseReplicaStatus([MYSQL_BROKEN]);
    expect(s).toMatchObject({ lagSeconds: null });
    expect(s.kind === 'replica' && s.lastError).not.toContain('ann@example.com');
  });

  it('reports MASTER_DELAY, and no row as not a replica', () => {
    expect(parseReplicaStatus([MARIADB_DELAYED])).toMatchObject({ lagSeconds: 2, delaySeconds: 5 });
    expect(parseReplicaStatus([])).toEqual({ kind: 'not-a-replica' });
  });
});

describe('heartbeatLag', () => {
  const beats = ['2026-12-02 10:00:00.000000', '2026-12-02 10:00:01.000000', '2026-12-02 10:00:02.000000'];
  it('is 0 when the replica has the newest beat', () => {
    expect(heartbeatLag('2026-12-02 10:00:02.400000', beats, beats[2]!)).toEqual({ ageSeconds: 0.4, lagSeconds: 0 });
  });
  it('is how long ago the first beat the replica lacks was written', () => {
    expect(heartbeatLag('2026-12-02 10:00:02.500000', beats, beats[0]!)).toEqual({ ageSeconds: 2.5, lagSeconds: 1.5 });
  });
  it('a replica still on a beat of an earlier run lags since this run began', () => {
    expect(heartbeatLag('2026-12-02 10:00:02.500000', beats, '2026-12-01 03:15:00.000000')!.lagSeconds).toBe(2.5);
  });
  it('without beats written in this run (dry run) it is the age', () => {
    expect(heartbeatLag('2026-12-02 10:00:05.000000', [], beats[0]!)).toEqual({ ageSeconds: 5, lagSeconds: 5 });
  });
  it('parses microseconds in UTC', () => {
    expect(utcMs('2026-12-02 10:00:00.123456')).toBe(Date.UTC(2026, 11, 2, 10, 0, 0) + 123.456);
    expect(heartbeatLag('not a time', beats, beats[0]!)).toBeNull();
  });
});

const probe = (
  over: { node?: string; reachable?: boolean; error?: string; lag?: number | null; heartbeat?: number | null } = {},
): ReplicaProbe => {
  const lag = over.lag === undefined ? 0 : over.lag;
  return {
    node: 'r1',
    reachable: true,
    error: null,
    status: parseReplicaStatus([
      lag === null ? MARIADB_SQL_STOPPED : { ...MARIADB_RUNNING, Seconds_Behind_Master: lag },
    ]),
    heartbeat:
      over.heartbeat === undefined || over.heartbeat === null
        ? null
        : { ageSeconds: over.heartbeat, lagSeconds: over.heartbeat },
    heartbeatNote: null,
    readOnly: true,
    ...(over.reachable === false
      ? { reachable: false, status: null, error: over.error ?? 'connect ECONNREFUSED' }
      : {}),
    ...(over.node ? { node: over.node } : {}),
  };
};

describe('nodeLag and replicaGate', () => {
  it('takes the larger of the two measures', () => {
    expect(nodeLag(probe({ lag: 0, heartbeat: 3.2 }), 1)).toEqual({
      node: 'r1',
      statusLagSeconds: 0,
      heartbeatLagSeconds: 3.2,
      verdict: { kind: 'lagging', lagSeconds: 3.2 },
    });
    expect(nodeLag(probe({ lag: 1, heartbeat: 0.2 }), 1).verdict).toEqual({ kind: 'ok', lagSeconds: 1 });
  });
  it('unknown status lag stays unknown whatever the heartbeat says', () => {
    expect(nodeLag(probe({ lag: null, heartbeat: 0 }), 1).verdict).toEqual({
      kind: 'unknown',
      reason: 'the SQL thread is stopped',
    });
  });
  it('an unreachable node holds writes (wait) or is passed over (ignore)', () => {
    const probes = [probe({ node: 'r1' }), probe({ node: 'r2', reachable: false })];
    expect(replicaGate(probes, 1, 'wait')).toMatchObject({ ok: false, blocking: [{ node: 'r2' }] });
    expect(replicaGate(probes, 1, 'ignore')).toMatchObject({ ok: true, ignored: [{ node: 'r2' }] });
  });
  it('says why, with the figures', () => {
    const g = replicaGate([probe({ lag: 12, heartbeat: 12.4 })], 1, 'wait');
    expect(gateReason(g, 1)).toBe('replica r1: lag 12.4 s > 1 s (status 12 s, heartbeat 12.4 s)');
    expect(describeNodeLag(nodeLag(probe({ lag: null }), 1), 1)).toBe(
      'r1: lag unknown, the SQL thread is stopped (status unknown, heartbeat none)',
    );
  });
});

describe('waitForReplicaGate', () => {
  it('returns ok as soon as the replicas catch up', async () => {
    let t = 0;
    const lags = [5, 3, 0];
    const r = await waitForReplicaGate(
      {
        check: async () => replicaGate([probe({ lag: lags.shift() ?? 0 })], 1, 'wait'),
        clock: () => t,
        sleep: async (ms) => void (t += ms),
      },
      { waitSeconds: 10, pollMs: 1000, signal: new AbortController().signal },
    );
    expect(r).toMatchObject({ kind: 'ok', waitedMs: 2000 });
  });
  it('gives up after waitSeconds with the figure', async () => {
    let t = 0;
    const r = await waitForReplicaGate(
      {
        check: async () => replicaGate([probe({ lag: 40 })], 1, 'wait'),
        clock: () => t,
        sleep: async (ms) => void (t += ms),
      },
      { waitSeconds: 3, pollMs: 1000, signal: new AbortController().signal },
    );
    expect(r).toMatchObject({ kind: 'lagging', waitedMs: 3000 });
    expect(replicaHoldText(replicaHoldOf(r, 1)!)).toBe('waited 3 s; r1: lag 40 s > 1 s (status 40 s, heartbeat none)');
  });
  it('an unreachable node ends as unreachable; the signal ends the wait at once', async () => {
    let t = 0;
    const deps = {
      check: async () => replicaGate([probe({ reachable: false })], 1, 'wait'),
      clock: () => t,
      sleep: async (ms: number) => void (t += ms),
    };
    expect(
      (await waitForReplicaGate(deps, { waitSeconds: 2, pollMs: 500, signal: new AbortController().signal })).kind,
    ).toBe('unreachable');
    const ac = new AbortController();
    ac.abort();
    const r = await waitForReplicaGate(deps, { waitSeconds: 60, pollMs: 500, signal: ac.signal });
    expect(r).toMatchObject({ kind: 'aborted', waitedMs: 0 });
    expect(replicaHoldOf(r, 1)).toMatchObject({ kind: 'replica-lagging', aborted: true });
  });
});
