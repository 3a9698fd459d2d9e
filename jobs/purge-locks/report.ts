import { formatNumber } from '../../src/core/number-format.js';
import type { JobResult } from '../../src/job/job-contract.js';
import type { Figure, ReportSection } from '../../src/job/report-sections.js';
import type { StopReason, TargetOutcome } from './apply.js';
import type { PurgeFacts } from './facts.js';
import type { PurgePlan, TargetPlan } from './plan.js';
import { describeReplica } from './throttle.js';

const STOP_TEXT: Record<StopReason, string> = {
  done: 'done: every row expired before the cutoff is gone',
  aborted: 'aborted between chunks (shutdown or operator)',
  'row-cap': 'stopped at the row cap (maxRowsPerRun); the next run continues',
  'time-cap': 'stopped at the time cap (maxRunSeconds); the next run continues',
  'retries-exhausted': 'stopped: a chunk kept hitting lock-wait timeouts/deadlocks',
  'not-started': 'not started: an earlier target stopped the run',
};

const fmt = formatNumber;

/** Which zone the values were read in; for "server", what it resolved to and that the application's session zone is
 * what counts. */
export function zoneLines(zone: string): string[] {
  const lines = [`values read in: ${zone}`];
  if (zone.startsWith('"server"'))
    lines.push(
      "DATETIME holds the application's session wall clock; if its sessions set a time_zone other than the server's, name it in targets[].datetimeZone",
    );
  return lines;
}

export class PurgeRefusedError extends Error {
  override name = 'PurgeRefusedError';
  constructor(readonly refusals: string[]) {
    super(`refusing to purge, nothing deleted: ${refusals.join('; ')}`);
  }
}

export interface PurgeReplicaInfo {
  nodes: readonly string[];
  maxLagSeconds: number;
}

/** What a person reads after a real run. */
export function purgeResult(
  outcomes: TargetOutcome[],
  plan: Extract<PurgePlan, { ok: true }>,
  facts: PurgeFacts,
  replicas: PurgeReplicaInfo = { nodes: [], maxLagSeconds: 1 },
): JobResult {
  const total = outcomes.reduce((a, o) => a + o.rowsDeleted, 0);
  const stopped = outcomes.filter((o) => o.stopReason !== 'done');
  const warnings = [
    ...plan.targets.flatMap((t) => t.notes),
    ...stopped.map((o) => `${o.table}: ${STOP_TEXT[o.stopReason]}`),
    ...outcomes
      .filter((o) => o.rowsKept > 0)
      .map((o) => `${o.table}: ${o.rowsKept} rows changed between select and delete and were kept`),
  ];
  const stopReason: StopReason = stopped[0]?.stopReason ?? 'done';
  const heldBack = outcomes.filter((o) => o.stoppedWaitingForReplica);
  const alert =
    heldBack.length > 0
      ? `purge stopped while waiting for a replica (${heldBack.map((o) => `${o.table}: ${o.rowsDeleted} rows deleted, ${Math.round(o.replicaPausedMs / 1000)} s waiting`).join('; ')}): ${heldBack[0]!.pauseReasons.at(-1) ?? 'replica behind'}`
      : undefined;
  if (alert) warnings.push(alert);
  const summary = `${fmt(total)} expired rows deleted from ${outcomes.map((o) => o.table).join(', ')}; ${stopReason === 'done' ? 'backlog cleared' : `stopped: ${stopReason}`}`;
  return {
    status: stopped.length > 0 || plan.targets.some((t) => t.notes.length > 0) ? 'warning' : 'ok',
    summary,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(alert ? { alert } : {}),
    details: {
      stopped: stopReason,
      replica: describeReplica(facts.replica),
      replicas: { nodes: replicas.nodes, maxLagSeconds: replicas.maxLagSeconds },
      pauses: outcomes.flatMap((o) => o.pauses.map((p) => ({ table: o.table, ...p }))),
      targets: outcomes,
    },
    sections: outcomes.flatMap((o) => targetSections(o, facts)),
  };
}

