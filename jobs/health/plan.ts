import { orderFigures, type Figure, type ReportSection } from '../../src/job/report-sections.js';
import type { CounterName, HealthFacts, StoredSnapshot } from './facts.js';
import type { HealthConfig } from './config.js';
import { healthAdditionFigures } from './additions-figures.js';
import { judgeAbove, judgeBelow } from './judge.js';
import { DAY_SECONDS, healthWindow, hours, perDayBasis, type HealthWindow } from './window.js';

export interface HealthPlan {
  window: HealthWindow;
  figures: Figure[];
  deltas: Partial<Record<CounterName, number>>;
  /** Counters that went backwards without a restart (FLUSH STATUS, truncated performance_schema tables). */
  resetCounters: CounterName[];
  tableGrowth: { schema: string; table: string; bytes: number; rows: number | null; growthBytes: number | null }[];
  status: 'ok' | 'warning';
  summary: string;
  sections: ReportSection[];
}

/** The limit as a person reads it after "target", e.g. "≤ 80 % (fail above 95 %)". */
function limitText(warn: number | null, fail: number | null, unit: string): string {
  const u = unit ? ` ${unit}` : '';
  if (warn === null || warn === fail) return `≤ ${fail}${u}`;
  return fail === null ? `≤ ${warn}${u}` : `≤ ${warn}${u} (fail above ${fail}${u})`;
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Pure: snapshots → per-day figures, each with its limit and status; failing ones first. */
/** `extraFigures`: figures collected beside the snapshot (the configured replicas' ones), judged already. */
export function planHealth(
  current: HealthFacts,
  previous: StoredSnapshot | null,
  policy: HealthConfig,
  extraFigures: readonly Figure[] = [],
): HealthPlan {
  const window = healthWindow(current, previous);
  const deltas: Partial<Record<CounterName, number>> = {};
  const resetCounters: CounterName[] = [];
  const deltaReason: Partial<Record<CounterName, string>> = {};
  for (const [name, value] of Object.entries(current.counters) as [CounterName, number][]) {
    if (window.kind === 'restart') deltas[name] = value;
    else if (window.kind === 'delta') {
      const before = previous!.facts.counters[name];
      if (before === undefined) deltaReason[name] = 'not recorded in the previous snapshot';
      else if (value < before) {
        resetCounters.push(name);
        deltaReason[name] =
          'counter was reset since the previous snapshot (FLUSH STATUS or a truncated table): no delta this time';
      } else deltas[name] = value - before;
    }
  }
  const noDelta = window.kind === 'first' || window.kind === 'other-server' ? window.note : null;
  const why = (name: CounterName): string =>
    current.unavailable[name] ?? deltaReason[name] ?? noDelta ?? 'not available';
  const seconds = window.seconds ?? 0;
  const windowText = window.seconds === null ? '' : ` in ${hours(window.seconds)}`;

  const figures: Figure[] = [];
  /** A count judged per day; `context` goes at the end of its note. */
  const countFigure = (
    label: string,
    name: CounterName,
    warn: number | null,
    fail: number | null,
    context?: string,
  ) => {
    const threshold = limitText(warn, fail, 'per day');
    const withContext = (note: string) => (context ? `${note}; ${context}` : note);
    const d = deltas[name];
    if (d === undefined)
      return figures.push({ label, value: null, threshold, status: 'n/a', note: withContext(why(name)) });
    const basis = perDayBasis(d, seconds);
    const scaled = seconds > DAY_SECONDS ? ` (${round(basis)} per day)` : '';
    return figures.push({
      label,
      value: d,
      threshold,
      status: judgeAbove(basis, warn, fail),
      note: withContext(`${d}${windowText}${scaled}`),
    });
  };

  // Average statement time: performance_schema timers only.
  const n = deltas.statementCount;
  const us = deltas.statementTimeUs;
  const avgLimit = limitText(policy.avgQueryTimeMsWarn, policy.avgQueryTimeMsFail, 'ms');
  if (n === undefined || us === undefined)
    figures.push({
      label: 'Average query time',
      value: null,
      unit: 'ms',
      threshold: avgLimit,
      status: 'n/a',
      note: why('statementCount'),
    });
  else if (n === 0)
    figures.push({
      label: 'Average query time',
      value: null,
      unit: 'ms',
      threshold: avgLimit,
      status: 'n/a',
      note: `no statements${windowText}`,
    });
  else {
    const avg = round(us / n / 1000, 2);
    figures.push({
      label: 'Average query time',
      value: avg,
      unit: 'ms',
      threshold: avgLimit,
      status: judgeAbove(avg, policy.avgQueryTimeMsWarn, policy.avgQueryTimeMsFail),
      note: `${n} statements${windowText} (performance_schema)`,
    });
  }

  const q = deltas.questions;
  figures.push(
    q === undefined
      ? { label: 'Queries', value: null, status: 'n/a', note: why('questions') }
      : {
          label: 'Queries',
          value: q,
          status: 'ok',
          note: `${windowText.trim() || 'in the window'}${seconds > 0 ? `, ${round(q / seconds)} per second` : ''}`,
        },
  );
  countFigure(
    'Slow queries',
    'slowQueries',
    policy.slowQueriesPerDayWarn,
    policy.slowQueriesPerDayFail,
    `long_query_time = ${current.longQueryTimeSeconds} s, slow_query_log ${current.slowQueryLog ? 'ON' : 'OFF'}`,
  );
  countFigure('Deadlocks', 'deadlocks', null, policy.deadlocksPerDayFail);
  countFigure('Row-lock waits', 'rowLockWaits', policy.rowLockWaitsPerDayWarn, null);
  const waits = deltas.rowLockWaits;
  const waitMs = deltas.rowLockTimeMs;
  const waitLimit = limitText(policy.rowLockWaitAvgMsWarn, null, 'ms');
  if (waits === undefined || waitMs === undefined)
    figures.push({
      label: 'Row-lock wait, average',
      value: null,
      unit: 'ms',
      threshold: waitLimit,
      status: 'n/a',
      note: why('rowLockTimeMs'),
    });
  else if (waits === 0)
    figures.push({
      label: 'Row-lock wait, average',
      value: null,
      unit: 'ms',
      threshold: waitLimit,
      status: 'n/a',
      note: `no row-lock waits${windowText}`,
    });
  else {
    const avg = round(waitMs / waits);
    figures.push({
      label: 'Row-lock wait, average',
      value: avg,
      unit: 'ms',
      threshold: waitLimit,
      status: judgeAbove(avg, policy.rowLockWaitAvgMsWarn, null),
      note: `${waitMs} ms in total${windowText}`,
    });
  }

  // Connections.
  const useLimit = limitText(policy.connectionUsePercentWarn, policy.connectionUsePercentFail, '%');
  const pct = (c: number) => round((100 * c) / current.maxConnections);
  const nowPct = pct(current.threadsConnected);
  figures.push({
    label: 'Connection use, now',
    value: nowPct,
    unit: '%',
    threshold: useLimit,
    status: judgeAbove(nowPct, policy.connectionUsePercentWarn, policy.connectionUsePercentFail),
    note: `${current.threadsConnected} of max_connections ${current.maxConnections}`,
  });
  const peakPct = pct(current.maxUsedConnections);
  const prevPeak = window.kind === 'delta' ? previous!.facts.maxUsedConnections : null;
  const peakNew = prevPeak === null || current.maxUsedConnections > prevPeak;
  figures.push({
    label: 'Connection use, peak',
    value: peakPct,
    unit: '%',
    threshold: useLimit,
    status: judgeAbove(peakPct, policy.connectionUsePercentWarn, policy.connectionUsePercentFail),
    note: `Max_used_connections ${current.maxUsedConnections} of ${current.maxConnections}: ${
      window.kind === 'delta'
        ? peakNew
          ? `new peak reached${windowText}`
          : `high-water mark since the server started ${hours(current.uptimeSeconds)} ago, not exceeded${windowText}`
        : 'high-water mark since the server started'
    }`,
  });
  countFigure(
    'Refused connections (max_connections reached)',
    'refusedConnections',
    null,
    policy.refusedConnectionsPerDayFail,
  );
  countFigure('Aborted connection attempts', 'abortedConnects', policy.abortedConnectsPerDayWarn, null);
  countFigure('Aborted clients', 'abortedClients', policy.abortedClientsPerDayWarn, null);

  // Buffer pool.
  const reqs = deltas.bufferPoolReadRequests;
  const reads = deltas.bufferPoolReads;
  const hitLimit = `≥ ${policy.bufferPoolHitPercentWarn} % (fail below ${policy.bufferPoolHitPercentFail} %)`;
  if (reqs === undefined || reads === undefined)
    figures.push({
      label: 'Buffer pool hit ratio',
      value: null,
      unit: '%',
      threshold: hitLimit,
      status: 'n/a',
      note: why('bufferPoolReadRequests'),
    });
  else if (reqs === 0)
    figures.push({
      label: 'Buffer pool hit ratio',
      value: null,
      unit: '%',
      threshold: hitLimit,
      status: 'n/a',
      note: `no buffer pool reads${windowText}`,
    });
  else {
    const hit = round(100 * (1 - reads / reqs), 2);
    figures.push({
      label: 'Buffer pool hit ratio',
      value: hit,
      unit: '%',
      threshold: hitLimit,
      status: judgeBelow(hit, policy.bufferPoolHitPercentWarn, policy.bufferPoolHitPercentFail),
      note: `${reads} disk reads for ${reqs} page requests${windowText}`,
    });
  }

  const hllLimit = limitText(policy.historyListLengthWarn, policy.historyListLengthFail, '');
  figures.push(
    current.historyListLength === null
      ? {
          label: 'History list length',
          value: null,
          threshold: hllLimit,
          status: 'n/a',
          note: current.historyListReason ?? 'not available',
        }
      : {
          label: 'History list length',
          value: current.historyListLength,
          threshold: hllLimit,
          status: judgeAbove(current.historyListLength, policy.historyListLengthWarn, policy.historyListLengthFail),
          note: 'undo records not yet purged: long transactions hold them',
        },
  );
  figures.push({
    label: 'Uptime',
    value: round(current.uptimeSeconds / DAY_SECONDS, 2),
    unit: 'days',
    threshold: 'no restart between snapshots',
    status: window.kind === 'restart' ? 'warn' : 'ok',
    note: window.kind === 'restart' ? window.note : `${current.flavor} ${current.version}`,
  });

  for (const ch of current.replica ?? []) {
    const label = `Replica${ch.name ? ` ${ch.name}` : ''}`;
    if (!ch.ioRunning || !ch.sqlRunning) {
      figures.push({
        label: `${label} threads`,
        value: `IO ${ch.ioRunning ? 'Yes' : 'No'}, SQL ${ch.sqlRunning ? 'Yes' : 'No'}`,
        threshold: 'both running',
        status: 'fail',
        note: ch.lastError ?? 'replication is stopped',
      });
    }
    const lagLimit = limitText(policy.replicaLagSecondsWarn, policy.replicaLagSecondsFail, 's');
    figures.push(
      ch.lagSeconds === null
        ? {
            label: `${label} lag`,
            value: null,
            unit: 's',
            threshold: lagLimit,
            status: 'n/a',
            note: 'Seconds_Behind is NULL: the replica is not replicating',
          }
        : {
            label: `${label} lag`,
            value: ch.lagSeconds,
            unit: 's',
            threshold: lagLimit,
            status: judgeAbove(ch.lagSeconds, policy.replicaLagSecondsWarn, policy.replicaLagSecondsFail),
          },
    );
  }
  if (current.replica === null && current.replicaReason)
    figures.push({ label: 'Replica', value: null, status: 'n/a', note: current.replicaReason });
  figures.push(...healthAdditionFigures(current, previous, window, policy));
  figures.push(...extraFigures);

  // Table sizes and growth since the previous snapshot (of the same server, any uptime).
  const prevTables = window.kind === 'delta' || window.kind === 'restart' ? previous!.facts.tables : null;
  const tableGrowth = current.tables.map((t) => {
    const before = prevTables?.find((p) => p.schema === t.schema && p.table === t.table);
    return { ...t, growthBytes: before ? t.bytes - before.bytes : null };
  });

  const ordered = orderFigures(figures);
  const failing = ordered.filter((f) => f.status === 'fail');
  const warning = ordered.filter((f) => f.status === 'warn');
  const attention = [...failing, ...warning];
  const sections: ReportSection[] = [];
  if (attention.length > 0) sections.push({ kind: 'figures', title: 'Health: needs attention', figures: attention });
  const fine = ordered.filter((f) => f.status === 'ok');
  if (fine.length > 0) sections.push({ kind: 'figures', title: 'Health: within limits', figures: fine });
  const na = ordered.filter((f) => f.status === 'n/a');
  if (na.length > 0) sections.push({ kind: 'figures', title: 'Health: not available', figures: na });
  sections.push({
    kind: 'text',
    title: 'Health window',
    lines: [window.note, ...resetCounters.map((c) => `${c}: counter reset since the previous snapshot, no delta`)],
  });
  if (tableGrowth.length > 0) {
    sections.push({
      kind: 'table',
      title: `Largest tables in ${current.tables[0]!.schema}`,
      columns: ['Table', 'Size MB', 'Rows (estimate)', 'Growth MB since previous snapshot'],
      rows: tableGrowth.map((t) => [
        t.table,
        round(t.bytes / 1048576, 2),
        t.rows,
        t.growthBytes === null ? null : round(t.growthBytes / 1048576, 2),
      ]),
    });
    sections.push({
      kind: 'bars',
      title: 'Largest tables',
      unit: 'MB',
      bars: tableGrowth.map((t) => ({ label: t.table, value: round(t.bytes / 1048576, 2) })),
    });
  }

  const describe = (f: Figure) => `${f.label} ${f.value}${f.unit ? ` ${f.unit}` : ''} (limit ${f.threshold ?? 'none'})`;
  const summary =
    attention.length === 0
      ? `all ${fine.length} figures within limits${na.length ? `, ${na.length} not available` : ''}; ${window.note}`
      : `${failing.length} failing, ${warning.length} warning: ${attention.map(describe).join('; ')}`;
  return {
    window,
    figures: ordered,
    deltas,
    resetCounters,
    tableGrowth,
    status: attention.length > 0 ? 'warning' : 'ok',
    summary,
    sections,
  };
}
