import { hideIndexKeywords } from '../../src/db/dialect.js';
import type { JobContext } from '../../src/job/job-contract.js';
import { collectReviewInventory, indexNamesOf } from './collect.js';
import type { IndexReviewConfig } from './config.js';
import { planIndexReview } from './plan.js';
import { indexReviewResult, indexReviewWarnings } from './report.js';
import { buildUsageEvidence, daysObservedOf } from './usage-evidence.js';
import { loadUsageSamples, readLiveUsage, storeUsageSnapshot } from './usage-snapshot.js';
import { mergeNodeEvidence, PRIMARY_NODE } from './node-evidence.js';
import { withNodes } from './node-report.js';
import { replicaUsage } from './replica-usage.js';

const DAY_MS = 86_400_000;
const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);
const stopIfAborted = (signal: AbortSignal) => {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
};

/** Inventory, usage evidence (primary and replicas), a pure plan, the findings with their SQL. Never drops. */
export async function runIndexReview(ctx: JobContext<IndexReviewConfig>) {
  const { db, config, now, signal } = ctx;
  const schemas = config.schemas.length ? config.schemas : [db.database];
  ctx.progress(`reading the index inventory of ${schemas.join(', ')}`);
  const inventory = await collectReviewInventory(db, schemas);
  stopIfAborted(signal);

  ctx.progress(`inventory: ${inventory.tables.length} tables; reading usage counters`);
  const names = indexNamesOf(inventory);
  const live = await readLiveUsage(db, names, now);
  let snapshot = { stored: 0, pruned: 0 };
  if (!ctx.dryRun && live.enabled) {
    ctx.progress(`storing a usage snapshot of ${live.samples.length} indexes`);
    snapshot = await storeUsageSnapshot(db, live, daysBefore(now, config.snapshotRetentionDays), signal);
  }
  stopIfAborted(signal);
  const windowStart = daysBefore(now, config.evidenceWindowDays);
  const history = await loadUsageSamples(db, schemas, windowStart, now);
  // A dry run stores nothing: its live counters count as if they had been stored.
  const primaryEvidence = buildUsageEvidence(ctx.dryRun ? [...history, ...live.samples] : history, windowStart, now);
  const daysObserved = daysObservedOf(primaryEvidence);
  // Replicas: their reads count, and every node must have observed an index before it is called unused.
  const replicas = await replicaUsage(ctx, schemas, names, windowStart);
  const note = live.enabled ? null : `${live.source} counters are off`;
  const primaryNode = {
    node: PRIMARY_NODE,
    evidence: daysObserved === null ? null : primaryEvidence,
    daysObserved,
    note,
  };
  const nodes = replicas.length > 0 ? [primaryNode, ...replicas] : [];
  const evidence = replicas.length > 0 ? mergeNodeEvidence(nodes) : primaryEvidence;

  ctx.progress(`analysing ${names.length} indexes`);
  const hide = hideIndexKeywords(db.dialect);
  const { indexBudget: defaultBudget, tableBudgets, minEvidenceDays } = config;
  const plan = planIndexReview(
    { tables: inventory.tables, evidence, hide },
    { defaultBudget, tableBudgets, minEvidenceDays },
  );
  ctx.progress(`${plan.findings.length} findings`);
  const warnings = indexReviewWarnings(
    live,
    daysObserved,
    inventory.sizeNote,
    hide !== null,
    replicas,
    minEvidenceDays,
  );
  const result = indexReviewResult({ schemas, plan, live, daysObserved, snapshot, warnings, config });
  return withNodes(result, nodes, inventory.tables, minEvidenceDays);
}
