import { hideIndexKeywords } from '../../src/db/dialect.js';
import type { JobContext, JobResult } from '../../src/job/job-contract.js';
import type { IndexReviewConfig } from './config.js';
import { collectInventory } from './collect.js';
import { planIndexReview } from './plan.js';
import { formatBytes, reviewSections } from './report.js';
import { buildUsageEvidence, observedDaysRange } from './usage-evidence.js';
import { loadUsageSamples, pruneUsageSamples, readLiveUsage, storeUsageSamples } from './usage-snapshot.js';

const DAY_MS = 86_400_000;
/** Monthly: every index that costs writes and earns nothing, with the evidence. Recommends only; never drops. */
export async function runIndexReview(ctx: JobContext<IndexReviewConfig>): Promise<JobResult> {
  const { db, config, now, signal } = ctx;
  const stopIfAborted = () => {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
  };
  const schemas = config.schemas.length ? config.schemas : [db.database];
  ctx.progress(`reading the index inventory of ${schemas.join(', ')}`);
  const collected = await collectInventory(db, schemas);
  // dbkeeper's own tables are not the application's: left out when they share its schema.
  const inventory = { ...collected, tables: collected.tables.filter((t) => !(t.schema === db.schema && t.table.startsWith('dbkeeper_'))) };
  stopIfAborted();

  ctx.progress(`inventory: ${inventory.tables.length} tables; reading usage counters`);
  const names = inventory.tables.flatMap((t) => t.indexes.map((ix) => ({ schema: t.schema, table: t.table, index: ix.name })));
  const live = await readLiveUsage(db, names, now);
  let stored = 0;
  let pruned = 0;
  if (!ctx.dryRun && live.enabled) {
    ctx.progress(`storing a usage snapshot of ${live.samples.length} indexes`);
    stored = await storeUsageSamples(db, live.source, live.samples, signal);
    pruned = await pruneUsageSamples(db, new Date(now.getTime() - config.snapshotRetentionDays * DAY_MS), signal);
  }
  stopIfAborted();
  const windowStart = new Date(now.getTime() - config.evidenceWindowDays * DAY_MS);
  const history = await loadUsageSamples(db, schemas, windowStart, now);
  const samples = ctx.dryRun ? [...history, ...live.samples] : history;
  const evidence = buildUsageEvidence(samples, windowStart, now);
  const range = observedDaysRange(evidence);
  const daysObserved = range && range.max > 0 ? range.max : null;

  ctx.progress(`analysing ${names.length} indexes`);
  const plan = planIndexReview(
    { tables: inventory.tables, evidence, hide: hideIndexKeywords(db.dialect) },
    { defaultBudget: config.indexBudget, tableBudgets: config.tableBudgets, minEvidenceDays: config.minEvidenceDays },
  );

  ctx.progress(`${plan.findings.length} findings`);
  const warnings: string[] = [];
  if (!live.enabled) {
    warnings.push(
      daysObserved === null
        ? `no usage evidence: ${live.source} counters are off, so no index is called unused; enable with ${live.enableHint}`
        : `${live.source} counters are off now: usage evidence comes from stored snapshots only (${daysObserved.toFixed(1)} days); enable with ${live.enableHint}`,
    );
  } else if (daysObserved === null) {
    warnings.push(`no usage evidence yet: ${live.source} is on, but the review needs two snapshots of the same counters (the first is stored now); no index is called unused`);
  }
  if (inventory.sizeNote) warnings.push(inventory.sizeNote);
  if (!hideIndexKeywords(db.dialect)) warnings.push('this server cannot hide an index (MySQL 8 INVISIBLE / MariaDB 10.6 IGNORED): only DROP statements are given');

  const drops = plan.findings.filter((f) => f.action === 'drop');
  const weaker = plan.findings.filter((f) => f.action !== 'drop' && f.index !== null);
  const overBudget = plan.findings.filter((f) => f.kind === 'over-budget');
  const reclaimable = plan.tables.reduce<number | null>((s, t) => (s === null || t.reclaimableBytes === null ? null : s + t.reclaimableBytes), 0);
  const summary =
    `${drops.length} index(es) to drop on ${new Set(drops.map((f) => `${f.schema}.${f.table}`)).size} table(s) (${formatBytes(reclaimable)} reclaimable), ` +
    `${weaker.length} weaker finding(s), ${overBudget.length} table(s) over budget, ${plan.tables.length} table(s) reviewed; ` +
    `usage evidence: ${daysObserved === null ? 'none' : `${daysObserved.toFixed(1)} days`}`;

  return {
    status: drops.length || overBudget.length ? 'warning' : 'ok',
    summary,
    warnings,
    skipped: plan.skipped,
    details: {
      schemas,
      findings: plan.findings,
      tables: plan.tables,
      usage: {
        source: live.source,
        enabled: live.enabled,
        daysObserved,
        windowDays: config.evidenceWindowDays,
        minEvidenceDays: config.minEvidenceDays,
        snapshotStored: stored,
        snapshotsPruned: pruned,
        ...(live.enabled ? {} : { enableHint: live.enableHint }),
      },
    },
    sections: reviewSections(plan, { source: live.source, enabled: live.enabled, enableHint: live.enableHint, daysObserved }, config.minEvidenceDays),
  };
}
