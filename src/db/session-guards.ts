import type { Connection } from 'mysql2/promise';
import type { GuardsConfig } from '../config/config-schema.js';
import { statementTimeoutStatement, type Dialect } from './dialect.js';

/** Guards on a job's connection so maintenance fails fast instead of queueing in front of the application,
 * and a UTC session so dates mean one thing. */
export async function applySessionGuards(
  conn: Pick<Connection, 'query'>,
  dialect: Dialect,
  guards: GuardsConfig,
): Promise<void> {
  // UTC session: TIMESTAMP values and JS Dates (sent as UTC by the driver) mean the same instant.
  await conn.query("SET SESSION time_zone = '+00:00'");
  await conn.query('SET SESSION lock_wait_timeout = ?, SESSION innodb_lock_wait_timeout = ?', [
    guards.lockWaitTimeoutSeconds,
    guards.innodbLockWaitTimeoutSeconds,
  ]);
  const limit = statementTimeoutStatement(dialect, guards.statementTimeoutSeconds);
  await conn.query(limit.sql, limit.values);
}
