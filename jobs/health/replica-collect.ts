// The replicas' state for the health run. The runner wrote a heartbeat just before the job started: give it a few
// seconds to arrive (a healthy replica applies it in milliseconds), then look once.
import type { JobReplicas } from '../../src/replica/job-replicas.js';
import type { ReplicaProbe } from '../../src/replica/replica-probe.js';

/** Bound on the settle wait: a lagging replica is reported as it is after this. */
export const HEALTH_SETTLE_SECONDS = 5;

export async function readReplicasForHealth(replicas: JobReplicas, signal: AbortSignal): Promise<ReplicaProbe[]> {
  if (replicas.nodes.length === 0) return [];
  await replicas.waitForReplicas({ signal, waitSeconds: Math.min(HEALTH_SETTLE_SECONDS, replicas.waitSeconds) });
  return replicas.probeAll();
}
