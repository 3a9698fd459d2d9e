import { gateReason, gateReasonKind, type ReplicaGate } from '../../src/replica/replica-lag.js';
import type { ReplicaFacts } from './facts.js';

export interface LoadSample {
  threadsRunning: number;
  /** The connected server's own replica status (when it is itself a replica). */
  replica: ReplicaFacts;
  /** The configured replicas (replicas.nodes / DB_READ_*); null when none are configured. */
  replicas?: ReplicaGate | null;
}

export interface ThrottleVerdict {
  /** The full line with the figures. */
  reason: string;
  /** Short and stable, to group pauses ("Threads_running", "replica r1 lagging"). */
  kind: string;
  /** The wait is for a replica (lagging, lag unknown, unreachable). */
  replica: boolean;
  /** Only waiting for the replicas to apply the last chunk (within the limit): not a pause. */
  applying?: boolean;
}

export interface ThrottleLimits {
  maxThreadsRunning: number;
  maxReplicaLagSeconds: number;
}

/** PURE: why the purge must wait now, or null to go on. Unknown lag on a replica counts as too much. */
export function throttleReason(s: LoadSample, limits: ThrottleLimits): string | null {
  return throttleVerdict(s, limits)?.reason ?? null;
}

export function throttleVerdict(s: LoadSample, limits: ThrottleLimits): ThrottleVerdict | null {
  if (s.threadsRunning > limits.maxThreadsRunning)
    return {
      reason: `Threads_running ${s.threadsRunning} > ${limits.maxThreadsRunning}`,
      kind: 'Threads_running',
      replica: false,
    };
  if (s.replica.kind === 'replica') {
    if (s.replica.lagSeconds === null)
      return {
        reason: 'replica lag unknown (replication stopped?)',
        kind: 'connected server: lag unknown',
        replica: true,
      };
    if (s.replica.lagSeconds > limits.maxReplicaLagSeconds)
      return {
        reason: `replica lag ${s.replica.lagSeconds} s > ${limits.maxReplicaLagSeconds} s`,
        kind: 'connected server: lagging',
        replica: true,
      };
  }
  if (s.replicas && !s.replicas.ok) {
    const applying = s.replicas.blocking.every((n) => n.verdict.kind === 'applying');
    return {
      reason: gateReason(s.replicas, limits.maxReplicaLagSeconds)!,
      kind: gateReasonKind(s.replicas)!,
      replica: true,
      ...(applying ? { applying } : {}),
    };
  }
  return null;
}

export function describeReplica(r: ReplicaFacts): string {
  switch (r.kind) {
    case 'not-a-replica':
      return 'not a replica';
    case 'replica':
      return r.lagSeconds === null ? 'replica, lag unknown' : `replica, lag ${r.lagSeconds} s`;
    case 'not-visible':
      return `replica status not visible (${r.reason})`;
  }
}
