import type { RowDataPacket } from 'mysql2/promise';
import { freshTableStatsStatement } from '../../src/db/dialect.js';
import { readGlobal } from '../../src/db/global-status.js';
import type { JobDb } from '../../src/db/job-db.js';
import { boundSelect, isServerTimeLimit } from './bounded-select.js';
import { accountFindings, redoLogBytes, type AccountFindings, type AccountRow } from './tuner-ratios.js';

type Db = Pick<JobDb, 'query' | 'dialect' | 'database'>;

/** Cumulative status counters behind the mysqltuner-style figures; the snapshot keeps them for per-day deltas. */
export const TUNER_COUNTERS = {
  selectFullJoin: 'SELECT_FULL_JOIN',
  selectRangeCheck: 'SELECT_RANGE_CHECK',
  createdTmpTables: 'CREATED_TMP_TABLES',
  createdTmpDiskTables: 'CREATED_TMP_DISK_TABLES',
  tableOpenCacheHits: 'TABLE_OPEN_CACHE_HITS',
  tableOpenCacheMisses: 'TABLE_OPEN_CACHE_MISSES',
  threadsCreated: 'THREADS_CREATED',
  connections: 'CONNECTIONS',
} as const;
export type TunerCounter = keyof typeof TUNER_COUNTERS;

export interface TableList {
  count: number;
  /** `schema.table`, the first 20. */
  names: string[];
}

export interface TunerFacts {
  counters: Partial<Record<TunerCounter, number>>;
  bufferPoolBytes: number | null;
  /** DATA_LENGTH + INDEX_LENGTH of every InnoDB table (information_schema estimate). */
  innodbDataBytes: number | null;
  redoLog: { bytes: number; source: string } | null;
  tablesWithoutPrimaryKey: TableList | null;
  indexLargerThanData: TableList | null;
  /** null: account checks are off. */
  accounts: AccountFindings | null;
  /** Why a figure has no value (privilege, time limit). */
  reasons: Partial<Record<'innodbData' | 'tables' | 'accounts', string>>;
}

const SYSTEM_SCHEMAS = ['mysql', 'sys', 'information_schema', 'performance_schema'];
const LISTED = 20;

export interface TunerOptions {
  tableCheckSchemas: string[];
  indexLargerThanDataMinBytes: number;
  accountChecks: boolean;
  tunerTimeLimitSeconds: number;
}

async function bounded(db: Db, seconds: number, sql: string, values: unknown[]): Promise<RowDataPacket[]> {
  const b = boundSelect(db.dialect, seconds, sql, values);
  return db.query<RowDataPacket[]>(b.sql, b.values, { timeLimitSeconds: seconds });
}

/** A privilege or time-limit error becomes the figure's reason; anything else (a lost connection) still throws. */
function problem(err: unknown, what: string, seconds: number): string {
  const e = err as { errno?: number; message?: string } | null;
  if (isServerTimeLimit(err)) return `stopped by the statement time limit (${seconds} s) reading ${what}`;
  if (e?.errno === 1142 || e?.errno === 1143 || e?.errno === 1044) return `no privilege to read ${what}`;
  throw err;
}

function tableList(rows: RowDataPacket[]): TableList {
  return { count: rows.length, names: rows.slice(0, LISTED).map((r) => `${String(r.s)}.${String(r.n)}`) };
}

