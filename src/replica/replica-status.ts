// One replica's own view of replication, parsed from its status row: PURE. Column names differ by dialect
// (MySQL 8.0.22+: Replica_IO_Running, Seconds_Behind_Source; MariaDB and older MySQL: Slave_*, *_Master).
import { maskLiterals } from '../log/mask-literals.js';

export type ReplicaStatus =
  | { kind: 'not-a-replica' }
  | {
      kind: 'replica';
      /** Yes / No / Connecting, as the server says it. */
      ioState: string;
      ioRunning: boolean;
      sqlRunning: boolean;
      /** Seconds_Behind_*: null = unknown (SQL thread stopped, IO thread lost, or the server says NULL), never 0. */
      lagSeconds: number | null;
      /** Why lag is unknown, when it is. */
      lagUnknownReason: string | null;
      /** Last_IO_Error / Last_SQL_Error, values in it masked (a failed row event quotes customer data). */
      lastError: string | null;
      /** MASTER_DELAY / SOURCE_DELAY configured on the replica, seconds. */
      delaySeconds: number;
    };

type Row = Record<string, unknown>;

function pick(row: Row, ...names: string[]): unknown {
  for (const n of names) if (n in row) return row[n];
  return undefined;
}

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** The status of the default channel (the first row); no row = not a replica. */
export function parseReplicaStatus(rows: readonly Row[]): ReplicaStatus {
  const row = rows[0];
  if (!row) return { kind: 'not-a-replica' };
  const ioState = text(pick(row, 'Replica_IO_Running', 'Slave_IO_Running'));
  const ioRunning = ioState === 'Yes';
  const sqlRunning = text(pick(row, 'Replica_SQL_Running', 'Slave_SQL_Running')) === 'Yes';
  const rawLag = pick(row, 'Seconds_Behind_Source', 'Seconds_Behind_Master');
  const numeric = rawLag === null || rawLag === undefined || rawLag === '' ? null : Number(rawLag);
  let lagSeconds: number | null = numeric !== null && Number.isFinite(numeric) ? numeric : null;
  let lagUnknownReason: string | null = null;
  if (!sqlRunning) lagUnknownReason = 'the SQL thread is stopped';
  else if (!ioRunning) lagUnknownReason = `the IO thread is ${ioState || 'not running'}`;
  else if (lagSeconds === null) lagUnknownReason = 'Seconds_Behind is NULL';
  // A stopped thread makes any figure stale: unknown, never the last value or 0.
  if (lagUnknownReason) lagSeconds = null;
  const errors = [text(pick(row, 'Last_IO_Error')), text(pick(row, 'Last_SQL_Error'))].filter((e) => e !== '');
  return {
    kind: 'replica',
    ioState: ioState || 'unknown',
    ioRunning,
    sqlRunning,
    lagSeconds,
    lagUnknownReason,
    lastError: errors.length > 0 ? maskLiterals(errors.join('; ')) : null,
    delaySeconds: Number(pick(row, 'SQL_Delay') ?? 0) || 0,
  };
}
