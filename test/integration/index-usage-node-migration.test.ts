// Migration index-review-002-usage-node on an install that already has snapshots: they become the primary's ('').
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexUsageMigrations } from '../../jobs/index-review/usage-migrations.js';
import { ensureMigrations } from '../../src/db/migrations.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';

let t: TestSchema;
beforeAll(async () => {
  t = await createTestSchema();
});
afterAll(async () => {
  await t?.drop();
});

describe('index-review-002-usage-node', () => {
  it("adds node to the key; existing snapshots are the primary's; running it again changes nothing", async () => {
    await ensureMigrations(t.admin, t.name, indexUsageMigrations.slice(0, 1));
    await t.admin.query(
      `INSERT INTO dbkeeper_index_usage (schema_name, table_name, index_name, taken_at, server_started_at, source, rows_read) VALUES ('app', 'b', 'idx_a', '2026-11-01 03:15:00', '2026-10-01 00:00:00', 'userstat', 7)`,
    );
    expect(await ensureMigrations(t.admin, t.name, indexUsageMigrations)).toEqual(['index-review-002-usage-node']);
    const [rows] = await t.admin.query<RowDataPacket[]>('SELECT node, rows_read FROM dbkeeper_index_usage');
    expect(rows).toEqual([{ node: '', rows_read: 7 }]);
    // The same index at the same instant, from a replica: a row of its own.
    await t.admin.query(
      `INSERT INTO dbkeeper_index_usage (node, schema_name, table_name, index_name, taken_at, server_started_at, source, rows_read) VALUES ('r1', 'app', 'b', 'idx_a', '2026-11-01 03:15:00', '2026-10-01 00:00:00', 'userstat', 9)`,
    );
    const [key] = await t.admin.query<RowDataPacket[]>(
      "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS cols FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'dbkeeper_index_usage' AND INDEX_NAME = 'PRIMARY'",
      [t.name],
    );
    expect(key[0]!.cols).toBe('node,schema_name,table_name,index_name,taken_at');
    await t.admin.query('DELETE FROM dbkeeper_migrations WHERE id = ?', ['index-review-002-usage-node']);
    expect(await ensureMigrations(t.admin, t.name, indexUsageMigrations)).toEqual(['index-review-002-usage-node']);
  });
});
