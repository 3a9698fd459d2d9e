/** Inventory of tables, indexes and foreign keys from information_schema; sizes from mysql.innodb_index_stats. */
import type { RowDataPacket } from 'mysql2/promise';
import { statisticsHiddenExpression } from '../../src/db/dialect.js';
import type { JobDb } from '../../src/db/job-db.js';
import type { ForeignKeyNeed, IndexDef, IndexTableFacts } from './facts.js';
import type { IndexName } from './usage-snapshot.js';

export interface Inventory {
  tables: IndexTableFacts[];
  /** Why sizes are missing, when they are. */
  sizeNote: string | null;
}

const tableKey = (schema: string, table: string) => `${schema}\u0000${table}`;

/** One query per schema with `TABLE_SCHEMA = ?`: MariaDB then opens only that schema's tables; with `IN (…)`
 * KEY_COLUMN_USAGE opens every table of every schema (1.9 s vs 0.15 s on 2,000 tables). */
export async function perSchema(
  db: JobDb,
  sql: string,
  schemas: readonly string[],
  extra: unknown[] = [],
): Promise<RowDataPacket[]> {
  const out: RowDataPacket[] = [];
  for (const schema of schemas) out.push(...(await db.query<RowDataPacket[]>(sql, [schema, ...extra])));
  return out;
}

export async function collectInventory(db: JobDb, schemas: readonly string[]): Promise<Inventory> {
  if (schemas.length === 0) return { tables: [], sizeNote: null };
  const tableRows = await perSchema(
    db,
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, ENGINE AS engine, TABLE_ROWS AS row_estimate
     FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
    schemas,
  );
  const tables = new Map<string, IndexTableFacts>();
  for (const r of tableRows) {
    tables.set(tableKey(String(r.s), String(r.t)), {
      schema: String(r.s),
      table: String(r.t),
      engine: r.engine === null ? null : String(r.engine),
      rows: r.row_estimate === null ? null : Number(r.row_estimate),
      indexes: [],
      foreignKeys: [],
    });
  }

  // Rows come in each table's key order (PRIMARY, UNIQUE, then creation order): that order is the tie-breaker.
  const statRows = await perSchema(
    db,
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, INDEX_NAME AS i, NON_UNIQUE AS non_unique, SEQ_IN_INDEX AS seq,
       COLUMN_NAME AS col, SUB_PART AS sub_part, COLLATION AS collation, INDEX_TYPE AS index_type,
       INDEX_COMMENT AS index_comment, ${statisticsHiddenExpression(db.dialect)} AS hidden
     FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?`,
    schemas,
  );
  const indexes = new Map<string, Map<string, IndexDef>>();
  for (const r of statRows) {
    const key = tableKey(String(r.s), String(r.t));
    const t = tables.get(key);
    if (!t) continue;
    let byName = indexes.get(key);
    if (!byName) indexes.set(key, (byName = new Map()));
    const name = String(r.i);
    let ix = byName.get(name);
    if (!ix) {
      ix = {
        name,
        type: String(r.index_type).toUpperCase(),
        primary: name === 'PRIMARY',
        unique: Number(r.non_unique) === 0,
        columns: [],
        hidden: Number(r.hidden) === 1,
        comment: r.index_comment ? String(r.index_comment) : '',
        bytes: null,
        ordinal: byName.size,
      };
      byName.set(name, ix);
      t.indexes.push(ix);
    }
    ix.columns[Number(r.seq) - 1] = {
      name: r.col === null ? null : String(r.col),
      subPart: r.sub_part === null ? null : Number(r.sub_part),
      descending: r.collation === 'D',
    };
  }
  // PRIMARY first, then UNIQUE, then the server's order.
  for (const t of tables.values()) {
    t.indexes.sort(
      (a, b) => Number(b.primary) - Number(a.primary) || Number(b.unique) - Number(a.unique) || a.ordinal - b.ordinal,
    );
    t.indexes.forEach((ix, i) => {
      ix.ordinal = i;
      ix.columns = Array.from(ix.columns, (c) => c ?? { name: null, subPart: null, descending: false });
    });
  }

  // Foreign keys declared by tables in scope (KEY_COLUMN_USAGE rows with a referenced table; a join with
  // REFERENTIAL_CONSTRAINTS would make MariaDB open every table of every schema): the child needs its columns
  // indexed, the parent its referenced ones.
  const fkRows = await perSchema(
    db,
    `SELECT k.CONSTRAINT_SCHEMA AS s, k.TABLE_NAME AS t, k.CONSTRAINT_NAME AS c, k.COLUMN_NAME AS col, k.ORDINAL_POSITION AS pos,
       k.REFERENCED_TABLE_SCHEMA AS rs, k.REFERENCED_TABLE_NAME AS rt, k.REFERENCED_COLUMN_NAME AS rcol
     FROM information_schema.KEY_COLUMN_USAGE k
     WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
     ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    schemas,
  );
  const fks = new Map<string, { child: ForeignKeyNeed & { key: string }; parent: ForeignKeyNeed & { key: string } }>();
  for (const r of fkRows) {
    const id = `${r.s}\u0000${r.t}\u0000${r.c}`;
    let fk = fks.get(id);
    if (!fk) {
      fk = {
        child: { key: tableKey(String(r.s), String(r.t)), constraint: String(r.c), role: 'child', columns: [] },
        parent: { key: tableKey(String(r.rs), String(r.rt)), constraint: `${r.t}.${r.c}`, role: 'parent', columns: [] },
      };
      fks.set(id, fk);
    }
    fk.child.columns.push(String(r.col));
    fk.parent.columns.push(String(r.rcol));
  }
  for (const { child, parent } of fks.values()) {
    for (const { key, ...need } of [child, parent]) tables.get(key)?.foreignKeys.push(need);
  }

  const sizeNote = await addSizes(db, schemas, tables);
  return {
    tables: [...tables.values()].sort((a, b) => a.schema.localeCompare(b.schema) || a.table.localeCompare(b.table)),
    sizeNote,
  };
}

