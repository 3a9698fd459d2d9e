// A connection to one replica: TLS as configured for it (the same DB_SSL_MODE words and checks as the primary),
// bounded (connect and every query), reopened after any failure.
import type { Connection } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { DbConfig } from '../config/config-schema.js';
import type { ReplicaNode } from '../config/replica-nodes.js';
import { firstConnection } from '../db/database.js';
import { describeConnectError } from '../db/db-connect-error.js';
import { detectDialect, type Dialect } from '../db/dialect.js';
import { boundedQueryable, endWithin, withDeadline } from '../db/query-timeout.js';
import { describeTlsFailure } from '../db/tls-options.js';
import { maskLiterals } from '../log/mask-literals.js';

export interface ReplicaLink {
  node: ReplicaNode;
  /** A bounded handle on the open connection (opened on first use). */
  open(): Promise<{ q: Pick<Connection, 'query'>; dialect: Dialect }>;
  /** Drop the connection (after an error: the next open() reconnects). */
  reset(): void;
  close(): Promise<void>;
}

/** The primary's settings with the node's address, credentials and TLS. */
export function nodeDbConfig(primary: DbConfig, node: ReplicaNode, connectTimeoutMs: number): DbConfig {
  return {
    ...primary,
    host: node.host,
    port: node.port,
    user: node.user,
    password: node.password,
    ssl: node.ssl,
    connectTimeoutMs,
  };
}

/** Why a node could not be reached, as a person reads it (never its password). */
export function describeReplicaFailure(node: ReplicaNode, err: unknown): string {
  const tls = node.ssl.mode === 'disabled' ? null : describeTlsFailure(err, node.ssl.mode, node.host);
  if (tls) return tls;
  const e = err as { code?: string; message?: string };
  if (e.code === 'DBKEEPER_QUERY_TIMEOUT' || (e.code === undefined && e.message))
    return maskLiterals(e.message ?? 'no answer');
  return describeConnectError(err, { host: node.host, port: node.port, user: node.user, database: '' }).message;
}

export function replicaLink(
  primary: DbConfig,
  node: ReplicaNode,
  opts: { connectTimeoutMs: number; queryTimeoutMs: number; log: Logger },
): ReplicaLink {
  let conn: Connection | null = null;
  let dialect: Dialect | null = null;
  const cfg = nodeDbConfig(primary, node, opts.connectTimeoutMs);
  const log = opts.log.child({ replica: node.name });
  return {
    node,
    async open() {
      if (!conn) {
        let late = false;
        const opening = firstConnection(cfg, log);
        // A handshake that stalls past the bound is given up; the connection it makes later is destroyed.
        opening.then(
          (c) => {
            if (late) c.conn.destroy();
          },
          () => undefined,
        );
        const first = await withDeadline(
          opening,
          opts.connectTimeoutMs + opts.queryTimeoutMs,
          `connecting to replica ${node.name}`,
        ).catch((err: unknown) => {
          late = true;
          throw err;
        });
        conn = first.conn;
        conn.on('error', () => undefined);
        const [rows] = await boundedQueryable(conn, opts.queryTimeoutMs).query('SELECT VERSION() AS v');
        dialect = detectDialect(String((rows as { v: string }[])[0]!.v));
      }
      return { q: boundedQueryable(conn, opts.queryTimeoutMs), dialect: dialect! };
    },
    reset() {
      conn?.destroy();
      conn = null;
      dialect = null;
    },
    async close() {
      const c = conn;
      conn = null;
      if (c) await endWithin(c, 1_000);
    },
  };
}