/** Read-only: two SHOW GLOBAL reads, three information_schema reads, the account table when opted in. */
export async function collectTuner(db: Db, o: TunerOptions): Promise<TunerFacts> {
  const status = await readGlobal(db, 'STATUS', Object.values(TUNER_COUNTERS));
  const vars = await readGlobal(db, 'VARIABLES', [
    'INNODB_BUFFER_POOL_SIZE',
    'INNODB_LOG_FILE_SIZE',
    'INNODB_LOG_FILES_IN_GROUP',
    'INNODB_REDO_LOG_CAPACITY',
  ]);
  const counters: TunerFacts['counters'] = {};
  for (const [counter, name] of Object.entries(TUNER_COUNTERS) as [TunerCounter, string][]) {
    const v = status.get(name);
    if (v !== undefined) counters[counter] = Number(v);
  }
  const num = (name: string) => (vars.get(name) === undefined ? undefined : Number(vars.get(name)));
  const reasons: TunerFacts['reasons'] = {};
  const seconds = o.tunerTimeLimitSeconds;

  // MySQL 8 caches information_schema sizes for a day unless the session asks for fresh ones.
  const fresh = freshTableStatsStatement(db.dialect);
  if (fresh) await db.query(fresh);
  let innodbDataBytes: number | null = null;
  try {
    const [row] = await bounded(
      db,
      seconds,
      "SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS b FROM information_schema.TABLES WHERE ENGINE = 'InnoDB'",
      [],
    );
    innodbDataBytes = Number(row!.b);
  } catch (err) {
    reasons.innodbData = problem(err, 'information_schema.TABLES', seconds);
  }

  const scope =
    o.tableCheckSchemas.length > 0
      ? { sql: 't.TABLE_SCHEMA IN (?)', values: [o.tableCheckSchemas] }
      : { sql: 't.TABLE_SCHEMA NOT IN (?)', values: [SYSTEM_SCHEMAS] };
  let tablesWithoutPrimaryKey: TableList | null = null;
  let indexLargerThanData: TableList | null = null;
  try {
    tablesWithoutPrimaryKey = tableList(
      await bounded(
        db,
        seconds,
        `SELECT t.TABLE_SCHEMA AS s, t.TABLE_NAME AS n FROM information_schema.TABLES t
          WHERE t.TABLE_TYPE = 'BASE TABLE' AND ${scope.sql}
            AND NOT EXISTS (SELECT 1 FROM information_schema.TABLE_CONSTRAINTS c
                             WHERE c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
                               AND c.CONSTRAINT_TYPE = 'PRIMARY KEY')
          ORDER BY t.TABLE_SCHEMA, t.TABLE_NAME`,
        scope.values,
      ),
    );
    indexLargerThanData = tableList(
      await bounded(
        db,
        seconds,
        `SELECT t.TABLE_SCHEMA AS s, t.TABLE_NAME AS n FROM information_schema.TABLES t
          WHERE t.TABLE_TYPE = 'BASE TABLE' AND ${scope.sql} AND t.DATA_LENGTH >= ? AND t.INDEX_LENGTH > t.DATA_LENGTH
          ORDER BY t.INDEX_LENGTH DESC, t.TABLE_SCHEMA, t.TABLE_NAME`,
        [...scope.values, o.indexLargerThanDataMinBytes],
      ),
    );
  } catch (err) {
    reasons.tables = problem(err, 'information_schema.TABLES', seconds);
  }

  let accounts: AccountFindings | null = null;
  if (o.accountChecks) {
    try {
      accounts = accountFindings(await readAccounts(db, seconds));
    } catch (err) {
      const table = db.dialect.flavor === 'mariadb' ? 'mysql.global_priv' : 'mysql.user';
      const grant = `GRANT SELECT ON ${table} TO the dbkeeper user, or turn accountChecks off`;
      reasons.accounts = `${problem(err, table, seconds)} (${grant})`;
    }
  }

  return {
    counters,
    bufferPoolBytes: num('INNODB_BUFFER_POOL_SIZE') ?? null,
    innodbDataBytes,
    redoLog: redoLogBytes({
      redoLogCapacity: num('INNODB_REDO_LOG_CAPACITY'),
      logFileSize: num('INNODB_LOG_FILE_SIZE'),
      logFilesInGroup: num('INNODB_LOG_FILES_IN_GROUP'),
    }),
    tablesWithoutPrimaryKey,
    indexLargerThanData,
    accounts,
    reasons,
  };
}

/** Account names and flags only: the authentication string is compared with '' on the server, never read out. */
async function readAccounts(db: Db, seconds: number): Promise<AccountRow[]> {
  // MariaDB 10.4+: mysql.user is a view of global_priv without the lock flag; read global_priv's JSON instead.
  const sql =
    db.dialect.flavor === 'mariadb'
      ? `SELECT User AS u, Host AS h, COALESCE(JSON_VALUE(Priv, '$.plugin'), '') AS p,
                COALESCE(JSON_VALUE(Priv, '$.authentication_string'), '') = '' AS empty_auth,
                COALESCE(JSON_VALUE(Priv, '$.account_locked'), 'false') IN ('true', '1') AS locked,
                COALESCE(JSON_VALUE(Priv, '$.is_role'), 'false') IN ('true', '1') AS is_role
           FROM mysql.global_priv`
      : `SELECT User AS u, Host AS h, plugin AS p, authentication_string = '' AS empty_auth,
                account_locked = 'Y' AS locked, 0 AS is_role
           FROM mysql.user`;
  const rows = await bounded(db, seconds, sql, []);
  return rows.map((r) => ({
    user: String(r.u),
    host: String(r.h),
    plugin: String(r.p),
    emptyAuth: Number(r.empty_auth) === 1,
    locked: Number(r.locked) === 1,
    isRole: Number(r.is_role) === 1,
  }));
}
