import type { JobMetricSample, JobMetrics } from '../../src/job/job-metrics.js';

interface TableDetails {
  schema?: unknown;
  reclaimableBytes?: unknown;
}

/** Per schema: bytes the recommended drops would free, and how many indexes they are. */
export const indexReviewMetrics: JobMetrics = (result) => {
  const tables = (result.details?.tables ?? []) as TableDetails[];
  const findings = (result.details?.findings ?? []) as { schema?: unknown; action?: unknown }[];
  if (!Array.isArray(tables) || !Array.isArray(findings)) return [];
  const bytes = new Map<string, number>();
  const drops = new Map<string, number>();
  for (const t of tables) {
    if (typeof t.schema !== 'string') continue;
    bytes.set(t.schema, (bytes.get(t.schema) ?? 0) + (typeof t.reclaimableBytes === 'number' ? t.reclaimableBytes : 0));
  }
  for (const f of findings)
    if (f.action === 'drop' && typeof f.schema === 'string') drops.set(f.schema, (drops.get(f.schema) ?? 0) + 1);
  const out: JobMetricSample[] = [];
  for (const [schema, value] of bytes) {
    out.push({
      name: 'index_review_droppable_bytes',
      help: 'Bytes the indexes the last review recommends dropping take (tables with unknown sizes count 0)',
      labels: { schema },
      value,
    });
    out.push({
      name: 'index_review_droppable_indexes',
      help: 'Indexes the last review recommends dropping',
      labels: { schema },
      value: drops.get(schema) ?? 0,
    });
  }
  return out;
};
