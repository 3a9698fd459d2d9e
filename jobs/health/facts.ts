import type { Flavor } from '../../src/db/dialect.js';
import type { PlatformFacts } from './platform-collect.js';
import type { TunerFacts } from './tuner-collect.js';

/** Cumulative counters (since server start or a reset); deltas between snapshots make them per-day figures. */
export const COUNTER_NAMES = [
  'questions',
  'slowQueries',
  'deadlocks',
  'rowLockWaits',
  'rowLockTimeMs',
  'abortedConnects',
  'abortedClients',
  'refusedConnections',
  'bufferPoolReadRequests',
  'bufferPoolReads',
  'statementCount',
  'statementTimeUs',
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];

export interface ReplicaChannel {
  /** Channel / connection name; '' for the default one. */
  name: string;
  ioRunning: boolean;
  sqlRunning: boolean;
  /** null: the server does not know (replication stopped or broken). */
  lagSeconds: number | null;
  lastError: string | null;
}

export interface HealthTableSize {
  schema: string;
  table: string;
  bytes: number;
  /** Estimate (information_schema.TABLES.TABLE_ROWS). */
  rows: number | null;
}

/** What the health job reads from the server at one instant; stored as the snapshot. */
export interface HealthFacts {
  flavor: Flavor;
  version: string;
  /** hostname:port/server_id: snapshots compare only with the same server. */
  serverKey: string;
  /** The server's own clock (UNIX_TIMESTAMP) in ms: elapsed time and restarts are measured with it. */
  serverEpochMs: number;
  uptimeSeconds: number;
  performanceSchema: boolean;
  counters: Partial<Record<CounterName, number>>;
  /** Why a counter is absent (e.g. performance_schema off), never a fake 0. */
  unavailable: Partial<Record<CounterName, string>>;
  threadsConnected: number;
  maxUsedConnections: number;
  maxConnections: number;
  historyListLength: number | null;
  historyListReason?: string;
  longQueryTimeSeconds: number;
  slowQueryLog: boolean;
  /** null: not a replica. */
  replica: ReplicaChannel[] | null;
  replicaReason?: string;
  tables: HealthTableSize[];
  /** API response time and booking success, from the platform's tables (absent in older snapshots). */
  platform?: PlatformFacts;
  /** The checks mysqltuner makes: counters for per-day deltas, sizes, table and account checks. */
  tuner?: TunerFacts;
}

/** The SELECT columns that identify the server, and the key made of them (HealthFacts.serverKey). The performance
 * review finds the health snapshots of its server by this key, so every collector reads it through these two. */
export const SERVER_IDENTITY_COLUMNS = '@@hostname AS host, @@port AS port, @@server_id AS server_id';

export function serverKeyOf(row: Record<string, unknown>): string {
  return `${String(row.host)}:${String(row.port)}/${String(row.server_id)}`;
}

export interface StoredSnapshot {
  id: number;
  takenAt: Date;
  facts: HealthFacts;
}
