import type { JobContext } from '../../src/job/job-contract.js';
import { holdForReplicas } from '../../src/replica/replica-hold.js';
import { applyAnalyze, applyOptimize, type StatementOutcome } from './apply.js';
import { writeBaseline } from './baselines.js';
import { boundReplicatedRebuilds, readRebuildSpeeds, writeRebuildSpeed } from './rebuild-speed.js';
import { allocatedBytes } from './bloat-estimate.js';
import { buildResult, plannedStatements, sizeOf, type TableOutcome } from './report.js';
import { planMaintenance, type MaintenancePolicy, type MaintenanceTablePlan } from './plan.js';
import { collectMaintenanceFacts } from './collect.js';
import type { MaintenanceFacts } from './facts.js';
import type { TableMaintenanceConfig } from './config.js';

/** ANALYZE, fresh statistics, the same pure decision on them, bounded rebuilds, baselines; a dry run plans only. */
export async function runTableMaintenance(ctx: JobContext<TableMaintenanceConfig>) {
  const c = ctx.config;
  const schema = c.schema ?? ctx.db.database;
  const tables = [...new Map([...c.analyzeTables, ...c.optimizeTables].map((t) => [t.toLowerCase(), t])).values()];
  const policy: MaintenancePolicy = { ...c, maintenanceWindow: ctx.options['maintenance-window'] === true };

  const sample =
    c.sampleRows > 0
      ? { tables: c.optimizeTables, bounds: { maxRows: c.sampleRows, rowsPerRange: 50, maxSeconds: c.sampleSeconds } }
      : undefined;
  // A dry run decides on the statistics as they are: its rows are sampled now. A real run samples after ANALYZE.
  const initial = await collectMaintenanceFacts(ctx.db, schema, tables, ctx.dryRun ? sample : undefined);
  // Replicas attached: a rebuild longer than the bound waits for --maintenance-window (issue 16).
  const bound = {
    replicas: ctx.replicas.nodes.length > 0,
    maintenanceWindow: policy.maintenanceWindow,
    maxReplicatedRebuildSeconds: c.maxReplicatedRebuildSeconds,
    assumedRebuildBytesPerSecond: c.assumedRebuildBytesPerSecond,
    speeds: await readRebuildSpeeds(ctx.db, schema),
  };
  const firstPlan = planMaintenance(initial, policy);
  firstPlan.tables = boundReplicatedRebuilds(firstPlan.tables, bound);
  if (ctx.dryRun) {
    return buildResult({
      schema,
      dryRun: true,
      readOnly: initial.readOnly,
      lockWaitTimeoutSeconds: initial.lockWaitTimeoutSeconds,
      tables: firstPlan.tables.map((p) =>
        outcomeOf(p, initial, initial, { analyze: undefined, optimize: undefined, dryRun: true }),
      ),
      warnings: [...firstPlan.warnings, ...(initial.statsNote ? [initial.statsNote] : [])],
      notes: [
        'dry run: sizes and bloat come from the statistics as they are now (no ANALYZE ran); a real run refreshes them first',
      ],
      plannedStatements: plannedStatements(firstPlan),
      interrupted: false,
    });
  }

  const analyzed = await applyAnalyze(firstPlan.tables, ctx.db, ctx.signal, ctx.progress);
  // Fresh statistics, then the same pure decision on them.
  const measured = await collectMaintenanceFacts(ctx.db, schema, tables, sample);
  const plan = planMaintenance(measured, policy);
  const byTable = (list: StatementOutcome[], table: string) => list.find((o) => o.table === table);
  for (const p of plan.tables) {
    const a = byTable(analyzed, p.table);
    if (p.optimize?.action !== 'rebuild' || a?.outcome === 'ok') continue;
    // No rebuild on statistics that did not refresh (the estimate would rest on stale numbers), nor behind a held
    // lock.
    p.optimize =
      a?.outcome === 'contended'
        ? {
            action: 'skip',
            reason: `contended: ANALYZE already waited lock_wait_timeout (${measured.lockWaitTimeoutSeconds} s) for the metadata lock`,
          }
        : {
            action: 'skip',
            reason: 'statistics were not refreshed (ANALYZE did not succeed): no rebuild on stale numbers',
          };
  }
  plan.tables = boundReplicatedRebuilds(plan.tables, bound);
  const optimized = await applyOptimize(plan.tables, ctx.db, {
    schema,
    signal: ctx.signal,
    progress: ctx.progress,
    mdlWaitSeconds: c.mdlWaitSeconds,
    longTransactionSeconds: c.longTransactionSeconds,
    ddlLockWaitSeconds: c.ddlLockWaitSeconds,
    holdForReplicas: () => holdForReplicas(ctx.replicas, ctx.signal),
  });
  const after = optimized.length > 0 ? await collectMaintenanceFacts(ctx.db, schema, tables) : measured;

  if (!measured.readOnly) await recordBaselines(ctx, schema, plan.tables, measured, after, analyzed, optimized);
  for (const o of optimized) {
    const f = plan.tables.find((p) => p.table === o.table)?.facts;
    if (o.outcome === 'ok' && f && !measured.readOnly)
      await writeRebuildSpeed(ctx.db, schema, {
        table: o.table,
        bytes: f.dataLength + f.indexLength,
        durationMs: o.durationMs,
        at: ctx.now,
      });
  }

  const outcomes = plan.tables.map((p) =>
    outcomeOf(p, initial, after, {
      analyze: byTable(analyzed, p.table),
      optimize: byTable(optimized, p.table),
      dryRun: false,
      aborted: ctx.signal.aborted,
    }),
  );
  const failed = outcomes.filter((o) => o.error || o.analyze?.outcome === 'error' || o.optimize?.outcome === 'error');
  if (failed.length === outcomes.length) {
    // Every table failed: most likely the wrong schema or missing privileges. A failed run raises an alert.
    throw new Error(
      `every table failed: ${failed.map((o) => `${o.table}: ${o.error ?? o.analyze?.message ?? o.optimize?.message}`).join('; ')}`,
    );
  }
  return buildResult({
    schema,
    dryRun: false,
    readOnly: measured.readOnly,
    lockWaitTimeoutSeconds: measured.lockWaitTimeoutSeconds,
    tables: outcomes,
    warnings: [...plan.warnings, ...(measured.statsNote ? [measured.statsNote] : [])],
    notes: [],
    plannedStatements: [],
    interrupted: ctx.signal.aborted,
  });
}

