import type { RowDataPacket } from 'mysql2/promise';
import { readGlobal } from '../../src/db/global-status.js';
import {
  deadlockCounterSource,
  historyListSource,
  replicaLagField,
  replicaStatusStatement,
} from '../../src/db/dialect.js';
import type { JobDb } from '../../src/db/job-db.js';
import { sqlString } from '../../src/db/sql-literal.js';
import {
  SERVER_IDENTITY_COLUMNS,
  serverKeyOf,
  type CounterName,
  type HealthFacts,
  type ReplicaChannel,
  type HealthTableSize,
} from './facts.js';

type Db = Pick<JobDb, 'query' | 'dialect' | 'database'>;

/** GLOBAL STATUS variables (upper-cased) behind the counters both flavors have. */
const STATUS_COUNTERS: Partial<Record<CounterName, string>> = {
  questions: 'QUESTIONS',
  slowQueries: 'SLOW_QUERIES',
  rowLockWaits: 'INNODB_ROW_LOCK_WAITS',
  rowLockTimeMs: 'INNODB_ROW_LOCK_TIME',
  abortedConnects: 'ABORTED_CONNECTS',
  abortedClients: 'ABORTED_CLIENTS',
  refusedConnections: 'CONNECTION_ERRORS_MAX_CONNECTIONS',
  bufferPoolReadRequests: 'INNODB_BUFFER_POOL_READ_REQUESTS',
  bufferPoolReads: 'INNODB_BUFFER_POOL_READS',
};
const GAUGES = ['UPTIME', 'THREADS_CONNECTED', 'MAX_USED_CONNECTIONS'];

