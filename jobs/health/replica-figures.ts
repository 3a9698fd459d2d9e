// Health figures per configured replica (issue 16): lag both ways, threads, last error, heartbeat age, read_only.
// PURE: from the probes and the one lag limit (replicas.maxLagSeconds).
import type { Figure } from '../../src/job/report-sections.js';
import type { ReplicaProbe } from '../../src/replica/replica-probe.js';

export interface ReplicaFigurePolicy {
  maxLagSeconds: number;
  whenUnreachable: 'wait' | 'ignore';
}

export function replicaFigures(probes: readonly ReplicaProbe[], policy: ReplicaFigurePolicy): Figure[] {
  return probes.flatMap((p) => nodeFigures(p, policy));
}

function nodeFigures(p: ReplicaProbe, policy: ReplicaFigurePolicy): Figure[] {
  const label = `Replica ${p.node}`;
  const limit = `≤ ${policy.maxLagSeconds} s`;
  if (!p.reachable || !p.status) {
    return [
      {
        label: `${label} reachable`,
        value: 'no',
        threshold: 'reachable',
        status: policy.whenUnreachable === 'ignore' ? 'warn' : 'fail',
        note: p.error ?? 'not reachable',
      },
    ];
  }
  if (p.status.kind === 'not-a-replica') {
    return [
      {
        label: `${label} threads`,
        value: 'not replicating',
        threshold: 'both running',
        status: 'fail',
        note: 'it shows no replica status (no CHANGE MASTER TO / RESET SLAVE ALL?)',
      },
    ];
  }
  const s = p.status;
  const threadsOk = s.ioRunning && s.sqlRunning;
  const figures: Figure[] = [
    {
      label: `${label} threads`,
      value: `IO ${s.ioState}, SQL ${s.sqlRunning ? 'Yes' : 'No'}`,
      threshold: 'both running',
      status: threadsOk ? 'ok' : 'fail',
      ...(s.lastError ? { note: s.lastError } : threadsOk ? {} : { note: 'replication is stopped' }),
    },
    s.lagSeconds === null
      ? {
          label: `${label} lag (replica status)`,
          value: null,
          unit: 's',
          threshold: limit,
          status: 'fail',
          note: `unknown: ${s.lagUnknownReason ?? 'Seconds_Behind is NULL'}`,
        }
      : {
          label: `${label} lag (replica status)`,
          value: s.lagSeconds,
          unit: 's',
          threshold: limit,
          status: s.lagSeconds > policy.maxLagSeconds ? 'fail' : 'ok',
          ...(s.delaySeconds > 0 ? { note: `MASTER_DELAY ${s.delaySeconds} s configured` } : {}),
        },
    p.heartbeat === null
      ? {
          label: `${label} lag (heartbeat)`,
          value: null,
          unit: 's',
          threshold: limit,
          status: 'n/a',
          note: p.heartbeatNote ?? 'no heartbeat',
        }
      : {
          label: `${label} lag (heartbeat)`,
          value: p.heartbeat.lagSeconds,
          unit: 's',
          threshold: limit,
          status: p.heartbeat.lagSeconds > policy.maxLagSeconds ? 'fail' : 'ok',
          note: "the primary's clock, written once a second into dbkeeper_heartbeat",
        },
    p.heartbeat === null
      ? {
          label: `${label} heartbeat age`,
          value: null,
          unit: 's',
          status: 'n/a',
          note: p.heartbeatNote ?? 'no heartbeat',
        }
      : {
          label: `${label} heartbeat age`,
          value: p.heartbeat.ageSeconds,
          unit: 's',
          ...(p.heartbeatNote ? { note: p.heartbeatNote } : {}),
        },
    {
      label: `${label} read_only`,
      value: p.readOnly ? 'ON' : 'OFF',
      threshold: 'ON',
      status: p.readOnly ? 'ok' : 'warn',
      ...(p.readOnly ? {} : { note: 'a replica that accepts writes can drift from the primary' }),
    },
  ];
  return figures;
}
