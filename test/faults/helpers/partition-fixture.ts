import type { Connection, RowDataPacket } from 'mysql2/promise';
import { rowChecksum } from './row-checksum.js';

// The partitioned log table the partitions fault cases run on, and the checksum of every row wherever it lives.
export const TABLE = 'api_call_logs';
const COLUMNS = ['id', 'company_id', 'created_at'];

const now = new Date();
export const monthStart = (offset: number) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1) / 1000;
export const pname = (sec: number) => {
  const d = new Date(sec * 1000);
  return `p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};

/** Months current-4 .. current + pmax, 40 rows in each: with retention 1 the three oldest are past retention. */
export async function createLogTable(c: Connection, schema: string): Promise<void> {
  await c.query(`DROP SCHEMA IF EXISTS \`${schema}\``);
  await c.query(`CREATE SCHEMA \`${schema}\``);
  await c.query(`USE \`${schema}\``);
  const parts = [];
  for (let m = -4; m <= 0; m += 1)
    parts.push(`PARTITION ${pname(monthStart(m))} VALUES LESS THAN (${monthStart(m + 1)})`);
  await c.query(`CREATE TABLE ${TABLE} (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, company_id INT UNSIGNED NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (id, created_at)) ENGINE=InnoDB
    PARTITION BY RANGE (UNIX_TIMESTAMP(created_at)) (${parts.join(', ')}, PARTITION pmax VALUES LESS THAN MAXVALUE)`);
  const rows = [];
  for (let m = -4; m <= 0; m += 1)
    for (let i = 0; i < 40; i += 1) rows.push([1 + (i % 5), new Date((monthStart(m) + 60 * (i + 1)) * 1000)]);
  await c.query(`INSERT INTO ${TABLE} (company_id, created_at) VALUES ?`, [rows]);
}

/** Every row, wherever it lives now (the log table or an archive table): an archive moves rows, it never loses one. */
export async function allRows(c: Connection, schema: string): Promise<{ rows: number; crc: bigint }> {
  const [tables] = await c.query<RowDataPacket[]>(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'api\\_call\\_logs%'",
    [schema],
  );
  let rows = 0;
  let crc = 0n;
  for (const t of tables) {
    const sum = await rowChecksum(c, String(t.name), COLUMNS);
    rows += sum.rows;
    crc ^= BigInt(sum.crc);
  }
  return { rows, crc };
}
