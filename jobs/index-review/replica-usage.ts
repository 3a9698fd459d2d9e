// Each replica's usage evidence: its live counters (stored on the primary under its name unless a dry run) and the
// snapshots the daily health run stored. An unreachable replica still has its stored snapshots.
import type { JobContext } from '../../src/job/job-contract.js';
import { buildUsageEvidence, observedDaysRange } from './usage-evidence.js';
import type { NodeEvidence } from './node-evidence.js';
import {
  loadUsageSamples,
  readLiveUsage,
  storeUsageSamples,
  type IndexName,
  type LiveUsage,
} from './usage-snapshot.js';

export interface ReplicaUsage extends NodeEvidence {
  live: Pick<LiveUsage, 'source' | 'enabled'> | null;
  stored: number;
  daysObserved: number | null;
}

type Ctx = Pick<JobContext, 'db' | 'replicas' | 'now' | 'signal' | 'dryRun' | 'log'>;

export async function replicaUsage(
  ctx: Ctx,
  schemas: readonly string[],
  names: readonly IndexName[],
  windowStart: Date,
): Promise<ReplicaUsage[]> {
  const out: ReplicaUsage[] = [];
  for (const node of ctx.replicas.nodes) {
    if (ctx.signal.aborted) break;
    let live: LiveUsage | null = null;
    let unreachable: string | null = null;
    try {
      live = await ctx.replicas.onNode(node, (reader) => readLiveUsage(reader, names, ctx.now));
    } catch (err) {
      unreachable = (err as Error).message;
      ctx.log.warn({ replica: node, err: unreachable }, 'replica usage counters not readable');
    }
    const stored =
      live && live.enabled && !ctx.dryRun
        ? await storeUsageSamples(ctx.db, live.source, live.samples, ctx.signal, node)
        : 0;
    const history = await loadUsageSamples(ctx.db, schemas, windowStart, ctx.now, node);
    const samples = ctx.dryRun && live ? [...history, ...live.samples] : history;
    const evidence = buildUsageEvidence(samples, windowStart, ctx.now);
    const range = observedDaysRange(evidence);
    const daysObserved = range && range.max > 0 ? range.max : null;
    let note: string | null = null;
    if (unreachable)
      note = `not reachable now (${unreachable})${daysObserved === null ? '' : '; evidence from stored snapshots'}`;
    else if (live && !live.enabled)
      note = `${live.source} counters are off${daysObserved === null ? '' : '; evidence from stored snapshots'}`;
    else if (daysObserved === null) note = 'no two snapshots of its counters yet';
    out.push({
      node,
      evidence: daysObserved === null ? null : evidence,
      note,
      live: live ? { source: live.source, enabled: live.enabled } : null,
      stored,
      daysObserved,
    });
  }
  return out;
}
