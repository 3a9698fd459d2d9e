import type { Connection, RowDataPacket } from 'mysql2/promise';
import { lockName } from './named-lock.js';
import { assertSession, type Session } from './session.js';
import { quoteId } from './sql-identifier.js';

/** A statement that runs only while a column is (or is not) there: MySQL 8 has no ADD/DROP COLUMN IF [NOT] EXISTS,
 * and a migration that crashed midway runs again from its first statement. */
export interface GuardedStatement {
  sql: string;
  onlyIf: { table: string; column: string; exists: boolean };
}

export type MigrationStep = string | GuardedStatement;

/** One step of dbkeeper's own DDL. Ids are applied once each, in list order; every step is safe to run again
 * (idempotent, or guarded), so a migration interrupted between two steps completes on the next start. */
export interface Migration {
  id: string;
  /** Steps for the given (already quoted) schema. */
  statements(schema: string): MigrationStep[];
}

type Q = Pick<Connection, 'query'>;

async function columnExists(conn: Q, schema: string, table: string, column: string): Promise<boolean> {
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?',
    [schema, table, column],
  );
  return rows.length > 0;
}

/** Runs one step against `schema` (its unquoted name; the step's SQL already carries it quoted). */
export async function applyStep(conn: Q, schema: string, step: MigrationStep): Promise<void> {
  if (typeof step === 'string') {
    await conn.query(step);
    return;
  }
  const { table, column, exists } = step.onlyIf;
  if ((await columnExists(conn, schema, table, column)) === exists) await conn.query(step.sql);
}

/** Create dbkeeper's schema and tables if missing. Safe when several workers start at once. Takes one session by
 * type: the migration lock must be released by the session that took it, and every step runs under that lock. */
export async function ensureMigrations(
  conn: Session,
  schema: string,
  migrations: readonly Migration[],
): Promise<string[]> {
  assertSession(conn, 'ensureMigrations');
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
      for (const step of m.statements(s)) await applyStep(conn, schema, step);
      await conn.query(`INSERT IGNORE INTO ${s}.dbkeeper_migrations (id, applied_at) VALUES (?, ?)`, [
        m.id,
        new Date(),
      ]);
      applied.push(m.id);
    }
    return applied;
  } finally {
    await conn.query('SELECT RELEASE_LOCK(?)', [name]);
  }
}
