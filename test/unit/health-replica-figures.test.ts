import { describe, expect, it } from 'vitest';
import { replicaFigures } from '../../jobs/health/replica-figures.js';
import type { ReplicaProbe } from '../../src/replica/replica-probe.js';
import { parseReplicaStatus } from '../../src/replica/replica-status.js';

const RUNNING = {
  Slave_IO_Running: 'Yes',
  Slave_SQL_Running: 'Yes',
  Seconds_Behind_Master: 0,
  Last_IO_Error: '',
  Last_SQL_Error: '',
  SQL_Delay: 0,
};
const probe = (row: Record<string, unknown> | null, over: Partial<ReplicaProbe> = {}): ReplicaProbe => ({
  node: 'r1',
  reachable: true,
  error: null,
  status: row ? parseReplicaStatus([row]) : { kind: 'not-a-replica' },
  heartbeat: { ageSeconds: 0.3, lagSeconds: 0 },
  heartbeatNote: null,
  readOnly: true,
  ...over,
});
const policy = { maxLagSeconds: 1, whenUnreachable: 'wait' as const };
const byLabel = (p: ReplicaProbe) => Object.fromEntries(replicaFigures([p], policy).map((f) => [f.label, f]));

describe('replica health figures', () => {
  it('a healthy replica: both threads, lag both ways within the limit, heartbeat age, read_only', () => {
    const f = byLabel(probe(RUNNING));
    expect(f['Replica r1 threads']).toMatchObject({ value: 'IO Yes, SQL Yes', status: 'ok' });
    expect(f['Replica r1 lag (replica status)']).toMatchObject({ value: 0, status: 'ok', threshold: '≤ 1 s' });
    expect(f['Replica r1 lag (heartbeat)']).toMatchObject({ value: 0, status: 'ok' });
    expect(f['Replica r1 heartbeat age']).toMatchObject({ value: 0.3 });
    expect(f['Replica r1 read_only']).toMatchObject({ value: 'ON', status: 'ok' });
  });

  it('a stopped replica fails, with its last error (masked), and its lag is unknown, not 0', () => {
    const f = byLabel(
      probe({
        ...RUNNING,
        Slave_SQL_Running: 'No',
        Seconds_Behind_Master: null,
        Last_SQL_Error: "Duplicate entry 'ann@example.com' for key 'uq'",
      }),
    );
    expect(f['Replica r1 threads']).toMatchObject({ value: 'IO Yes, SQL No', status: 'fail' });
    expect(f['Replica r1 threads']!.note).not.toContain('ann@example.com');
    expect(f['Replica r1 lag (replica status)']).toMatchObject({
      value: null,
      status: 'fail',
      note: 'unknown: the SQL thread is stopped',
    });
  });

  it('lag above the limit fails either way', () => {
    expect(byLabel(probe({ ...RUNNING, Seconds_Behind_Master: 30 }))['Replica r1 lag (replica status)']).toMatchObject({
      value: 30,
      status: 'fail',
    });
    expect(
      byLabel(probe(RUNNING, { heartbeat: { ageSeconds: 9, lagSeconds: 8.5 } }))['Replica r1 lag (heartbeat)'],
    ).toMatchObject({ value: 8.5, status: 'fail' });
  });

  it('unreachable fails (whenUnreachable wait) or warns (ignore); not replicating fails; writable warns', () => {
    const down = probe(null, { reachable: false, status: null, error: 'connection refused' });
    expect(replicaFigures([down], policy)).toEqual([
      {
        label: 'Replica r1 reachable',
        value: 'no',
        threshold: 'reachable',
        status: 'fail',
        note: 'connection refused',
      },
    ]);
    expect(replicaFigures([down], { ...policy, whenUnreachable: 'ignore' })[0]!.status).toBe('warn');
    expect(byLabel(probe(null))['Replica r1 threads']).toMatchObject({ value: 'not replicating', status: 'fail' });
    expect(byLabel(probe(RUNNING, { readOnly: false }))['Replica r1 read_only']).toMatchObject({
      value: 'OFF',
      status: 'warn',
    });
  });
});
