import { analyzeStatements } from '../../src/db/dialect.js';
import { quoteId, quoteTable } from '../../src/db/sql-identifier.js';
import { estimateBloat, type BloatEstimate } from './bloat-estimate.js';
import type { MaintenanceFacts, PresentTable } from './facts.js';
import { predictRebuiltSize, type SizePrediction } from './size-model.js';
import { rebuildStatement, type RebuildStatement } from './rebuild-statement.js';

export interface MaintenancePolicy {
  analyzeTables: string[];
  optimizeTables: string[];
  bloatThresholdPercent: number;
  minReclaimBytes: number;
  maxRebuildBytes: number;
  writeToBinlog: boolean;
  persistentForAll: string[];
  histogramColumns: Record<string, string[]>;
  histogramBuckets: number;
  rebuildTimeoutSeconds: number;
  /** Seconds a rebuild may wait for its metadata lock (MariaDB WAIT n, the session's lock_wait_timeout). */
  ddlLockWaitSeconds: number;
  /** --maintenance-window: rebuilds that block writes (FULLTEXT/SPATIAL indexes, non-InnoDB engines) are allowed. */
  maintenanceWindow: boolean;
}

export interface Statement {
  sql: string;
  values: unknown[];
  /** The statement's own server time limit (a rebuild's rebuildTimeoutSeconds): its client-side bound comes from it. */
  timeLimitSeconds?: number;
}

export type OptimizeDecision =
  /** Worth it and safe. */
  | { action: 'rebuild'; reason: string; statement: RebuildStatement }
  /** Not worth it (below the threshold or the minimum space won). */
  | { action: 'keep'; reason: string }
  /** A safety rule stops it. */
  | { action: 'skip'; reason: string };

export interface MaintenanceTablePlan {
  table: string;
  /** Missing, or not a table: nothing is done to it. */
  error: string | null;
  /** ANALYZE statements, in order; empty when not analyzed. */
  analyze: Statement[];
  /** Why it is analyzed: listed, or only to measure it for the bloat estimate. */
  analyzeReason: 'listed' | 'measure before the bloat decision' | null;
  /** null when the table is not in optimizeTables. */
  optimize: OptimizeDecision | null;
  facts: PresentTable | null;
  estimate: BloatEstimate | null;
  /** What the size model says a rebuild leaves (rebuild candidates whose rows were sampled); else why not. */
  prediction: SizePrediction | null;
  predictionNote: string | null;
}

export interface MaintenancePlan {
  schema: string;
  tables: MaintenanceTablePlan[];
  warnings: string[];
}

const REBUILDABLE_TYPES = new Set(['BASE TABLE', 'SYSTEM VERSIONED']);

