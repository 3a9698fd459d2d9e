// DB_SSL_CA/CERT/KEY name PEM files: check at start-up that each can be read and looks like PEM, so a bad path
// is a configuration error naming its key rather than a connection failure at the first slot.
import { readFileSync } from 'node:fs';
import type { SslConfig } from './config-schema.js';

const FILES = [
  { key: 'ca', env: 'DB_SSL_CA', pem: /-----BEGIN CERTIFICATE-----/ },
  { key: 'cert', env: 'DB_SSL_CERT', pem: /-----BEGIN CERTIFICATE-----/ },
  { key: 'key', env: 'DB_SSL_KEY', pem: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
] as const;

export function tlsFileProblems(ssl: SslConfig, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  const problems: string[] = [];
  for (const { key, env, pem } of FILES) {
    const path = ssl[key];
    if (path === null) continue;
    const field = `db.ssl.${key} (${env})`;
    let text: string;
    try {
      text = read(path);
    } catch (err) {
      problems.push(`${field}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      continue;
    }
    if (!pem.test(text)) problems.push(`${field}: ${path} is not a PEM ${key === 'key' ? 'private key' : 'certificate'}`);
  }
  if ((ssl.cert === null) !== (ssl.key === null)) {
    problems.push('db.ssl.cert (DB_SSL_CERT) and db.ssl.key (DB_SSL_KEY): a client certificate needs both');
  }
  if (ssl.mode === 'disabled' && (ssl.ca || ssl.cert)) {
    problems.push('db.ssl.mode (DB_SSL_MODE): disabled, but DB_SSL_CA/DB_SSL_CERT are set; choose a TLS mode or unset them');
  }
  return problems;
}
