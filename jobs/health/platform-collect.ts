import type { RowDataPacket } from 'mysql2/promise';
import type { JobDb } from '../../src/db/job-db.js';
import { boundSelect, isServerTimeLimit } from './bounded-select.js';
import { nearestRank, sampleFraction } from './nearest-rank.js';
import type { ApiResponseConfig, BookingSuccessConfig } from './platform-config.js';
import {
  apiCountStatement,
  apiDurationsStatement,
  bookingCountStatement,
  type WindowStatement,
} from './platform-sql.js';

type Db = Pick<JobDb, 'query' | 'dialect' | 'database'>;

const WINDOW_MS = 86_400_000;

export interface ApiResponseFacts {
  /** The window [from, to): the 24 h before the evaluation time (server clock), ISO. */
  from: string;
  to: string;
  table: string;
  calls: number | null;
  errors: number | null;
  /** Durations ranked: all of the window's, or a sample of them. */
  ranked: number;
  sampled: boolean;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Why the figures are null. */
  reason?: string;
}

export interface BookingSuccessFacts {
  from: string;
  to: string;
  table: string;
  rows: number | null;
  successes: number | null;
  reason?: string;
}

/** The platform's own targets, measured in its tables; null = not configured. */
export interface PlatformFacts {
  apiResponse: ApiResponseFacts | null;
  bookingSuccess: BookingSuccessFacts | null;
}

/** SQL errors that make a figure "n/a" with the reason; anything else (a client-side timeout) still throws. */
function readProblem(err: unknown, table: string, seconds: number): string | null {
  const e = err as { errno?: number; message?: string } | null;
  if (isServerTimeLimit(err)) return `stopped by the statement time limit (${seconds} s) while reading ${table}`;
  if (e?.errno === 1146 || e?.errno === 1049) return `table ${table} does not exist`;
  if (e?.errno === 1054) return `${String(e.message)} (check the column names in config)`;
  if (e?.errno === 1142 || e?.errno === 1143)
    return `no SELECT privilege on ${table} (GRANT SELECT ON ${table} TO dbkeeper)`;
  return null;
}

async function bounded(db: Db, seconds: number, st: WindowStatement): Promise<RowDataPacket[]> {
  const b = boundSelect(db.dialect, seconds, st.sql, st.values);
  return db.query<RowDataPacket[]>(b.sql, b.values, { timeLimitSeconds: seconds });
}

export async function collectApiResponse(db: Db, c: ApiResponseConfig, now: Date): Promise<ApiResponseFacts> {
  const schema = c.schema ?? db.database;
  const from = new Date(now.getTime() - WINDOW_MS);
  const table = `${schema}.${c.table}`;
  const base = { from: from.toISOString(), to: now.toISOString(), table };
  const none = { calls: null, errors: null, ranked: 0, sampled: false, p50: null, p95: null, p99: null };
  try {
    const [count] = await bounded(db, c.timeLimitSeconds, apiCountStatement(c, schema, from, now));
    const calls = Number(count!.n);
    const errors = Number(count!.errors);
    const fraction = sampleFraction(calls, c.maxRows);
    const rows =
      calls === 0
        ? []
        : await bounded(db, c.timeLimitSeconds, apiDurationsStatement(c, schema, from, now, fraction, c.maxRows));
    const durations = rows.map((r) => Number(r.d));
    const [p50, p95, p99] = nearestRank(durations, [50, 95, 99]);
    return { ...base, calls, errors, ranked: durations.length, sampled: fraction < 1, p50: p50!, p95: p95!, p99: p99! };
  } catch (err) {
    const reason = readProblem(err, table, c.timeLimitSeconds);
    if (reason === null) throw err;
    return { ...base, ...none, reason };
  }
}

export async function collectBookingSuccess(db: Db, c: BookingSuccessConfig, now: Date): Promise<BookingSuccessFacts> {
  const schema = c.schema ?? db.database;
  const from = new Date(now.getTime() - WINDOW_MS);
  const table = `${schema}.${String(c.table)}`;
  const base = { from: from.toISOString(), to: now.toISOString(), table };
  try {
    const [row] = await bounded(db, c.timeLimitSeconds, bookingCountStatement(c, schema, from, now));
    return { ...base, rows: Number(row!.n), successes: Number(row!.ok) };
  } catch (err) {
    const reason = readProblem(err, table, c.timeLimitSeconds);
    if (reason === null) throw err;
    return { ...base, rows: null, successes: null, reason };
  }
}

/** Both targets, each only when enabled; `signal` is checked between them. */
export async function collectPlatformTargets(
  db: Db,
  c: { apiResponse: ApiResponseConfig; bookingSuccess: BookingSuccessConfig },
  now: Date,
  signal?: AbortSignal,
): Promise<PlatformFacts> {
  const apiResponse = c.apiResponse.enabled ? await collectApiResponse(db, c.apiResponse, now) : null;
  signal?.throwIfAborted();
  const bookingSuccess = c.bookingSuccess.enabled ? await collectBookingSuccess(db, c.bookingSuccess, now) : null;
  return { apiResponse, bookingSuccess };
}
