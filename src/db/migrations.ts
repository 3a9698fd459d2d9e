import type { Connection, RowDataPacket } from 'mysql2/promise';
import { lockName } from './named-lock.js';
import { quoteId } from './sql-identifier.js';

/** One step of dbkeeper's own DDL. Ids are applied once each, in list order; statements are idempotent. */
export interface Migration {
  id: string;
  /** Statements for the given (already quoted) schema. */
  statements(schema: string): string[];
}

/** Create dbkeeper's schema and tables if missing. Safe when several workers start at once. */
export async function ensureMigrations(conn: Pick<Connection, 'query'>, schema: string, migrations: readonly Migration[]): Promise<string[]> {
  const s = quoteId(schema, 'DBKEEPER_SCHEMA');
  const name = lockName(schema, 'migrate');
  const [got] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, 30) AS got', [name]);
  if (Number(got[0]!.got) !== 1) throw new Error(`could not take ${name} within 30 s to create dbkeeper's tables`);
  try {
    await conn.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await conn.query(
      `CREATE TABLE IF NOT EXISTS ${s}.dbkeeper_migrations (id VARCHAR(100) NOT NULL PRIMARY KEY, applied_at DATETIME(3) NOT NULL) ENGINE=InnoDB`,
    );
    const [rows] = await conn.query<RowDataPacket[]>(`SELECT id FROM ${s}.dbkeeper_migrations`);
    const done = new Set(rows.map((r) => String(r.id)));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      for (const sql of m.statements(s)) await conn.query(sql);
      await conn.query(`INSERT IGNORE INTO ${s}.dbkeeper_migrations (id, applied_at) VALUES (?, ?)`, [m.id, new Date()]);
      applied.push(m.id);
    }
    return applied;
  } finally {
    await conn.query('SELECT RELEASE_LOCK(?)', [name]);
  }
}