/** Read the counters, gauges, replica state and largest tables: read-only, a handful of cheap statements. */
export async function collectHealth(db: Db, opts: { largestTables: number }): Promise<HealthFacts> {
  const d = db.dialect;
  const deadlockSrc = deadlockCounterSource(d);
  const historySrc = historyListSource(d);
  const statusNames = [...Object.values(STATUS_COUNTERS), ...GAUGES];
  for (const src of [deadlockSrc, historySrc]) if (src.kind === 'status') statusNames.push(src.name);
  const status = await readGlobal(db, 'STATUS', statusNames);
  const vars = await readGlobal(db, 'VARIABLES', [
    'MAX_CONNECTIONS',
    'PERFORMANCE_SCHEMA',
    'LONG_QUERY_TIME',
    'SLOW_QUERY_LOG',
  ]);
  const [ident] = await db.query<RowDataPacket[]>(
    `SELECT ${SERVER_IDENTITY_COLUMNS}, VERSION() AS version, UNIX_TIMESTAMP(NOW(3)) * 1000 AS epoch_ms`,
  );

  const counters: HealthFacts['counters'] = {};
  const unavailable: HealthFacts['unavailable'] = {};
  for (const [counter, name] of Object.entries(STATUS_COUNTERS) as [CounterName, string][]) {
    const v = status.get(name);
    if (v === undefined) unavailable[counter] = `status variable ${name} does not exist on this server`;
    else counters[counter] = Number(v);
  }

  const metricNames = [deadlockSrc, historySrc].filter((s) => s.kind === 'innodb_metrics').map((s) => s.name);
  const metrics = new Map<string, { count: number; enabled: boolean }>();
  if (metricNames.length > 0) {
    const rows = await db.query<RowDataPacket[]>(
      'SELECT NAME, `COUNT` AS cnt, STATUS FROM information_schema.INNODB_METRICS WHERE NAME IN (?)',
      [metricNames],
    );
    for (const r of rows)
      metrics.set(String(r.NAME), { count: Number(r.cnt), enabled: String(r.STATUS).toLowerCase() === 'enabled' });
  }
  const read = (src: { kind: string; name: string }): { value: number } | { reason: string } => {
    if (src.kind === 'status') {
      const v = status.get(src.name);
      return v === undefined
        ? { reason: `status variable ${src.name} does not exist on this server` }
        : { value: Number(v) };
    }
    const m = metrics.get(src.name);
    if (!m) return { reason: `INNODB_METRICS has no ${src.name} row on this server` };
    if (!m.enabled)
      return {
        reason: `INNODB_METRICS ${src.name} is disabled (SET GLOBAL innodb_monitor_enable = ${sqlString(src.name)})`,
      };
    return { value: m.count };
  };
  const deadlocks = read(deadlockSrc);
  if ('value' in deadlocks) counters.deadlocks = deadlocks.value;
  else unavailable.deadlocks = deadlocks.reason;
  const history = read(historySrc);

  const performanceSchema = ['1', 'ON'].includes(String(vars.get('PERFORMANCE_SCHEMA')).toUpperCase());
  if (performanceSchema) {
    const [ps] = await db.query<RowDataPacket[]>(
      `SELECT SUM(COUNT_STAR) AS n, SUM(SUM_TIMER_WAIT) DIV 1000000 AS us
         FROM performance_schema.events_statements_summary_global_by_event_name WHERE EVENT_NAME LIKE 'statement/sql/%'`,
    );
    if (ps && ps.n !== null && Number(ps.n) > 0) {
      counters.statementCount = Number(ps.n);
      counters.statementTimeUs = Number(ps.us);
    } else {
      const reason = 'performance_schema statement instruments record nothing (statement/sql/% disabled?)';
      unavailable.statementCount = reason;
      unavailable.statementTimeUs = reason;
    }
  } else {
    const reason =
      'performance_schema is OFF (statement timers need performance_schema=ON in the server config and a restart)';
    unavailable.statementCount = reason;
    unavailable.statementTimeUs = reason;
  }

  const replica = await collectReplica(db);
  const tables = await db.query<RowDataPacket[]>(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) AS bytes, TABLE_ROWS AS \`rows\`
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'
      ORDER BY bytes DESC, TABLE_NAME LIMIT ?`,
    [db.database, opts.largestTables],
  );

  return {
    flavor: d.flavor,
    version: String(ident!.version),
    serverKey: serverKeyOf(ident!),
    serverEpochMs: Math.round(Number(ident!.epoch_ms)),
    uptimeSeconds: Number(status.get('UPTIME')),
    performanceSchema,
    counters,
    unavailable,
    threadsConnected: Number(status.get('THREADS_CONNECTED')),
    maxUsedConnections: Number(status.get('MAX_USED_CONNECTIONS')),
    maxConnections: Number(vars.get('MAX_CONNECTIONS')),
    historyListLength: 'value' in history ? history.value : null,
    ...('reason' in history ? { historyListReason: history.reason } : {}),
    longQueryTimeSeconds: Number(vars.get('LONG_QUERY_TIME')),
    slowQueryLog: ['1', 'ON'].includes(String(vars.get('SLOW_QUERY_LOG')).toUpperCase()),
    ...replica,
    tables: tables.map((r): HealthTableSize => ({
      schema: String(r.s),
      table: String(r.t),
      bytes: Number(r.bytes),
      rows: r.rows === null ? null : Number(r.rows),
    })),
  };
}

async function collectReplica(db: Db): Promise<Pick<HealthFacts, 'replica' | 'replicaReason'>> {
  let rows: RowDataPacket[];
  try {
    rows = await db.query<RowDataPacket[]>(replicaStatusStatement(db.dialect));
  } catch (err) {
    return { replica: null, replicaReason: `replica status not readable: ${(err as Error).message}` };
  }
  if (rows.length === 0) return { replica: null };
  const lagField = replicaLagField(db.dialect);
  const pick = (r: RowDataPacket, ...names: string[]): unknown => names.map((n) => r[n]).find((v) => v !== undefined);
  return {
    replica: rows.map((r): ReplicaChannel => {
      const lag = r[lagField];
      const error = pick(r, 'Last_Error', 'Last_SQL_Error', 'Last_IO_Error');
      return {
        name: String(pick(r, 'Connection_name', 'Channel_Name', 'Channel_name') ?? ''),
        ioRunning: String(pick(r, 'Replica_IO_Running', 'Slave_IO_Running')) === 'Yes',
        sqlRunning: String(pick(r, 'Replica_SQL_Running', 'Slave_SQL_Running')) === 'Yes',
        lagSeconds: lag === null || lag === undefined ? null : Number(lag),
        lastError: error ? String(error) : null,
      };
    }),
  };
}
