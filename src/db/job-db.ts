import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Dialect } from './dialect.js';

/** What a job gets to talk to the database: one guarded connection, never a pool of its own. */
export interface JobDb {
  /** The job's connection, with session guards set. Use it for transactions. */
  conn: PoolConnection;
  dialect: Dialect;
  /** The connected database: the default scope of maintenance. */
  database: string;
  /** Where dbkeeper keeps its own tables. */
  schema: string;
  /** Rows of a SELECT (or the result header of a write) with `?` placeholders for values. */
  query<T = RowDataPacket[]>(sql: string, values?: unknown[]): Promise<T>;
}

export function makeJobDb(conn: PoolConnection, dialect: Dialect, database: string, schema: string): JobDb {
  return {
    conn,
    dialect,
    database,
    schema,
    async query<T>(sql: string, values?: unknown[]): Promise<T> {
      const [rows] = await conn.query(sql, values);
      return rows as T;
    },
  };
}
