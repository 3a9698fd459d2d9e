import type { Dialect } from '../../src/db/dialect.js';

/** One SELECT under its own server time limit: MariaDB `SET STATEMENT max_statement_time = ? FOR`, MySQL the
 * `MAX_EXECUTION_TIME(ms)` optimizer hint (a hint takes no placeholder: the integer is checked here). */
export function boundSelect(
  d: Dialect,
  seconds: number,
  sql: string,
  values: unknown[],
): { sql: string; values: unknown[] } {
  if (!Number.isInteger(seconds) || seconds < 1)
    throw new RangeError(`statement time limit ${seconds} s is not a whole number ≥ 1`);
  if (!/^SELECT /.test(sql)) throw new Error('boundSelect bounds SELECT statements only');
  if (d.flavor === 'mariadb')
    return { sql: `SET STATEMENT max_statement_time = ? FOR ${sql}`, values: [seconds, ...values] };
  return { sql: sql.replace(/^SELECT /, `SELECT /*+ MAX_EXECUTION_TIME(${seconds * 1000}) */ `), values };
}

/** The server stopped a statement at its time limit (MariaDB ER_STATEMENT_TIMEOUT 1969, MySQL ER_QUERY_TIMEOUT 3024):
 * the connection is still sound, unlike after a client-side timeout. */
export function isServerTimeLimit(err: unknown): boolean {
  const errno = (err as { errno?: number } | null)?.errno;
  return errno === 1969 || errno === 3024;
}
