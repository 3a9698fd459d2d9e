import type { Connection, RowDataPacket } from 'mysql2/promise';

/** The server's UTC clock as text, so no driver time zone setting can shift it. */
const SERVER_UTC_SQL = "SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f') AS utc";

/** `2026-11-30 03:15:00.123456` (UTC) → the instant, to the millisecond. */
export function parseServerUtc(text: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) throw new Error(`the server's UTC_TIMESTAMP(6) did not read as a time: ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, frac = '0'] = m;
  const ms = Math.floor(Number(frac.padEnd(6, '0')) / 1000);
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms));
}

/** The server's clock now: the time every destructive cutoff is computed from. */
export async function readServerClock(conn: Pick<Connection, 'query'>): Promise<Date> {
  const [rows] = await conn.query<RowDataPacket[]>(SERVER_UTC_SQL);
  return parseServerUtc(String(rows[0]!.utc));
}

export interface Clocks {
  host: Date;
  server: Date;
}

/** Both clocks at one moment: the host's is read before and after the server's, and the midpoint taken
 * (the query's round trip is not counted as skew). */
export async function readClocks(
  conn: Pick<Connection, 'query'>,
  hostClock: () => Date,
  serverClock?: () => Date,
): Promise<Clocks> {
  const before = hostClock().getTime();
  const server = serverClock ? serverClock() : await readServerClock(conn);
  const after = hostClock().getTime();
  return { host: new Date(Math.round((before + after) / 2)), server };
}
