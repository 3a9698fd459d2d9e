import type { Connection, Pool, PoolConnection } from 'mysql2/promise';
import type { GuardsConfig } from '../config/config-schema.js';

/** A query that got no answer within its client-side bound. The statement may still run on the server. */
export class QueryTimeoutError extends Error {
  override name = 'QueryTimeoutError';
  /** Like a lost connection: callers that judge SQL errors must not swallow it. */
  readonly fatal = true;
  readonly code = 'DBKEEPER_QUERY_TIMEOUT';
  constructor(
    what: string,
    readonly timeoutMs: number,
  ) {
    super(
      `${what}: no answer from the server within ${timeoutMs / 1000} s (client-side bound; the link may be stalled)`,
    );
  }
}

/** Client-side bounds, from the session guards. The server's own limit fires first when the link is alive. */
export interface QueryBounds {
  /** A job statement under the session's statement limit. 0 = unbounded (statementTimeoutSeconds 0). */
  jobMs: number;
  /** A statement under its own server limit (e.g. a rebuild under rebuildTimeoutSeconds). */
  underLimitMs(limitSeconds: number): number;
  /** dbkeeper's own bookkeeping: run rows, GET_LOCK/RELEASE_LOCK, heartbeat ping, KILL, processlist. */
  bookkeepingMs: number;
}

export function queryBounds(guards: GuardsConfig): QueryBounds {
  const marginMs = guards.clientTimeoutMarginSeconds * 1000;
  const underLimitMs = (limitSeconds: number) => (limitSeconds > 0 ? limitSeconds * 1000 + marginMs : 0);
  return {
    jobMs: underLimitMs(guards.statementTimeoutSeconds),
    underLimitMs,
    bookkeepingMs: guards.bookkeepingTimeoutSeconds * 1000,
  };
}

/** The first words of a statement: enough to say which one timed out, never its values. */
export function statementLabel(sql: string): string {
  return sql.trim().split(/\s+/).slice(0, 3).join(' ');
}

/** Rejects with a QueryTimeoutError after ms (0 = no bound); the work itself is not cancelled. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  if (ms <= 0) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new QueryTimeoutError(what, ms)), ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

type Queryable = Pick<Connection, 'query'> | Pool;

/** One query with mysql2's per-query `timeout` plus a deadline of our own (which also covers waiting for a pool
 * connection). 0 = unbounded. */
export async function boundedQuery<T>(
  conn: Queryable,
  sql: string,
  values: unknown[] | undefined,
  timeoutMs: number,
): Promise<T> {
  const opts = timeoutMs > 0 ? { sql, timeout: timeoutMs } : { sql };
  const call = (conn as Pick<Connection, 'query'>).query(opts, values);
  try {
    const [rows] = await withDeadline(call, timeoutMs, statementLabel(sql));
    return rows as T;
  } catch (err) {
    if ((err as { code?: string }).code === 'PROTOCOL_SEQUENCE_TIMEOUT')
      throw new QueryTimeoutError(statementLabel(sql), timeoutMs);
    throw err;
  }
}

/** A bounded handle also takes mysql2's `{ sql, timeout }` form (what boundedQuery sends), keeping its own bound:
 * handles compose (killStatement over the bookkeeping pool). */
type SqlArg = string | { sql: string };
const sqlText = (sql: SqlArg) => (typeof sql === 'string' ? sql : sql.sql);

/** A `query`-shaped handle on one connection whose every call is bounded. */
export function boundedQueryable(conn: Pick<Connection, 'query'>, timeoutMs: number): Pick<Connection, 'query'> {
  const query = (sql: SqlArg, values?: unknown[]) =>
    boundedQuery(conn, sqlText(sql), values, timeoutMs).then((rows) => [rows, []]);
  return { query: query as unknown as Connection['query'] };
}

/** A `query`-shaped handle on a pool whose every call is bounded (waiting for a connection included): for run-history
 * writes and other bookkeeping. A connection whose query timed out is destroyed, never given back to the pool. */
export function boundedPoolQueryable(
  pool: Pool,
  timeoutMs: number,
  acquire: (pool: Pool, ms: number) => Promise<PoolConnection>,
): Pick<Connection, 'query'> {
  const query = async (sql: SqlArg, values?: unknown[]) => {
    const started = Date.now();
    const conn = await acquire(pool, timeoutMs);
    try {
      const rows = await boundedQuery(conn, sqlText(sql), values, Math.max(1, timeoutMs - (Date.now() - started)));
      conn.release();
      return [rows, []];
    } catch (err) {
      if (isQueryTimeout(err) || (err as { fatal?: boolean }).fatal) conn.destroy();
      else conn.release();
      throw err;
    }
  };
  return { query: query as unknown as Connection['query'] };
}

export function isQueryTimeout(err: unknown): err is QueryTimeoutError {
  return err instanceof QueryTimeoutError;
}

/** Ends a connection politely when the link answers within ms, else destroys it. */
export async function endWithin(conn: Pick<Connection, 'end' | 'destroy'>, ms: number): Promise<void> {
  try {
    await withDeadline(conn.end(), ms, 'closing the connection');
  } catch {
    conn.destroy();
  }
}
