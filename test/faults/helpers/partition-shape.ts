import type { Connection, RowDataPacket } from 'mysql2/promise';

/** What is wrong with a monthly RANGE layout on UNIX_TIMESTAMP, [] when whole: every bound a UTC month start,
 * each month exactly once (consecutive bounds one month apart: no gap, no overlap), names derived from the
 * bounds, MAXVALUE tail last, and no archive table `<table>_<partition>` left beside a partition that still
 * exists (it would make every later run skip that month). */
export async function partitionShapeProblems(conn: Connection, schema: string, table: string): Promise<string[]> {
  const [parts] = await conn.query<RowDataPacket[]>(
    `SELECT PARTITION_NAME AS name, PARTITION_DESCRIPTION AS description FROM information_schema.PARTITIONS
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND PARTITION_NAME IS NOT NULL ORDER BY PARTITION_ORDINAL_POSITION`,
    [schema, table],
  );
  const problems: string[] = [];
  if (parts.length === 0) return [`${table} is not partitioned`];
  const last = parts[parts.length - 1]!;
  if (String(last.description).toUpperCase() !== 'MAXVALUE')
    problems.push(`last partition ${String(last.name)} is not MAXVALUE`);
  const months = parts.slice(0, -1);
  let previous: number | null = null;
  for (const p of months) {
    const bound = Number(p.description);
    const end = new Date(bound * 1000);
    if (!Number.isInteger(bound) || end.getUTCDate() !== 1 || bound % 86_400 !== 0)
      problems.push(`${String(p.name)} ends at ${String(p.description)}, not a UTC month start`);
    const start = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 1, 1));
    const name = `p${start.getUTCFullYear()}${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
    if (String(p.name) !== name)
      problems.push(`${String(p.name)} holds ${start.toISOString().slice(0, 7)} (expected name ${name})`);
    if (previous !== null && previous !== start.getTime() / 1000)
      problems.push(`${String(p.name)}: gap or overlap after ${new Date(previous * 1000).toISOString()}`);
    previous = bound;
  }
  const [tables] = await conn.query<RowDataPacket[]>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    [schema],
  );
  const names = new Set(tables.map((t) => String(t.name).toLowerCase()));
  for (const p of months)
    if (names.has(`${table}_${String(p.name)}`.toLowerCase()))
      problems.push(`archive table ${table}_${String(p.name)} exists beside partition ${String(p.name)}`);
  return problems;
}

/** The month partitions' names, oldest first (pmax left out). */
export async function monthPartitions(conn: Connection, schema: string, table: string): Promise<string[]> {
  const [parts] = await conn.query<RowDataPacket[]>(
    `SELECT PARTITION_NAME AS name FROM information_schema.PARTITIONS
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND PARTITION_DESCRIPTION <> 'MAXVALUE' ORDER BY PARTITION_ORDINAL_POSITION`,
    [schema, table],
  );
  return parts.map((p) => String(p.name));
}
