/** Usage evidence from several servers merged: PURE. Counters are per server (a replica's reads count only on the
 * replica), so an index is used when any node read through it, and no index is called unused unless every node
 * observed it long enough. */
import type { IndexEvidence } from './facts.js';

/** The primary's label in reports and in dbkeeper_index_usage.node (''). */
export const PRIMARY_NODE = '';

export interface NodeEvidence {
  /** '' = the primary; else the replica's name. */
  node: string;
  /** Per indexKey(); null = no evidence from this node at all (counters off, unreachable). */
  evidence: Map<string, IndexEvidence> | null;
  /** Why the node has no evidence, when it has none (for the report). */
  note: string | null;
}

export const nodeLabel = (node: string) => (node === PRIMARY_NODE ? 'primary' : node);

/** reads: the sum over nodes; observedDays: the least over every node (a node without the index observed 0 days).
 * An index that no node has evidence for is left out (no evidence). */
export function mergeNodeEvidence(nodes: readonly NodeEvidence[]): Map<string, IndexEvidence> {
  const keys = new Set<string>();
  for (const n of nodes) for (const k of n.evidence?.keys() ?? []) keys.add(k);
  const out = new Map<string, IndexEvidence>();
  for (const key of keys) {
    let reads = 0;
    let observedDays = Infinity;
    for (const n of nodes) {
      const e = n.evidence?.get(key);
      reads += e?.reads ?? 0;
      observedDays = Math.min(observedDays, e?.observedDays ?? 0);
    }
    out.set(key, { reads, observedDays: Number.isFinite(observedDays) ? observedDays : 0 });
  }
  return out;
}

/** Per index with reads on some node: the reads on each node (null = no evidence there). For the report. */
export function readsPerNode(nodes: readonly NodeEvidence[]): Map<string, (number | null)[]> {
  const out = new Map<string, (number | null)[]>();
  const merged = mergeNodeEvidence(nodes);
  for (const [key, e] of merged) {
    if (e.reads === 0) continue;
    out.set(
      key,
      nodes.map((n) => (n.evidence === null ? null : (n.evidence.get(key)?.reads ?? null))),
    );
  }
  return out;
}
