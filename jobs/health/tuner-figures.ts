import { detectDialect } from '../../src/db/dialect.js';
import type { Figure } from '../../src/job/report-sections.js';
import type { HealthFacts, StoredSnapshot } from './facts.js';
import { judgeAbove } from './judge.js';
import { hours, perDayBasis, type HealthWindow } from './window.js';
import { serverEolVerdict } from './server-eol.js';
import type { TunerCounter, TunerFacts, TableList } from './tuner-collect.js';
import type { tunerConfigShape } from './tuner-config.js';
import { percentOf, sizeText, tableCacheHitPercent, threadCacheHitPercent, tmpDiskPercent } from './tuner-ratios.js';
import type { z } from 'zod';

export type TunerPolicy = { [K in keyof typeof tunerConfigShape]: z.infer<(typeof tunerConfigShape)[K]> };

/** Per-counter deltas over the health window (the same rules as the global status figures: after a restart the
 * counter itself, a counter that went backwards has no delta), or why there is none. */
export function tunerDeltas(
  current: TunerFacts,
  previous: TunerFacts | undefined,
  window: HealthWindow,
): { deltas: Partial<Record<TunerCounter, number>>; why: (c: TunerCounter) => string } {
  const deltas: Partial<Record<TunerCounter, number>> = {};
  const reasons: Partial<Record<TunerCounter, string>> = {};
  for (const [name, value] of Object.entries(current.counters) as [TunerCounter, number][]) {
    if (window.kind === 'restart') deltas[name] = value;
    else if (window.kind === 'delta') {
      const before = previous?.counters[name];
      if (before === undefined)
        reasons[name] = 'not recorded in the previous snapshot: per-day figures start with the next run';
      else if (value < before)
        reasons[name] = 'counter was reset since the previous snapshot (FLUSH STATUS): no delta this time';
      else deltas[name] = value - before;
    }
  }
  const none = window.kind === 'first' || window.kind === 'other-server' ? window.note : null;
  return { deltas, why: (c) => reasons[c] ?? none ?? `status variable for ${c} does not exist on this server` };
}

/** ok while value ≥ warn (lower is worse); warn below. These checks never fail. */
function judgeAtLeast(value: number, warn: number): 'ok' | 'warn' {
  return value < warn ? 'warn' : 'ok';
}

function listNote(list: TableList, what: string): string {
  if (list.count === 0) return `no ${what}`;
  const more = list.count > list.names.length ? ` and ${list.count - list.names.length} more` : '';
  return `${list.names.join(', ')}${more}`;
}

