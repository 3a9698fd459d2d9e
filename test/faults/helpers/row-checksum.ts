import type { Connection, RowDataPacket } from 'mysql2/promise';

export interface RowChecksum {
  rows: number;
  crc: string;
}

/** COUNT and BIT_XOR(CRC32(every column)) over the rows `where` selects: CHECKSUM TABLE cannot take a subset,
 * and the rows outside a job's predicate are exactly the ones that must come through a fault unchanged.
 * `table` and `columns` are fixture names written by the test (plain identifiers), never user input. */
export async function rowChecksum(
  conn: Connection,
  table: string,
  columns: readonly string[],
  where = '1 = 1',
  values: unknown[] = [],
): Promise<RowChecksum> {
  const cols = columns.map((c) => `IFNULL(\`${c}\`, '\\0NULL')`).join(', ');
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n, COALESCE(BIT_XOR(CRC32(CONCAT_WS('|', ${cols}))), 0) AS crc FROM \`${table}\` WHERE ${where}`,
    values,
  );
  return { rows: Number(rows[0]!.n), crc: String(rows[0]!.crc) };
}
