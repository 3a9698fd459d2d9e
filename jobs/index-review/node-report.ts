/** The report's per-node part of the index review: PURE. Which nodes gave evidence, and the indexes only replicas read.
 */
import type { ReportSection } from '../../src/job/report-sections.js';
import { indexKey, type IndexTableFacts } from './facts.js';
import { nodeLabel, readsPerNode, type NodeEvidence } from './node-evidence.js';

const MAX_ROWS = 100;

export function nodeSections(
  nodes: readonly (NodeEvidence & { daysObserved: number | null })[],
  tables: readonly IndexTableFacts[],
  minEvidenceDays: number,
): ReportSection[] {
  const lines = nodes.map((n) => {
    const days = n.daysObserved === null ? 'no evidence' : `${n.daysObserved.toFixed(1)} days observed`;
    const short =
      n.daysObserved !== null && n.daysObserved < minEvidenceDays
        ? ` (fewer than ${minEvidenceDays}: no index is called unused yet)`
        : '';
    return `${nodeLabel(n.node)}: ${days}${short}${n.note ? `; ${n.note}` : ''}`;
  });
  const without = nodes.filter((n) => n.evidence === null).map((n) => nodeLabel(n.node));
  if (without.length > 0)
    lines.push(`nodes without evidence: ${without.join(', ')}: no index is called unused while one node has none`);
  const sections: ReportSection[] = [{ kind: 'text', title: 'Index usage evidence per node', lines }];
  const perNode = readsPerNode(nodes);
  const rows: (string | number | null)[][] = [];
  for (const t of tables) {
    for (const ix of t.indexes) {
      const reads = perNode.get(indexKey(t.schema, t.table, ix.name));
      // The ones that matter: read on a replica but not on the primary (unused there, used on the replica).
      if (!reads || (reads[0] ?? 0) > 0) continue;
      rows.push([`${t.schema}.${t.table}`, ix.name, ...reads]);
    }
  }
  if (rows.length > 0) {
    sections.push({
      kind: 'table',
      title: 'Indexes read only on replicas (kept: not unused)',
      columns: ['table', 'index', ...nodes.map((n) => `reads on ${nodeLabel(n.node)}`)],
      rows: rows.slice(0, MAX_ROWS),
    });
  }
  return sections;
}

type NodeRow = NodeEvidence & { daysObserved: number | null; note: string | null };

/** The review with its per-node evidence (details.usage.nodes and the per-node sections); unchanged without replicas.
 */
export function withNodes<R extends { details: { usage: object }; sections: ReportSection[] }>(
  result: R,
  nodes: readonly NodeRow[],
  tables: readonly IndexTableFacts[],
  minEvidenceDays: number,
): R {
  const rows = nodes.map((n) => ({
    node: nodeLabel(n.node),
    daysObserved: n.daysObserved,
    evidence: n.evidence !== null,
    note: n.note,
  }));
  return {
    ...result,
    details: { ...result.details, usage: { ...result.details.usage, nodes: rows } },
    sections: [...result.sections, ...(nodes.length > 0 ? nodeSections(nodes, tables, minEvidenceDays) : [])],
  };
}
