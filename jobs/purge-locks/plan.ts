import { quoteId, quoteTable } from '../../src/db/sql-identifier.js';
import type { PurgeConfig } from './config.js';
import { utcWallClock, wallClockCutoff, type WallClock } from './cutoff.js';
import type { PurgeFacts, TargetFacts } from './facts.js';

/** Everything apply needs for one table: a fixed cutoff and the statements, built once. */
export interface TargetPlan {
  table: string;
  expiryColumn: string;
  columnType: 'datetime' | 'timestamp';
  primaryKey: string;
  index: string;
  /** Compared with the column as a value; never NOW(). */
  cutoff: WallClock;
  /** How the cutoff was computed, for people. */
  cutoffBasis: string;
  /** The zone the column's values are read in: for DATETIME the application's (configured or what "server" resolved
   * to). */
  zone: string;
  /** First chunk: params [cutoff, limit]. */
  selectFirstSql: string;
  /** Next chunks after (lastExpiry, lastId): params [cutoff, lastExpiry, lastExpiry, lastExpiry, lastId, limit]. */
  selectNextSql: string;
  /** Params [ids, cutoff]: the cutoff is checked again so a lock extended meanwhile stays. */
  deleteSql: string;
  /** Params [cutoff]. */
  countSql: string;
  notes: string[];
}

export type PurgePlan = { ok: true; targets: TargetPlan[]; notes: string[] } | { ok: false; refusals: string[] };

const DATE_TIME_TYPES = new Set(['datetime', 'timestamp']);

/** PURE: checks every target, computes the cutoffs, builds the SQL. Any refusal refuses the whole run. */
export function planPurge(facts: PurgeFacts, config: PurgeConfig, now: Date): PurgePlan {
  const refusals: string[] = [];
  const targets: TargetPlan[] = [];
  for (const t of facts.targets) {
    const r = planTarget(t, facts.database, now);
    if ('refusal' in r) refusals.push(r.refusal);
    else targets.push(r);
  }
  if (refusals.length > 0) return { ok: false, refusals };
  const notes = [
    `chunks of ${config.chunk.minRows}..${config.chunk.maxRows} rows aiming at ${config.chunk.targetMs} ms; at most ${config.maxRowsPerRun} rows and ${config.maxRunSeconds} s per run`,
  ];
  return { ok: true, targets, notes };
}

function planTarget(t: TargetFacts, database: string, now: Date): TargetPlan | { refusal: string } {
  const { table, expiryColumn } = t.target;
  const name = `${database}.${table}`;
  if (!t.table) return { refusal: `${name}: no such table (targets[].table)` };
  const col = t.columns.find((c) => c.name.toLowerCase() === expiryColumn.toLowerCase());
  if (!col) return { refusal: `${name}.${expiryColumn}: no such column (targets[].expiryColumn)` };
  if (!DATE_TIME_TYPES.has(col.dataType))
    return {
      refusal: `${name}.${col.name} is ${col.dataType.toUpperCase()}, not DATETIME or TIMESTAMP: refusing to compare it with a time`,
    };

  const pk = t.indexes.find((i) => i.name === 'PRIMARY');
  if (!pk || pk.columns.length !== 1)
    return {
      refusal: `${name}: needs a single-column PRIMARY KEY to delete by (has ${pk ? `(${pk.columns.join(', ')})` : 'none'})`,
    };
  const pkCol = pk.columns[0]!;

  const leading = t.indexes.filter((i) => i.columns[0]?.toLowerCase() === col.name.toLowerCase());
  const usable = leading.filter((i) => i.usable);
  if (usable.length === 0) {
    const why =
      leading.length > 0
        ? `its index ${leading.map((i) => i.name).join(', ')} is ignored/invisible`
        : 'no index leads with it';
    return {
      refusal: `${name}.${col.name}: ${why}; a purge would scan and lock the whole table. Add one: ALTER TABLE ${quoteId(table)} ADD INDEX (${quoteId(col.name)})`,
    };
  }
  // A one-column index (or one followed by the primary key) is already in (expiry, id) order.
  const ordered = usable.find(
    (i) => i.columns.length === 1 || (i.columns.length === 2 && i.columns[1]!.toLowerCase() === pkCol.toLowerCase()),
  );
  const index = ordered ?? usable[0]!;
  const notes: string[] = [];
  if (!ordered)
    notes.push(
      `${name}: index ${index.name} (${index.columns.join(', ')}) has columns after ${col.name}; each chunk sorts its range. An index on (${col.name}) alone is faster.`,
    );
  if (t.table.engine && t.table.engine.toLowerCase() !== 'innodb')
    notes.push(`${name}: engine ${t.table.engine}, not InnoDB: chunks are not transactional`);

  const start = new Date(now.getTime() - t.target.graceSeconds * 1000);
  const grace = t.target.graceSeconds > 0 ? ` - ${t.target.graceSeconds} s grace` : '';
  let cutoff: WallClock;
  let cutoffBasis: string;
  let zone: string;
  if (col.dataType === 'timestamp') {
    zone = 'UTC (TIMESTAMP holds instants; session time_zone +00:00)';
    cutoff = utcWallClock(start);
    cutoffBasis = `TIMESTAMP: now${grace} = ${cutoff} UTC (session time_zone +00:00)`;
  } else {
    const samples = t.wallClockSamples ?? [];
    if (samples.length === 0 || samples.some((s) => s === null))
      return {
        refusal: `${name}.${col.name} is DATETIME and the wall clock in ${t.zoneLabel ?? 'its zone'} could not be computed (server time zone tables missing?); set targets[].datetimeZone to an IANA zone`,
      };
    const w = wallClockCutoff(samples as WallClock[]);
    zone = t.zoneLabel ?? t.target.datetimeZone;
    cutoff = w.cutoff;
    cutoffBasis = `DATETIME in ${t.zoneLabel}: now${grace} = ${w.wallAtStart} local`;
    if (w.heldBackForTurnBack) {
      cutoffBasis += `; clocks turn back soon, so the cutoff is held at ${w.cutoff}`;
      notes.push(
        `${name}: clocks in ${t.zoneLabel} turn back within hours; rows expiring in [${w.cutoff}, ${w.wallAtStart}) wait for the next run`,
      );
    }
  }

  const qt = quoteTable(database, table);
  const e = quoteId(col.name, 'column');
  const id = quoteId(pkCol, 'column');
  const ix = quoteId(index.name, 'index');
  const cols = `${id} AS id, DATE_FORMAT(${e}, '%Y-%m-%d %H:%i:%s.%f') AS expiry`;
  const order = `ORDER BY ${e}, ${id} LIMIT ?`;
  return {
    table,
    expiryColumn: col.name,
    columnType: col.dataType as 'datetime' | 'timestamp',
    primaryKey: pkCol,
    index: index.name,
    cutoff,
    cutoffBasis,
    zone,
    selectFirstSql: `SELECT ${cols} FROM ${qt} FORCE INDEX (${ix}) WHERE ${e} < ? ${order}`,
    selectNextSql: `SELECT ${cols} FROM ${qt} FORCE INDEX (${ix}) WHERE ${e} < ? AND ${e} >= ? AND (${e} > ? OR (${e} = ? AND ${id} > ?)) ${order}`,
    deleteSql: `DELETE FROM ${qt} WHERE ${id} IN (?) AND ${e} < ?`,
    countSql: `SELECT COUNT(*) AS n FROM ${qt} FORCE INDEX (${ix}) WHERE ${e} < ?`,
    notes,
  };
}
