import type { Dialect } from '../../src/db/dialect.js';
import type { Baseline } from './baselines.js';
import type { RowSampleFacts } from './row-sample.js';

/** Sizes and shape of one table as information_schema reports them (estimates for InnoDB). */
export interface PresentTable {
  table: string;
  exists: true;
  /** BASE TABLE, VIEW, SYSTEM VERSIONED, SEQUENCE… */
  tableType: string;
  engine: string | null;
  rows: number;
  dataLength: number;
  indexLength: number;
  dataFree: number;
  /** The .ibd file: size and blocks allocated on disk; null when not file-per-table (or the name is encoded). */
  tablespace: { fileBytes: number; allocatedBytes: number } | null;
  /** FULLTEXT / SPATIAL indexes: an InnoDB rebuild of such a table blocks writes. */
  blockingIndexes: { name: string; type: string }[];
  /** mysql.innodb_table_stats.last_update; null when not InnoDB or not readable. */
  statsUpdatedAt: Date | null;
  /** Rebuild candidates only: the table's shape and a bounded sample of its rows for the size model. */
  sample?: RowSampleFacts;
}

export type MaintenanceTableFacts = PresentTable | { table: string; exists: false };

export interface MaintenanceFacts {
  dialect: Dialect;
  schema: string;
  readOnly: boolean;
  lockWaitTimeoutSeconds: number;
  tables: MaintenanceTableFacts[];
  /** Bytes per row recorded after the last rebuild (or when first seen), by table name. */
  baselines: Map<string, Baseline>;
  /** Why statsUpdatedAt is unavailable (no privilege on mysql.*), if it is. */
  statsNote?: string;
}
