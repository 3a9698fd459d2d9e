// The daily index usage snapshot of each replica, stored on the primary under the replica's name (index-review
// merges them). A replica that cannot be read is reported, never a reason to fail the health run.
import type { JobContext } from '../../src/job/job-contract.js';
import { recordIndexUsageSnapshot } from '../index-review/usage-snapshot.js';

export interface ReplicaUsageSnapshot {
  node: string;
  stored: number;
  enabled: boolean;
  error?: string;
}

export async function snapshotReplicaUsage(
  ctx: Pick<JobContext, 'db' | 'replicas' | 'now' | 'signal' | 'log'>,
  schemas: readonly string[],
): Promise<ReplicaUsageSnapshot[]> {
  const out: ReplicaUsageSnapshot[] = [];
  for (const node of ctx.replicas.nodes) {
    if (ctx.signal.aborted) break;
    try {
      const snap = await ctx.replicas.onNode(node, (reader) =>
        recordIndexUsageSnapshot(ctx.db, schemas, ctx.now, ctx.signal, { node, reader }),
      );
      out.push({ node, stored: snap.stored, enabled: snap.enabled });
    } catch (err) {
      out.push({ node, stored: 0, enabled: false, error: (err as Error).message });
      ctx.log.warn({ replica: node, err: (err as Error).message }, 'replica index usage snapshot failed');
    }
  }
  return out;
}
