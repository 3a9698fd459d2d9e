// DB_SSL_MODE → mysql2's `ssl` option. The words and meanings are the MySQL client's --ssl-mode:
// disabled: plain text; preferred: TLS without verification when the server offers it, else plain text;
// required: TLS without verification, fail when the server has none; verify-ca: TLS, the server's certificate
// must chain to DB_SSL_CA; verify-identity: verify-ca and the certificate must name DB_HOST.
import { readFileSync } from 'node:fs';
import type { SslConfig } from '../config/config-schema.js';

export const SSL_MODES = ['disabled', 'preferred', 'required', 'verify-ca', 'verify-identity'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface Mysql2Ssl {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  verifyIdentity: boolean;
}

/** The `ssl` option for a connection attempt; undefined for plain text. Reads the PEM files named in config. */
export function sslOptions(
  ssl: SslConfig,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): Mysql2Ssl | undefined {
  if (ssl.mode === 'disabled') return undefined;
  const verify = ssl.mode === 'verify-ca' || ssl.mode === 'verify-identity';
  return {
    ...(ssl.ca ? { ca: read(ssl.ca) } : {}),
    ...(ssl.cert ? { cert: read(ssl.cert) } : {}),
    ...(ssl.key ? { key: read(ssl.key) } : {}),
    rejectUnauthorized: verify,
    verifyIdentity: ssl.mode === 'verify-identity',
  };
}

/** mysql2's error when `ssl` is set and the server's handshake offers no TLS. */
export function isNoTlsOnServer(err: unknown): boolean {
  return (err as { code?: string })?.code === 'HANDSHAKE_NO_SSL_SUPPORT';
}

const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

/** A TLS failure retrying cannot fix, as the line a person reads (which key to check); null when it is not one. */
export function describeTlsFailure(err: unknown, mode: SslMode, host: string): string | null {
  const e = err as { code?: string; message?: string; reason?: string };
  if (isNoTlsOnServer(err)) {
    return `DB_SSL_MODE=${mode}: the server at ${host} offers no TLS (use preferred or disabled only if plain text is acceptable)`;
  }
  const code = e.code ?? '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /altnames|does not match certificate/i.test(e.message ?? '')) {
    return `DB_SSL_MODE=${mode}: the server's certificate does not name DB_HOST '${host}' (${e.reason ?? e.message ?? code})`;
  }
  if (CERTIFICATE_CODES.has(code) || /certificate/i.test(e.message ?? '')) {
    const hint = code === 'CERT_HAS_EXPIRED' ? 'it has expired' : 'check DB_SSL_CA';
    return `DB_SSL_MODE=${mode}: the server's certificate was not accepted: ${e.message ?? code} (${hint})`;
  }
  if (code === 'HANDSHAKE_SSL_ERROR' || /^ERR_SSL_|^ERR_TLS_/.test(code)) {
    return `DB_SSL_MODE=${mode}: TLS handshake with ${host} failed: ${e.message ?? code} (check DB_SSL_CERT and DB_SSL_KEY)`;
  }
  return null;
}
