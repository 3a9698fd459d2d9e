import { quoteId, quoteTable } from '../../src/db/sql-identifier.js';
import type { ApiResponseConfig, BookingSuccessConfig } from './platform-config.js';

/** A SELECT with `?` values; names only through quoteId. Bare (no time limit) so a test can EXPLAIN it. */
export interface WindowStatement {
  sql: string;
  values: unknown[];
}

/** `[from, to)` on the time column: a plain range, so the server prunes to the partitions that cover it. */
function windowWhere(timeColumn: string, from: Date, to: Date): WindowStatement {
  const t = quoteId(timeColumn, 'timeColumn');
  return { sql: `${t} >= ? AND ${t} < ?`, values: [from, to] };
}

/** The calls in the window and how many are errors (status ≥ errorStatusAtLeast or one of errorStatusValues). */
export function apiCountStatement(c: ApiResponseConfig, schema: string, from: Date, to: Date): WindowStatement {
  const s = quoteId(c.statusColumn, 'statusColumn');
  const parts: string[] = [];
  const values: unknown[] = [];
  if (c.errorStatusAtLeast !== null) {
    parts.push(`${s} >= ?`);
    values.push(c.errorStatusAtLeast);
  }
  if (c.errorStatusValues.length > 0) {
    parts.push(`${s} IN (?)`);
    values.push(c.errorStatusValues);
  }
  const w = windowWhere(c.timeColumn, from, to);
  return {
    sql: `SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN ${parts.join(' OR ')} THEN 1 ELSE 0 END), 0) AS errors
  FROM ${quoteTable(schema, c.table)} WHERE ${w.sql}`,
    values: [...values, ...w.values],
  };
}

/** The durations of the window, all of them (`fraction` 1) or a Bernoulli sample over the whole window (RAND with a
 * fixed seed: the same rows on a re-run), never more than `cap` rows. Unsorted: the client ranks them. */
export function apiDurationsStatement(
  c: ApiResponseConfig,
  schema: string,
  from: Date,
  to: Date,
  fraction: number,
  cap: number,
): WindowStatement {
  const d = quoteId(c.durationColumn, 'durationColumn');
  const w = windowWhere(c.timeColumn, from, to);
  const sample = fraction < 1 ? ' AND RAND(?) < ?' : '';
  return {
    sql: `SELECT ${d} AS d FROM ${quoteTable(schema, c.table)} WHERE ${w.sql} AND ${d} IS NOT NULL${sample} LIMIT ?`,
    values: [...w.values, ...(fraction < 1 ? [19, fraction] : []), cap],
  };
}

/** Rows in the window (optionally only those whose filter column is one of the filter values) and how many of them
 * have a success status. Call only with a validated, enabled config. */
export function bookingCountStatement(c: BookingSuccessConfig, schema: string, from: Date, to: Date): WindowStatement {
  if (c.table === null || c.timeColumn === null || c.statusColumn === null)
    throw new Error('bookingSuccess is not configured');
  const w = windowWhere(c.timeColumn, from, to);
  const status = quoteId(c.statusColumn, 'statusColumn');
  const filter = c.filterColumn !== null ? ` AND ${quoteId(c.filterColumn, 'filterColumn')} IN (?)` : '';
  return {
    sql: `SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN ${status} IN (?) THEN 1 ELSE 0 END), 0) AS ok
  FROM ${quoteTable(schema, c.table)} WHERE ${w.sql}${filter}`,
    values: [c.successValues, ...w.values, ...(c.filterColumn !== null ? [c.filterValues] : [])],
  };
}
