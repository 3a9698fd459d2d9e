import { withStatementTimeLimit, type Dialect } from '../../src/db/dialect.js';

/** How a table is rebuilt, chosen per dialect and table, and said in the plan. */
export type RebuildMethod = 'alter-online' | 'optimize';

export interface RebuildStatement {
  sql: string;
  values: unknown[];
  method: RebuildMethod;
  /** The statement's own server time limit (MariaDB `SET STATEMENT max_statement_time`). */
  timeLimitSeconds?: number;
  /** For the plan and the report: which statement and why. */
  why: string;
}

export interface RebuildChoice {
  writeToBinlog: boolean;
  /** A rebuild that blocks writes (FULLTEXT/SPATIAL, another engine) was allowed by --maintenance-window. */
  blockingAllowed: boolean;
  /** Seconds the DDL may wait for its metadata lock (MariaDB `WAIT n`; the session's lock_wait_timeout on both). */
  lockWaitSeconds: number;
  rebuildTimeoutSeconds: number;
}

/**
 * `ALTER TABLE … FORCE, ALGORITHM=INPLACE, LOCK=NONE` is the online rebuild OPTIMIZE does for InnoDB, but it fails
 * at once when the online path is impossible, where OPTIMIZE silently copies the table under a write lock. MariaDB
 * also takes `WAIT n`: the metadata-lock wait is bounded by the statement itself. OPTIMIZE stays where ALTER cannot
 * do the job: NO_WRITE_TO_BINLOG (an ALTER is always logged), and blocking rebuilds allowed by a maintenance window.
 */
export function rebuildStatement(d: Dialect, quotedTable: string, c: RebuildChoice): RebuildStatement {
  let sql: string;
  let method: RebuildMethod;
  let why: string;
  if (!c.writeToBinlog) {
    sql = `OPTIMIZE NO_WRITE_TO_BINLOG TABLE ${quotedTable}`;
    method = 'optimize';
    why = 'OPTIMIZE NO_WRITE_TO_BINLOG (writeToBinlog is false and an ALTER always goes to the binlog)';
  } else if (c.blockingAllowed) {
    sql = `OPTIMIZE TABLE ${quotedTable}`;
    method = 'optimize';
    why = 'OPTIMIZE (maintenance window: this table cannot be rebuilt online, writes wait while it runs)';
  } else {
    const wait = d.flavor === 'mariadb' ? ` WAIT ${Math.trunc(c.lockWaitSeconds)}` : '';
    sql = `ALTER TABLE ${quotedTable}${wait} FORCE, ALGORITHM=INPLACE, LOCK=NONE`;
    method = 'alter-online';
    why =
      'online rebuild: ALTER TABLE … FORCE, ALGORITHM=INPLACE, LOCK=NONE ' +
      '(fails rather than copy the table under a lock)' +
      `, metadata lock waited at most ${c.lockWaitSeconds} s${wait ? ' (WAIT)' : ' (lock_wait_timeout)'}`;
  }
  if (c.rebuildTimeoutSeconds <= 0) return { sql, values: [], method, why };
  const limited = withStatementTimeLimit(d, c.rebuildTimeoutSeconds, sql);
  return { ...limited, method, why, timeLimitSeconds: c.rebuildTimeoutSeconds };
}
