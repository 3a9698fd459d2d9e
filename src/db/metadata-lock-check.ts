import type { RowDataPacket } from 'mysql2/promise';
import type { Dialect } from './dialect.js';

/**
 * Who would block a DDL's metadata lock on a table, read before the DDL so it never queues (and, queued, stalls every
 * query on the table behind it). MySQL: performance_schema.metadata_locks. MariaDB: information_schema.
 * METADATA_LOCK_INFO when the plugin is loaded (dbkeeper never installs it). Otherwise coarse: INNODB_TRX has no
 * table column, so every transaction open longer than a bound counts, whatever table it touched.
 */
export type LockCheckMethod = 'performance_schema' | 'metadata_lock_info' | 'coarse';

export interface LockHolder {
  connectionId: number;
  user: string;
  host: string;
  /** Seconds its transaction has been open (else its time in the current state). */
  ageSeconds: number;
}

export interface LockCheck {
  method: LockCheckMethod;
  holders: LockHolder[];
}

type Query = <T = RowDataPacket[]>(sql: string, values?: unknown[]) => Promise<T>;

export interface LockCheckOptions {
  /** Coarse check: transactions open at least this long count. */
  longTransactionSeconds: number;
}

/** Which view this server offers; chosen once per run. */
export async function lockCheckMethod(query: Query, dialect: Dialect): Promise<LockCheckMethod> {
  if (dialect.flavor === 'mysql') {
    const rows = await query<RowDataPacket[]>(
      `SELECT 1 AS ok FROM performance_schema.setup_instruments
       WHERE NAME = 'wait/lock/metadata/sql/mdl' AND ENABLED = 'YES'
       AND @@global.performance_schema = 1`,
    ).catch(() => [] as RowDataPacket[]);
    return rows.length > 0 ? 'performance_schema' : 'coarse';
  }
  const rows = await query<RowDataPacket[]>(
    `SELECT 1 AS ok FROM information_schema.PLUGINS
     WHERE PLUGIN_NAME = 'METADATA_LOCK_INFO' AND PLUGIN_STATUS = 'ACTIVE'`,
  );
  return rows.length > 0 ? 'metadata_lock_info' : 'coarse';
}

/** The statement that lists holders by `method` (values: schema, table; or the age bound). */
export function lockHoldersSql(method: LockCheckMethod): string {
  const age = 'COALESCE(TIMESTAMPDIFF(SECOND, x.trx_started, NOW()), p.TIME)';
  if (method === 'performance_schema') {
    return `SELECT DISTINCT t.PROCESSLIST_ID AS id, t.PROCESSLIST_USER AS user, t.PROCESSLIST_HOST AS host,
        COALESCE(TIMESTAMPDIFF(SECOND, x.trx_started, NOW()), t.PROCESSLIST_TIME) AS age
      FROM performance_schema.metadata_locks m JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID
      LEFT JOIN information_schema.INNODB_TRX x ON x.trx_mysql_thread_id = t.PROCESSLIST_ID
      WHERE m.OBJECT_TYPE = 'TABLE' AND m.OBJECT_SCHEMA = ? AND m.OBJECT_NAME = ?
        AND t.PROCESSLIST_ID <> CONNECTION_ID()`;
  }
  if (method === 'metadata_lock_info') {
    return `SELECT DISTINCT p.ID AS id, p.USER AS user, p.HOST AS host, ${age} AS age
      FROM information_schema.METADATA_LOCK_INFO m JOIN information_schema.PROCESSLIST p ON p.ID = m.THREAD_ID
      LEFT JOIN information_schema.INNODB_TRX x ON x.trx_mysql_thread_id = p.ID
      WHERE m.TABLE_SCHEMA = ? AND m.TABLE_NAME = ? AND p.ID <> CONNECTION_ID()`;
  }
  return `SELECT p.ID AS id, p.USER AS user, p.HOST AS host, TIMESTAMPDIFF(SECOND, x.trx_started, NOW()) AS age
    FROM information_schema.INNODB_TRX x JOIN information_schema.PROCESSLIST p ON p.ID = x.trx_mysql_thread_id
    WHERE p.ID <> CONNECTION_ID() AND x.trx_started <= NOW() - INTERVAL ? SECOND`;
}

export async function findLockHolders(
  query: Query,
  method: LockCheckMethod,
  schema: string,
  table: string,
  opts: LockCheckOptions,
): Promise<LockCheck> {
  const values = method === 'coarse' ? [opts.longTransactionSeconds] : [schema, table];
  const rows = await query<RowDataPacket[]>(lockHoldersSql(method), values);
  const holders = rows
    .map((r) => ({
      connectionId: Number(r.id),
      user: String(r.user ?? ''),
      host: String(r.host ?? ''),
      ageSeconds: Number(r.age ?? 0),
    }))
    .sort((a, b) => b.ageSeconds - a.ageSeconds);
  return { method, holders };
}

export interface LockWaitResult {
  clear: boolean;
  check: LockCheck;
  waitedMs: number;
}

/** Look, and while someone holds the table, look again every `pollMs` up to `maxWaitSeconds`. */
export async function waitForLockHolders(
  query: Query,
  method: LockCheckMethod,
  schema: string,
  table: string,
  opts: LockCheckOptions & { maxWaitSeconds: number; pollMs?: number; signal?: AbortSignal; clock?: () => number },
): Promise<LockWaitResult> {
  const clock = opts.clock ?? (() => performance.now());
  const started = clock();
  const poll = opts.pollMs ?? 500;
  for (;;) {
    const check = await findLockHolders(query, method, schema, table, opts);
    const waitedMs = Math.round(clock() - started);
    if (check.holders.length === 0) return { clear: true, check, waitedMs };
    if (waitedMs + poll > opts.maxWaitSeconds * 1000 || opts.signal?.aborted) return { clear: false, check, waitedMs };
    await new Promise((resolve) => setTimeout(resolve, poll));
  }
}

/** "connection 42 (app@10.0.0.5:51234, transaction open 73 s)" */
export function describeHolder(h: LockHolder): string {
  return `connection ${h.connectionId} (${h.user}@${h.host}, transaction open ${h.ageSeconds} s)`;
}

export function describeHolders(c: LockCheck): string {
  const list = c.holders.slice(0, 3).map(describeHolder).join(', ');
  const more = c.holders.length > 3 ? ` and ${c.holders.length - 3} more` : '';
  const how =
    c.method === 'coarse'
      ? ' (coarse check: no metadata-lock view on this server, so any long transaction counts, whatever table it uses)'
      : c.method === 'performance_schema'
        ? ' (performance_schema.metadata_locks)'
        : ' (information_schema.METADATA_LOCK_INFO)';
  return `${list}${more}${how}`;
}