/** After a rebuild: the table's dense bytes per row. Never measured before: its current state, until a rebuild. */
async function recordBaselines(
  ctx: { db: Parameters<typeof writeBaseline>[0]; now: Date },
  schema: string,
  plan: MaintenanceTablePlan[],
  measured: MaintenanceFacts,
  after: MaintenanceFacts,
  analyzed: StatementOutcome[],
  optimized: StatementOutcome[],
): Promise<void> {
  for (const p of plan) {
    if (!p.optimize || !p.facts) continue;
    const rebuilt = optimized.some((o) => o.table === p.table && o.outcome === 'ok');
    const facts = (rebuilt ? after : measured).tables.find((t) => t.table === p.table);
    if (!facts?.exists || facts.rows <= 0) continue;
    if (!rebuilt && measured.baselines.has(p.table.toLowerCase())) continue;
    if (!rebuilt && !analyzed.some((o) => o.table === p.table && o.outcome === 'ok')) continue;
    // After a rebuild, how far the model was off for this table corrects its next predictions.
    const modelFactor =
      rebuilt && p.prediction && p.prediction.totalBytes > 0
        ? (facts.dataLength + facts.indexLength) / p.prediction.totalBytes
        : null;
    await writeBaseline(ctx.db, schema, {
      ...facts,
      source: rebuilt ? 'rebuild' : 'first-seen',
      at: ctx.now,
      modelFactor,
    });
  }
}

function outcomeOf(
  p: MaintenanceTablePlan,
  initial: MaintenanceFacts,
  after: MaintenanceFacts,
  done: {
    analyze: StatementOutcome | undefined;
    optimize: StatementOutcome | undefined;
    dryRun: boolean;
    aborted?: boolean;
  },
): TableOutcome {
  const first = initial.tables.find((t) => t.table === p.table);
  const last = after.tables.find((t) => t.table === p.table);
  const notRun = done.dryRun ? ('planned' as const) : ('not run' as const);
  const run = (o: StatementOutcome | undefined) =>
    o
      ? {
          outcome: o.outcome,
          durationMs: o.durationMs,
          ...(o.message ? { message: o.message } : {}),
          ...(o.notes.length ? { notes: o.notes } : {}),
          ...(o.contention ? { contention: o.contention } : {}),
        }
      : { outcome: notRun };
  // Only a real run's rebuild has an outcome; keep/skip decisions and dry-run plans are reported as decided.
  const optimize =
    p.optimize?.action === 'rebuild' && !done.dryRun
      ? {
          ...p.optimize,
          ...(done.optimize
            ? run(done.optimize)
            : { outcome: 'not run' as const, message: done.aborted ? 'interrupted before it started' : 'not run' }),
        }
      : p.optimize;
  const rebuilt = done.optimize?.outcome === 'ok';
  const before = sizeOf(p.facts);
  const afterSize = rebuilt && last?.exists ? sizeOf(last) : null;
  return {
    table: p.table,
    error: p.error,
    analyze: p.analyzeReason ? { reason: p.analyzeReason, ...run(done.analyze) } : null,
    statsUpdatedAt: {
      before: first?.exists ? first.statsUpdatedAt : null,
      after: last?.exists ? last.statsUpdatedAt : null,
    },
    optimize,
    before,
    after: afterSize,
    estimate: p.estimate,
    prediction: p.prediction
      ? {
          dataBytes: p.prediction.dataBytes,
          indexBytes: p.prediction.indexBytes,
          offPageBytes: p.prediction.offPageBytes,
          rows: p.prediction.rows,
          sampledRows: p.prediction.sampledRows,
        }
      : null,
    predictionNote: p.predictionNote,
    spaceWonBytes: before && afterSize ? allocatedBytes(before) - allocatedBytes(afterSize) : null,
  };
}
