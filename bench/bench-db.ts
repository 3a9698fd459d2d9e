import mysql, { type Connection } from 'mysql2/promise';

/** The server every benchmark measures: the operators' DB_* keys, else the local MariaDB as root. */
export const BENCH_DB = {
  host: process.env.DB_HOST ?? '127.0.0.1',
  port: Number(process.env.DB_PORT ?? 3306),
  user: process.env.DB_USERNAME ?? 'root',
  password: process.env.DB_PASSWORD ?? '',
};

export function benchConnection(database?: string): Promise<Connection> {
  return mysql.createConnection({ ...BENCH_DB, ...(database ? { database } : {}), timezone: 'Z' });
}
