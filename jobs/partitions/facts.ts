/** What the collector reads about the server and each configured table. Plain data: the planner's input. */

export interface PartitionRow {
  name: string;
  /** PARTITION_DESCRIPTION: an integer (epoch seconds) or MAXVALUE. */
  description: string;
}

export interface PartitionTableFacts {
  table: string;
  exists: boolean;
  /** PARTITION_METHOD, null when the table is not partitioned. */
  partitionMethod: string | null;
  subpartitionMethod: string | null;
  /** PARTITION_EXPRESSION as the server prints it, e.g. "unix_timestamp(`created_at`)". */
  expression: string | null;
  columns: { name: string; dataType: string }[];
  uniqueKeys: { name: string; columns: string[] }[];
  foreignKeys: { name: string; from: string; to: string }[];
  /** In PARTITION_ORDINAL_POSITION order; empty when not partitioned. */
  partitions: PartitionRow[];
  /** Rows in the MAXVALUE tail, counted up to threshold + 1 (capped = at least that many). */
  tailRows: { counted: number; capped: boolean } | null;
  /** Rows of the first partition dated NULL or zero; null when not counted (not partitioned, no month before the tail,
   * no such column). */
  firstPartitionUndated: UndatedRows | null;
  /** Archive tables `<table>_<partition>` whose partition still exists: an archive by EXCHANGE that stopped
   * between its statements (or a table a person made). Empty = nothing moved yet. */
  unfinishedArchives?: { partition: string; archiveTable: string; archiveEmpty: boolean; partitionEmpty: boolean }[];
}

/**
 * RANGE partitioning stores a row whose expression is NULL in the first partition, and a zero date
 * (UNIX_TIMESTAMP = 0) falls there too: retiring that partition would take them, whatever their real age.
 */
export interface UndatedRows {
  partition: string;
  nullRows: number;
  zeroRows: number;
  /** The count stopped at its limit: there are at least nullRows + zeroRows. */
  capped: boolean;
}

export interface ServerFacts {
  readOnly: boolean;
  /** MariaDB 10.7+: CONVERT PARTITION … TO TABLE; else EXCHANGE PARTITION. */
  archiveMethod: 'convert' | 'exchange';
  /** Every table name in the database (to keep archive names from colliding). */
  tableNames: string[];
}

export interface PartitionFacts {
  database: string;
  server: ServerFacts;
  tables: PartitionTableFacts[];
}
