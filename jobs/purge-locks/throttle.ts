import type { ReplicaFacts } from './facts.js';

export interface LoadSample {
  threadsRunning: number;
  replica: ReplicaFacts;
}

export interface ThrottleLimits {
  maxThreadsRunning: number;
  maxReplicaLagSeconds: number;
}

/** PURE: why the purge must wait now, or null to go on. Unknown lag on a replica counts as too much. */
export function throttleReason(s: LoadSample, limits: ThrottleLimits): string | null {
  if (s.threadsRunning > limits.maxThreadsRunning) return `Threads_running ${s.threadsRunning} > ${limits.maxThreadsRunning}`;
  if (s.replica.kind === 'replica') {
    if (s.replica.lagSeconds === null) return 'replica lag unknown (replication stopped?)';
    if (s.replica.lagSeconds > limits.maxReplicaLagSeconds) return `replica lag ${s.replica.lagSeconds} s > ${limits.maxReplicaLagSeconds} s`;
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
