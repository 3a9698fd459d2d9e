/** What the index review knows about a table, read from information_schema (no SHOW CREATE TABLE parsing). */

export interface IndexColumn {
  /** null for a functional (expression) index part: such an index is never compared. */
  name: string | null;
  /** Prefix length in characters/bytes; null = the whole column. */
  subPart: number | null;
  descending: boolean;
}

export interface IndexDef {
  name: string;
  /** BTREE, HASH, FULLTEXT, SPATIAL, … upper-case, as information_schema reports it. */
  type: string;
  primary: boolean;
  unique: boolean;
  columns: IndexColumn[];
  /** IGNORED (MariaDB) / INVISIBLE (MySQL): the optimizer does not use it. */
  hidden: boolean;
  comment: string;
  /** Size from mysql.innodb_index_stats; null when not readable. */
  bytes: number | null;
  /** Position in the table's index list (creation order): ties keep the older index. */
  ordinal: number;
}

/** Columns a foreign key needs an index to start with: on the child (its columns) or the parent (referenced columns).
 */
export interface ForeignKeyNeed {
  constraint: string;
  role: 'child' | 'parent';
  columns: string[];
}

export interface IndexTableFacts {
  schema: string;
  table: string;
  engine: string | null;
  rows: number | null;
  indexes: IndexDef[];
  foreignKeys: ForeignKeyNeed[];
}

/** Reads through one index over the observed part of the evidence window. */
export interface IndexEvidence {
  reads: number;
  observedDays: number;
}

export function indexKey(schema: string, table: string, index: string): string {
  return `${schema}\u0000${table}\u0000${index}`;
}

export function tableLabel(schema: string, table: string): string {
  return `${schema}.${table}`;
}