/** The mysqltuner-style figures, pure: counters as per-day deltas, the rest as values at the snapshot. */
export function tunerFigures(
  current: HealthFacts,
  previous: StoredSnapshot | null,
  window: HealthWindow,
  p: TunerPolicy,
): Figure[] {
  const t = current.tuner;
  if (!t) return [];
  const { deltas, why } = tunerDeltas(t, previous?.facts.tuner, window);
  const seconds = window.seconds ?? 0;
  const inWindow = window.seconds === null ? '' : ` in ${hours(window.seconds)}`;
  const figures: Figure[] = [];

  const perDay = (label: string, c: TunerCounter, warn: number, what: string) => {
    const d = deltas[c];
    const threshold = `≤ ${warn} per day`;
    if (d === undefined) return figures.push({ label, value: null, threshold, status: 'n/a', note: why(c) });
    const basis = perDayBasis(d, seconds);
    return figures.push({
      label,
      value: d,
      threshold,
      status: judgeAbove(basis, warn, null),
      note: `${d}${inWindow}: ${what}`,
    });
  };
  perDay(
    'Joins without indexes',
    'selectFullJoin',
    p.fullJoinsPerDayWarn,
    'Select_full_join, joins that scanned a whole table',
  );
  perDay(
    'Joins with a range check per row',
    'selectRangeCheck',
    p.rangeCheckJoinsPerDayWarn,
    'Select_range_check, joins without a usable index',
  );

  /** A ratio of two deltas. */
  const ratio = (
    label: string,
    a: TunerCounter,
    b: TunerCounter,
    compute: (x: number, y: number) => number | null,
    threshold: string,
    judge: (v: number) => 'ok' | 'warn',
    note: (x: number, y: number) => string,
  ) => {
    const x = deltas[a];
    const y = deltas[b];
    if (x === undefined || y === undefined)
      return figures.push({
        label,
        value: null,
        unit: '%',
        threshold,
        status: 'n/a',
        note: why(x === undefined ? a : b),
      });
    const v = compute(x, y);
    if (v === null)
      return figures.push({
        label,
        value: null,
        unit: '%',
        threshold,
        status: 'n/a',
        note: `nothing to count${inWindow}`,
      });
    return figures.push({ label, value: v, unit: '%', threshold, status: judge(v), note: note(x, y) });
  };
  ratio(
    'Temporary tables on disk',
    'createdTmpDiskTables',
    'createdTmpTables',
    tmpDiskPercent,
    `≤ ${p.tmpDiskTablePercentWarn} %`,
    (v) => (judgeAbove(v, p.tmpDiskTablePercentWarn, null) === 'ok' ? 'ok' : 'warn'),
    (x, y) => `${x} of ${y} implicit temporary tables${inWindow} went to disk (Created_tmp_disk_tables)`,
  );
  ratio(
    'Table open cache hit ratio',
    'tableOpenCacheHits',
    'tableOpenCacheMisses',
    tableCacheHitPercent,
    `≥ ${p.tableOpenCacheHitPercentWarn} %`,
    (v) => judgeAtLeast(v, p.tableOpenCacheHitPercentWarn),
    (x, y) => `${x} hits, ${y} misses${inWindow} (Table_open_cache_hits / _misses)`,
  );
  ratio(
    'Thread cache hit ratio',
    'threadsCreated',
    'connections',
    threadCacheHitPercent,
    `≥ ${p.threadCacheHitPercentWarn} %`,
    (v) => judgeAtLeast(v, p.threadCacheHitPercentWarn),
    (x, y) => `${x} threads created for ${y} connections${inWindow}`,
  );

  // Sizes at the snapshot.
  const poolLimit = `≥ ${p.bufferPoolOfDataPercentWarn} % of the data`;
  if (t.bufferPoolBytes === null || t.innodbDataBytes === null) {
    figures.push({
      label: 'Buffer pool vs InnoDB data',
      value: null,
      unit: '%',
      threshold: poolLimit,
      status: 'n/a',
      note: t.reasons.innodbData ?? 'innodb_buffer_pool_size not readable',
    });
  } else {
    const v = percentOf(t.bufferPoolBytes, t.innodbDataBytes);
    figures.push(
      v === null
        ? {
            label: 'Buffer pool vs InnoDB data',
            value: null,
            unit: '%',
            threshold: poolLimit,
            status: 'n/a',
            note: 'no InnoDB data',
          }
        : {
            label: 'Buffer pool vs InnoDB data',
            value: v,
            unit: '%',
            threshold: poolLimit,
            status: judgeAtLeast(v, p.bufferPoolOfDataPercentWarn),
            note:
              `innodb_buffer_pool_size ${sizeText(t.bufferPoolBytes)}, ` +
              `InnoDB data + indexes ${sizeText(t.innodbDataBytes)} (estimate)`,
          },
    );
  }
  const redoLimit = `≥ ${p.redoLogOfBufferPoolPercentWarn} % of the buffer pool`;
  if (t.redoLog === null || t.bufferPoolBytes === null || t.bufferPoolBytes === 0) {
    figures.push({
      label: 'Redo log vs buffer pool',
      value: null,
      unit: '%',
      threshold: redoLimit,
      status: 'n/a',
      note: 'redo log or buffer pool size not readable',
    });
  } else {
    const v = percentOf(t.redoLog.bytes, t.bufferPoolBytes)!;
    figures.push({
      label: 'Redo log vs buffer pool',
      value: v,
      unit: '%',
      threshold: redoLimit,
      status: judgeAtLeast(v, p.redoLogOfBufferPoolPercentWarn),
      note: `${t.redoLog.source} ${sizeText(t.redoLog.bytes)}, buffer pool ${sizeText(t.bufferPoolBytes)}`,
    });
  }

  const tables = (label: string, list: TableList | null, warn: number, what: string) =>
    figures.push(
      list === null
        ? { label, value: null, threshold: `≤ ${warn}`, status: 'n/a', note: t.reasons.tables ?? 'not read' }
        : {
            label,
            value: list.count,
            threshold: `≤ ${warn}`,
            status: judgeAbove(list.count, warn, null),
            note: listNote(list, what),
          },
    );
  tables(
    'Tables without a primary key',
    t.tablesWithoutPrimaryKey,
    p.tablesWithoutPrimaryKeyWarn,
    'table without a primary key',
  );
  tables(
    `Tables with indexes larger than their data (data ≥ ${sizeText(p.indexLargerThanDataMinBytes)})`,
    t.indexLargerThanData,
    p.indexLargerThanDataTablesWarn,
    'such table',
  );

  const d = detectDialect(current.version);
  const eol = serverEolVerdict(
    current.flavor,
    d.version.major,
    d.version.minor,
    new Date(current.serverEpochMs),
    p.serverEolWarnDays,
  );
  figures.push({
    label: 'Server version end of life',
    value: eol.eol,
    threshold: `more than ${p.serverEolWarnDays} days ahead (warn only)`,
    status: eol.status,
    note: eol.note,
  });

  if (t.accounts !== null || t.reasons.accounts) {
    const accounts = (label: string, names: string[] | undefined) =>
      figures.push(
        names === undefined
          ? { label, value: null, threshold: '0', status: 'n/a', note: t.reasons.accounts ?? 'not read' }
          : {
              label,
              value: names.length,
              threshold: '0',
              status: names.length > 0 ? 'warn' : 'ok',
              note: names.length > 0 ? names.join(', ') : 'none',
            },
      );
    accounts('Accounts without a password', t.accounts?.noPassword);
    accounts('Anonymous accounts', t.accounts?.anonymous);
    accounts("Accounts 'root' from any host", t.accounts?.rootFromAnyHost);
  }
  return figures;
}
