// DB_SSL_CA/CERT/KEY name PEM files: check at start-up that each can be read and looks like PEM, so a bad path
// is a configuration error naming its key rather than a connection failure at the first slot.
import { readFileSync } from 'node:fs';
import type { SslConfig } from './config-schema.js';

const FILES = [
  { key: 'ca', pem: /-----BEGIN CERTIFICATE-----/ },
  { key: 'cert', pem: /-----BEGIN CERTIFICATE-----/ },
  { key: 'key', pem: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
] as const;

/** How problems name the keys: the config path and the env prefix (`DB_SSL` → DB_SSL_CA), null when none binds it. */
export interface TlsFieldNames {
  path: string;
  env: string | null;
}

const PRIMARY: TlsFieldNames = { path: 'db.ssl', env: 'DB_SSL' };

export function tlsFileProblems(
  ssl: SslConfig,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
  names: TlsFieldNames = PRIMARY,
): string[] {
  const field = (key: string) => `${names.path}.${key}${names.env ? ` (${names.env}_${key.toUpperCase()})` : ''}`;
  const problems: string[] = [];
  for (const { key, pem } of FILES) {
    const path = ssl[key];
    if (path === null) continue;
    let text: string;
    try {
      text = read(path);
    } catch (err) {
      problems.push(`${field(key)}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      continue;
    }
    if (!pem.test(text))
      problems.push(`${field(key)}: ${path} is not a PEM ${key === 'key' ? 'private key' : 'certificate'}`);
  }
  if ((ssl.cert === null) !== (ssl.key === null)) {
    problems.push(`${field('cert')} and ${field('key')}: a client certificate needs both`);
  }
  if (ssl.mode === 'disabled' && (ssl.ca || ssl.cert)) {
    problems.push(
      `${field('mode')}: disabled, but ${names.env ? `${names.env}_CA/${names.env}_CERT` : 'ca/cert'} are set; choose a TLS mode or unset them`,
    );
  }
  return problems;
}
