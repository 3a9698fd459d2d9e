import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Dialect } from './dialect.js';
import { boundedQuery, isQueryTimeout, type QueryBounds } from './query-timeout.js';

export interface QueryOptions {
  /** This statement runs under its own server limit (e.g. `SET STATEMENT max_statement_time = n FOR` a rebuild):
   * its client-side bound is sized from that limit instead of the session's. */
  timeLimitSeconds?: number;
}

/** What a job gets to talk to the database: one guarded connection, never a pool of its own. */
export interface JobDb {
  /** The job's connection, with session guards set. Use it for transactions. */
  conn: PoolConnection;
  dialect: Dialect;
  /** The connected database: the default scope of maintenance. */
  database: string;
  /** Where dbkeeper keeps its own tables. */
  schema: string;
  /** Rows of a SELECT (or the result header of a write) with `?` placeholders for values. Bounded client-side from
   * the session guards; past the bound it rejects with a QueryTimeoutError and the connection is dropped. */
  query<T = RowDataPacket[]>(sql: string, values?: unknown[], opts?: QueryOptions): Promise<T>;
}

/** Client-side bounds of a job's statements; without them (tests of a planner's SQL) queries are unbounded. */
export interface JobDbBounds {
  bounds: QueryBounds;
  /** Told when a statement passed its bound: it may still run on the server, and the caller must end it. */
  onTimeout?: (err: Error) => void;
}

export function makeJobDb(
  conn: PoolConnection,
  dialect: Dialect,
  database: string,
  schema: string,
  limits?: JobDbBounds,
): JobDb {
  return {
    conn,
    dialect,
    database,
    schema,
    async query<T>(sql: string, values?: unknown[], opts: QueryOptions = {}): Promise<T> {
      if (!limits) {
        const [rows] = await conn.query(sql, values);
        return rows as T;
      }
      const { bounds } = limits;
      const ms =
        opts.timeLimitSeconds !== undefined && opts.timeLimitSeconds > 0
          ? bounds.underLimitMs(opts.timeLimitSeconds)
          : bounds.jobMs;
      try {
        return await boundedQuery<T>(conn, sql, values, ms);
      } catch (err) {
        if (isQueryTimeout(err)) {
          // The session's state is unknown now: no later statement may go through it.
          conn.destroy();
          limits.onTimeout?.(err);
        }
        throw err;
      }
    },
  };
}