export function mib(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** The whole decision, pure: which tables are analyzed with which statements, which are rebuilt, which are not and why.
 */
export function planMaintenance(facts: MaintenanceFacts, policy: MaintenancePolicy): MaintenancePlan {
  const { dialect } = facts;
  const lower = (list: string[]) => new Set(list.map((t) => t.toLowerCase()));
  const analyzeSet = lower(policy.analyzeTables);
  const optimizeSet = lower(policy.optimizeTables);
  const persistentSet = lower(policy.persistentForAll);
  const histograms = new Map(Object.entries(policy.histogramColumns).map(([t, cols]) => [t.toLowerCase(), cols]));
  const warnings: string[] = [];
  if (dialect.flavor === 'mysql' && policy.persistentForAll.length > 0) {
    warnings.push(
      `persistentForAll (${policy.persistentForAll.join(', ')}) is MariaDB-only; MySQL gets a plain ANALYZE`,
    );
  }

  const tables = facts.tables.map((t): MaintenanceTablePlan => {
    const key = t.table.toLowerCase();
    const listedForAnalyze = analyzeSet.has(key);
    const listedForOptimize = optimizeSet.has(key);
    const none = {
      table: t.table,
      analyze: [],
      analyzeReason: null,
      optimize: null,
      facts: null,
      estimate: null,
      prediction: null,
      predictionNote: null,
    };
    if (!t.exists) return { ...none, error: `table ${facts.schema}.${t.table} does not exist` };
    if (!REBUILDABLE_TYPES.has(t.tableType))
      return { ...none, error: `${facts.schema}.${t.table} is a ${t.tableType}, not a table` };

    const quoted = quoteTable(facts.schema, t.table);
    const analyze = analyzeStatements(dialect, quoted, {
      binlog: policy.writeToBinlog,
      persistentForAll: listedForAnalyze && persistentSet.has(key),
      quotedColumns: listedForAnalyze ? (histograms.get(key) ?? []).map((c) => quoteId(c, 'column')) : [],
      buckets: policy.histogramBuckets,
    }).map((sql) => ({ sql, values: [] }));
    const sample = t.sample;
    const prediction = sample?.ok
      ? predictRebuiltSize(sample.shape, sample.rows, sample.estimatedRows, sample.settings)
      : null;
    const predictionNote = sample && !sample.ok ? `no size prediction: ${sample.reason}` : null;
    const estimate = estimateBloat(t, facts.baselines.get(key) ?? null, prediction);
    const base = {
      table: t.table,
      error: null,
      analyze,
      analyzeReason: listedForAnalyze ? ('listed' as const) : ('measure before the bloat decision' as const),
      facts: t,
      estimate,
      prediction,
      predictionNote,
    };
    if (!listedForOptimize) return { ...base, optimize: null };
    const online = t.blockingIndexes.length === 0 && (t.engine ?? '').toLowerCase() === 'innodb';
    const statement = rebuildStatement(dialect, quoted, {
      writeToBinlog: policy.writeToBinlog,
      blockingAllowed: !online && policy.maintenanceWindow,
      lockWaitSeconds: policy.ddlLockWaitSeconds,
      rebuildTimeoutSeconds: policy.rebuildTimeoutSeconds,
    });
    return { ...base, optimize: decideOptimize(t, estimate, facts.readOnly, policy, statement) };
  });
  return { schema: facts.schema, tables, warnings };
}

function decideOptimize(
  t: PresentTable,
  e: BloatEstimate,
  readOnly: boolean,
  policy: MaintenancePolicy,
  statement: RebuildStatement,
): OptimizeDecision {
  const size = t.dataLength + t.indexLength;
  if (readOnly) return { action: 'skip', reason: 'server is read_only (a replica): rebuilds come from the primary' };
  if (t.blockingIndexes.length > 0 && !policy.maintenanceWindow) {
    const names = t.blockingIndexes.map((i) => `${i.type} ${i.name}`).join(', ');
    return {
      action: 'skip',
      reason: `has ${names}: a rebuild blocks writes for its whole duration; allowed only with --maintenance-window`,
    };
  }
  const engine = (t.engine ?? '').toLowerCase();
  if (engine !== 'innodb' && !policy.maintenanceWindow) {
    return {
      action: 'skip',
      reason: `engine ${t.engine ?? 'unknown'} rebuilds with the table locked; allowed only with --maintenance-window`,
    };
  }
  if (size > policy.maxRebuildBytes) {
    return {
      action: 'skip',
      reason: `${mib(size)} is above maxRebuildBytes ${mib(policy.maxRebuildBytes)}: rebuild it by hand (e.g. pt-online-schema-change)`,
    };
  }
  const pct = `${e.percent.toFixed(1)} %`;
  const basis =
    e.basis === 'model'
      ? `${mib(e.allocatedBytes)} allocated, a rebuild would leave about ${mib(e.predictedBytes!)} by the size model` +
        `${e.modelFactor !== 1 ? ` × ${e.modelFactor!.toFixed(2)} from the last rebuild` : ''}`
      : e.basis === 'baseline'
        ? `vs ${e.baselineBytesPerRow!.toFixed(0)} B/row baseline`
        : 'DATA_FREE only, no baseline yet';
  if (e.percent < policy.bloatThresholdPercent) {
    return { action: 'keep', reason: `bloat ${pct} (${basis}) is below ${policy.bloatThresholdPercent} %` };
  }
  if (e.reclaimableBytes < policy.minReclaimBytes) {
    return {
      action: 'keep',
      reason: `bloat ${pct} but only ${mib(e.reclaimableBytes)} to win, below minReclaimBytes ${mib(policy.minReclaimBytes)}`,
    };
  }
  return {
    action: 'rebuild',
    reason: `bloat ${pct} (${basis}), about ${mib(e.reclaimableBytes)} to win; ${statement.why}`,
    statement,
  };
}
