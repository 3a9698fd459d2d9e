import type { Connection } from 'mysql2/promise';

/** One server session: a connection of its own or one borrowed from the pool, never the pool itself. Through a
 * pool each query may take another connection, so a GET_LOCK and its RELEASE_LOCK, or a migration's steps, would
 * spread over several sessions. mysql2's Pool type extends Connection: `getConnection?: never` is what refuses it. */
export type Session = Pick<Connection, 'query' | 'threadId'> & { getConnection?: never };

/** The same refusal at run time, for a caller that got past the types (a cast, plain JavaScript). */
export function assertSession(conn: object, what: string): void {
  if ('getConnection' in conn) throw new TypeError(`${what} needs one session (a connection), not a pool`);
}