/** `size` pages × innodb_page_size; partitions (t#P#p0, t#p#p0) summed into their table. */
async function addSizes(
  db: JobDb,
  schemas: readonly string[],
  tables: Map<string, IndexTableFacts>,
): Promise<string | null> {
  let rows: RowDataPacket[];
  let pageSize: number;
  try {
    const [ps] = await db.query<RowDataPacket[]>('SELECT @@innodb_page_size AS page_size');
    pageSize = Number(ps?.page_size ?? 16384);
    rows = await db.query<RowDataPacket[]>(
      `SELECT database_name AS s, table_name AS t, index_name AS i, stat_value AS pages
       FROM mysql.innodb_index_stats WHERE stat_name = 'size' AND database_name IN (?)`,
      [schemas],
    );
  } catch (err) {
    return `index sizes not available: mysql.innodb_index_stats is not readable (${(err as Error).message})`;
  }
  const bytes = new Map<string, number>();
  for (const r of rows) {
    const table = String(r.t).replace(/#p#.*$/i, '');
    const key = `${tableKey(String(r.s), table)}\u0000${String(r.i)}`;
    bytes.set(key, (bytes.get(key) ?? 0) + Number(r.pages) * pageSize);
  }
  let missing = 0;
  for (const [key, t] of tables) {
    for (const ix of t.indexes) {
      const b = bytes.get(`${key}\u0000${ix.name}`);
      if (b !== undefined) ix.bytes = b;
      // FULLTEXT indexes live in auxiliary tables without a `size` row: unknown, and expected to be.
      else if (ix.type !== 'FULLTEXT') missing += 1;
    }
  }
  return missing > 0
    ? `${missing} index(es) have no persistent statistics (not InnoDB, or not analyzed yet): their size is unknown`
    : null;
}

/** The inventory the review looks at: dbkeeper's own tables are not the application's, so they are left out when
 * they share its schema. */
export async function collectReviewInventory(db: JobDb, schemas: readonly string[]): Promise<Inventory> {
  const collected = await collectInventory(db, schemas);
  const own = (t: IndexTableFacts) => t.schema === db.schema && t.table.startsWith('dbkeeper_');
  return { ...collected, tables: collected.tables.filter((t) => !own(t)) };
}

/** Every index of the inventory by name: what the usage counters are read for. */
export function indexNamesOf(inventory: Inventory): IndexName[] {
  return inventory.tables.flatMap((t) => t.indexes.map((ix) => ({ schema: t.schema, table: t.table, index: ix.name })));
}
