// The replicas as connection settings: DB_READ_* (with the primary's values where unset), then replicas.nodes.
import { readFileSync } from 'node:fs';
import type { DbConfig, SslConfig } from './config-schema.js';
import type { ReplicasConfig } from './replicas-schema.js';
import { tlsFileProblems, type TlsFieldNames } from './tls-files.js';

export interface ReplicaNode {
  /** How reports and figures label it (replicas.nodes[].name, else host:port). */
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  ssl: SslConfig;
  /** Where it is configured, for problems: `replicas.read` (DB_READ_*) or `replicas.nodes.<i>`. */
  field: string;
}

type Source = { db: DbConfig; replicas: ReplicasConfig };

/** Every configured replica, in order: the DB_READ_* one first. */
export function replicaNodes(config: Source): ReplicaNode[] {
  const { db, replicas } = config;
  const out: ReplicaNode[] = [];
  const r = replicas.read;
  if (r.host !== null) {
    const port = r.port ?? db.port;
    const own = r.ssl.mode !== null;
    // Unset TLS keys: the primary's whole TLS setting (mixing a replica's mode with the primary's files would
    // surprise).
    const ssl: SslConfig = own ? { mode: r.ssl.mode!, ca: r.ssl.ca, cert: r.ssl.cert, key: r.ssl.key } : db.ssl;
    out.push({
      name: `${r.host}:${port}`,
      host: r.host,
      port,
      user: r.user ?? db.user,
      password: r.password ?? db.password,
      ssl,
      field: 'replicas.read',
    });
  }
  replicas.nodes.forEach((n, i) => {
    out.push({
      name: n.name ?? `${n.host}:${n.port}`,
      host: n.host,
      port: n.port,
      user: n.user,
      password: n.password,
      ssl: n.ssl,
      field: `replicas.nodes.${i}`,
    });
  });
  return out;
}

/** What the schema cannot see: DB_READ_* without DB_READ_HOST, two nodes with one name, TLS files per node. */
export function replicaNodeProblems(
  config: Source,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): string[] {
  const problems: string[] = [];
  const r = config.replicas.read;
  if (r.host === null) {
    const set = [
      ['port', 'DB_READ_PORT', r.port],
      ['user', 'DB_READ_USERNAME', r.user],
      ['password', 'DB_READ_PASSWORD', r.password],
      ['ssl.mode', 'DB_READ_SSL_MODE', r.ssl.mode],
      ['ssl.ca', 'DB_READ_SSL_CA', r.ssl.ca],
    ].filter(([, , v]) => v !== null);
    for (const [key, env] of set)
      problems.push(`replicas.read.${String(key)} (${String(env)}): set, but replicas.read.host (DB_READ_HOST) is not`);
  } else if (r.ssl.mode === null && (r.ssl.ca || r.ssl.cert || r.ssl.key)) {
    problems.push(
      'replicas.read.ssl.mode (DB_READ_SSL_MODE): DB_READ_SSL_CA/CERT/KEY are set without a mode; set DB_READ_SSL_MODE',
    );
  }
  const seen = new Map<string, string>();
  for (const node of replicaNodes(config)) {
    const earlier = seen.get(node.name.toLowerCase());
    if (earlier)
      problems.push(
        `${node.field}: names the same replica as ${earlier} (${node.name}); give it another name or remove one`,
      );
    seen.set(node.name.toLowerCase(), node.field);
    if (node.host === config.db.host && node.port === config.db.port)
      problems.push(`${node.field}: ${node.name} is the primary (DB_HOST:DB_PORT), not a replica`);
    const names: TlsFieldNames =
      node.field === 'replicas.read'
        ? { path: 'replicas.read.ssl', env: 'DB_READ_SSL' }
        : { path: `${node.field}.ssl`, env: null };
    if (node.field !== 'replicas.read' || r.ssl.mode !== null) problems.push(...tlsFileProblems(node.ssl, read, names));
  }
  return problems;
}