function targetSections(o: TargetOutcome, facts: PurgeFacts): ReportSection[] {
  const figures: Figure[] = [
    { label: `${o.table}: rows deleted`, value: o.rowsDeleted, unit: 'rows' },
    { label: `${o.table}: chunks`, value: o.chunks },
    { label: `${o.table}: duration`, value: Math.round(o.durationMs), unit: 'ms' },
    o.rowsPerSecond === null || o.chunks === 0
      ? { label: `${o.table}: rows/s`, value: null, note: 'nothing to delete' }
      : { label: `${o.table}: rows/s`, value: o.rowsPerSecond, unit: 'rows/s' },
    o.slowestChunkMs === null
      ? { label: `${o.table}: slowest chunk`, value: null, note: 'no chunk ran' }
      : {
          label: `${o.table}: slowest chunk`,
          value: Math.round(o.slowestChunkMs),
          unit: 'ms',
          threshold: '<= 250 ms',
          status: o.slowestChunkMs <= 250 ? 'ok' : 'warn',
        },
    {
      label: `${o.table}: paused (throttle)`,
      value: Math.round(o.pausedMs),
      unit: 'ms',
      ...(o.pauseReasons.length ? { note: o.pauseReasons.join('; ') } : {}),
    },
    {
      label: `${o.table}: paused for replicas`,
      value: Math.round(o.replicaPausedMs),
      unit: 'ms',
      status: o.stoppedWaitingForReplica ? 'fail' : o.replicaPausedMs > 0 ? 'warn' : 'ok',
      note: `${o.pauses.filter((p) => p.replica).length} pause(s)`,
    },
    { label: `${o.table}: retries (1205/1213)`, value: o.retries, status: o.retries > 0 ? 'warn' : 'ok' },
    o.backlogLeft === null
      ? { label: `${o.table}: backlog left`, value: null, note: 'not counted after an abort' }
      : {
          label: `${o.table}: backlog left`,
          value: o.backlogLeft,
          unit: 'rows',
          threshold: '0',
          status: o.backlogLeft === 0 ? 'ok' : 'warn',
        },
    { label: `${o.table}: stop reason`, value: o.stopReason, status: o.stopReason === 'done' ? 'ok' : 'warn' },
  ];
  return [
    { kind: 'figures', title: `Purge ${facts.database}.${o.table}`, figures },
    {
      kind: 'text',
      title: `How ${o.table} was purged`,
      lines: [
        `cutoff: ${o.expiryColumn} < '${o.cutoff}' (${o.cutoffBasis})`,
        ...zoneLines(o.zone),
        `index: ${o.index}; chunk rows ${o.chunkRows.min ?? '-'}..${o.chunkRows.max ?? '-'}`,
        `throttle: ${describeReplica(facts.replica)}`,
        STOP_TEXT[o.stopReason],
      ],
    },
  ];
}

export interface DryRunTarget {
  plan: TargetPlan;
  wouldDelete: number;
  explain: { first: Record<string, unknown>[]; next: Record<string, unknown>[] };
}

/** --dry-run: what would go, and how the chunk query would run. */
export function dryRunResult(
  targets: DryRunTarget[],
  plan: Extract<PurgePlan, { ok: true }>,
  facts: PurgeFacts,
): JobResult {
  const total = targets.reduce((a, t) => a + t.wouldDelete, 0);
  const notes = plan.targets.flatMap((t) => t.notes);
  const sections: ReportSection[] = targets.flatMap((t): ReportSection[] => [
    {
      kind: 'figures',
      title: `Dry run ${facts.database}.${t.plan.table}`,
      figures: [{ label: `${t.plan.table}: rows that would be deleted`, value: t.wouldDelete, unit: 'rows' }],
    },
    {
      kind: 'table',
      title: `EXPLAIN of the chunk query on ${t.plan.table} (first chunk, then next chunks)`,
      columns: ['chunk', 'type', 'key', 'rows', 'Extra'],
      rows: [
        ...t.explain.first.map((r) => ['first', ...explainCells(r)]),
        ...t.explain.next.map((r) => ['next', ...explainCells(r)]),
      ],
    },
    {
      kind: 'sql',
      title: `Chunk statements for ${t.plan.table} (dbkeeper did not run them)`,
      statements: [t.plan.selectNextSql, t.plan.deleteSql],
    },
    {
      kind: 'text',
      title: `Cutoff for ${t.plan.table}`,
      lines: [
        `${t.plan.expiryColumn} < '${t.plan.cutoff}'`,
        t.plan.cutoffBasis,
        ...zoneLines(t.plan.zone),
        `throttle: ${describeReplica(facts.replica)}`,
        ...plan.notes,
      ],
    },
  ]);
  return {
    status: notes.length > 0 ? 'warning' : 'ok',
    summary: `dry run: ${fmt(total)} expired rows would be deleted from ${targets.map((t) => t.plan.table).join(', ')}; nothing deleted`,
    ...(notes.length > 0 ? { warnings: notes } : {}),
    details: {
      dryRun: true,
      replica: describeReplica(facts.replica),
      targets: targets.map((t) => ({
        table: t.plan.table,
        expiryColumn: t.plan.expiryColumn,
        index: t.plan.index,
        cutoff: t.plan.cutoff,
        cutoffBasis: t.plan.cutoffBasis,
        zone: t.plan.zone,
        wouldDelete: t.wouldDelete,
        explain: t.explain,
        chunkSql: [t.plan.selectNextSql, t.plan.deleteSql],
      })),
    },
    sections,
  };
}

function explainCells(r: Record<string, unknown>): (string | number | null)[] {
  const cell = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'number' ? v : String(v));
  return [cell(r.type), cell(r.key), cell(r.rows), cell(r.Extra)];
}
