import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type Connection, type Pool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { DbConfig } from '../config/config-schema.js';
import { backoffDelay } from '../core/backoff.js';
import { describeConnectError, DbConnectError } from './db-connect-error.js';
import { detectDialect, type Dialect } from './dialect.js';
import { describeTlsFailure, isNoTlsOnServer, sslOptions, type Mysql2Ssl } from './tls-options.js';
import { withDeadline } from './query-timeout.js';

/** The worker's handle on the server: one pool for jobs, fresh connections for named locks. */
export interface Database {
  pool: Pool;
  dialect: Dialect;
  /** The connected database (DB_DATABASE). */
  database: string;
  /** Where dbkeeper's own tables live (DBKEEPER_SCHEMA, default: the connected database). */
  schema: string;
  /** A pooled connection, or an error after DB_POOL_TIMEOUT seconds when none is free. */
  getConnection(): Promise<PoolConnection>;
  /** A connection outside the pool, e.g. for a named lock that must live exactly as long as a run. */
  newConnection(): Promise<Connection>;
  /** Ends the pool; gives up after a moment on connections that do not answer (a stalled link). */
  close(): Promise<void>;
}

const CLOSE_WAIT_MS = 2_000;

function connectionOptions(cfg: DbConfig, ssl: Mysql2Ssl | undefined) {
  return {
    ...(ssl ? { ssl } : {}),
    host: cfg.host,
    port: cfg.port,
    user: cfg.user,
    password: cfg.password,
    database: cfg.database,
    connectTimeout: cfg.connectTimeoutMs,
    // Dates cross the wire as UTC; dbkeeper computes every boundary in UTC.
    timezone: 'Z',
    multipleStatements: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
  } as const;
}

/** The first connection: with TLS as DB_SSL_MODE says; under `preferred`, plain text when the server offers none. */
export async function firstConnection(
  cfg: DbConfig,
  log: Logger,
): Promise<{ conn: Connection; ssl: Mysql2Ssl | undefined }> {
  const ssl = sslOptions(cfg.ssl);
  try {
    return { conn: await mysql.createConnection(connectionOptions(cfg, ssl)), ssl };
  } catch (err) {
    if (cfg.ssl.mode !== 'preferred' || !isNoTlsOnServer(err)) throw err;
    log.warn(
      { host: cfg.host, port: cfg.port, sslMode: cfg.ssl.mode },
      'the server offers no TLS: connecting in plain text (DB_SSL_MODE=preferred)',
    );
    return { conn: await mysql.createConnection(connectionOptions(cfg, undefined)), ssl: undefined };
  }
}

async function tlsVersion(conn: Connection): Promise<string | null> {
  const [rows] = await conn.query<RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_version'");
  const v = rows[0]?.Value;
  return typeof v === 'string' && v !== '' ? v : null;
}

/** mysql2 pools wait forever for a free connection: bound the wait, and give back a late one. */
export function acquire(pool: Pool, timeoutSeconds: number): Promise<PoolConnection> {
  return acquireWithin(pool, timeoutSeconds * 1000);
}

export function acquireWithin(pool: Pool, timeoutMs: number): Promise<PoolConnection> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`no free connection in dbkeeper's pool within ${timeoutMs / 1000} s (DB_POOL_TIMEOUT)`));
    }, timeoutMs);
    pool.getConnection().then(
      (conn) => {
        clearTimeout(timer);
        if (timedOut) conn.release();
        else resolve(conn);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

export interface OpenOptions {
  log: Logger;
  schema: string | null;
  signal?: AbortSignal;
  /** Overrides cfg.connectRetries (the worker retries forever; the CLI gives up). */
  retries?: number;
}

/** Connect with retry and backoff. Wrong credentials or an unknown database fail at once with a clear error. */
export async function openDatabase(cfg: DbConfig, opts: OpenOptions): Promise<Database> {
  const target = { host: cfg.host, port: cfg.port, user: cfg.user, database: cfg.database };
  const retries = opts.retries ?? cfg.connectRetries;
  let attempt = 0;
  let lastLogged: string | undefined;
  for (;;) {
    let probe: Connection | undefined;
    try {
      const first = await firstConnection(cfg, opts.log);
      probe = first.conn;
      const ssl = first.ssl;
      const [rows] = await probe.query<RowDataPacket[]>('SELECT VERSION() AS v');
      const tls = await tlsVersion(probe);
      await probe.end();
      opts.log.info(
        { host: cfg.host, port: cfg.port, sslMode: cfg.ssl.mode, tls: tls ?? 'none' },
        tls
          ? `connected over ${tls}${ssl?.rejectUnauthorized ? ' (certificate verified)' : ' (certificate not verified)'}`
          : 'connected in plain text',
      );
      const dialect = detectDialect(String(rows[0]!.v));
      const pool = mysql.createPool({
        ...connectionOptions(cfg, ssl),
        connectionLimit: Math.min(cfg.poolMax, cfg.workerConnections),
        waitForConnections: true,
        queueLimit: 0,
        maxIdle: 1,
        idleTimeout: 60_000,
        enableKeepAlive: true,
        // Session guards set for one job must not leak into the next borrower.
        resetOnRelease: true,
      });
      if (lastLogged) opts.log.info({ host: cfg.host, port: cfg.port }, 'database reachable again');
      return {
        pool,
        dialect,
        database: cfg.database,
        schema: opts.schema ?? cfg.database,
        getConnection: () => acquire(pool, cfg.poolTimeoutSeconds),
        newConnection: () => mysql.createConnection(connectionOptions(cfg, ssl)),
        // A stalled connection never answers COM_QUIT: do not wait for it past a moment.
        close: () => withDeadline(pool.end(), CLOSE_WAIT_MS, 'closing the pool').catch(() => undefined),
      };
    } catch (err) {
      probe?.destroy();
      const tlsLine = cfg.ssl.mode === 'disabled' ? null : describeTlsFailure(err, cfg.ssl.mode, cfg.host);
      const clear =
        err instanceof DbConnectError
          ? err
          : tlsLine
            ? new DbConnectError(tlsLine, (err as { code?: string }).code, true)
            : describeConnectError(err, target);
      if (clear.permanent || attempt >= retries || opts.signal?.aborted) throw clear;
      if (lastLogged !== clear.message) {
        opts.log.warn({ attempt: attempt + 1, code: clear.code }, clear.message);
        lastLogged = clear.message;
      }
      const delay = backoffDelay(attempt, { initialMs: cfg.connectBackoffMs, maxMs: 60_000 });
      attempt += 1;
      try {
        await sleep(delay, undefined, { signal: opts.signal });
      } catch {
        throw clear;
      }
    }
  }
}
