/** Environment variables operators already have in their .env, and where each lands in the config. */
export interface EnvBinding {
  env: string;
  path: string[];
  kind: 'string' | 'int' | 'nullable-int' | 'number' | 'bool' | 'list' | 'nullable-string';
}

export const ENV_BINDINGS: readonly EnvBinding[] = [
  { env: 'DBKEEPER_ENV', path: ['environment'], kind: 'string' },
  { env: 'DBKEEPER_TIMEZONE', path: ['timezone'], kind: 'string' },
  { env: 'DBKEEPER_SCHEMA', path: ['schema'], kind: 'nullable-string' },
  { env: 'DB_HOST', path: ['db', 'host'], kind: 'string' },
  { env: 'DB_PORT', path: ['db', 'port'], kind: 'int' },
  { env: 'DB_DATABASE', path: ['db', 'database'], kind: 'string' },
  { env: 'DB_USERNAME', path: ['db', 'user'], kind: 'string' },
  { env: 'DB_PASSWORD', path: ['db', 'password'], kind: 'string' },
  { env: 'DB_SSL_MODE', path: ['db', 'ssl', 'mode'], kind: 'string' },
  { env: 'DB_SSL_CA', path: ['db', 'ssl', 'ca'], kind: 'nullable-string' },
  { env: 'DB_SSL_CERT', path: ['db', 'ssl', 'cert'], kind: 'nullable-string' },
  { env: 'DB_SSL_KEY', path: ['db', 'ssl', 'key'], kind: 'nullable-string' },
  { env: 'DB_READ_HOST', path: ['replicas', 'read', 'host'], kind: 'nullable-string' },
  { env: 'DB_READ_PORT', path: ['replicas', 'read', 'port'], kind: 'int' },
  { env: 'DB_READ_USERNAME', path: ['replicas', 'read', 'user'], kind: 'nullable-string' },
  { env: 'DB_READ_PASSWORD', path: ['replicas', 'read', 'password'], kind: 'string' },
  { env: 'DB_READ_SSL_MODE', path: ['replicas', 'read', 'ssl', 'mode'], kind: 'nullable-string' },
  { env: 'DB_READ_SSL_CA', path: ['replicas', 'read', 'ssl', 'ca'], kind: 'nullable-string' },
  { env: 'DB_READ_SSL_CERT', path: ['replicas', 'read', 'ssl', 'cert'], kind: 'nullable-string' },
  { env: 'DB_READ_SSL_KEY', path: ['replicas', 'read', 'ssl', 'key'], kind: 'nullable-string' },
  { env: 'DB_POOL_MAX', path: ['db', 'poolMax'], kind: 'int' },
  { env: 'DBKEEPER_POOL_MAX', path: ['db', 'workerConnections'], kind: 'int' },
  { env: 'DB_POOL_TIMEOUT', path: ['db', 'poolTimeoutSeconds'], kind: 'int' },
  { env: 'DB_SLOW_QUERY_TIME', path: ['slowQueryTimeSeconds'], kind: 'number' },
  { env: 'LOG_LEVEL', path: ['log', 'level'], kind: 'string' },
  { env: 'LOG_FORMAT', path: ['log', 'format'], kind: 'nullable-string' },
  { env: 'SMTP_URL', path: ['report', 'smtp', 'url'], kind: 'nullable-string' },
  { env: 'SMTP_HOST', path: ['report', 'smtp', 'host'], kind: 'nullable-string' },
  { env: 'SMTP_PORT', path: ['report', 'smtp', 'port'], kind: 'int' },
  { env: 'SMTP_USER', path: ['report', 'smtp', 'user'], kind: 'nullable-string' },
  { env: 'SMTP_PASSWORD', path: ['report', 'smtp', 'password'], kind: 'nullable-string' },
  { env: 'SMTP_SECURE', path: ['report', 'smtp', 'secure'], kind: 'bool' },
  { env: 'REPORT_FROM', path: ['report', 'from'], kind: 'string' },
  { env: 'REPORT_TO', path: ['report', 'to'], kind: 'list' },
  { env: 'REPORT_OUTBOX', path: ['report', 'outboxDir'], kind: 'string' },
  { env: 'DBKEEPER_METRICS_PORT', path: ['metrics', 'port'], kind: 'nullable-int' },
  { env: 'DBKEEPER_METRICS_HOST', path: ['metrics', 'host'], kind: 'string' },
  { env: 'DBKEEPER_METRICS_TEXTFILE', path: ['metrics', 'textfile'], kind: 'nullable-string' },
];

/** Convert an env string to the kind the schema expects; leave it as text when it does not parse, so the
 * schema reports the problem under the field's name. */
export function parseEnvValue(kind: EnvBinding['kind'], raw: string): unknown {
  const text = raw.trim();
  switch (kind) {
    case 'nullable-int':
    case 'int':
    case 'number': {
      if (kind === 'nullable-int' && text === '') return null;
      if (text === '') return raw;
      const n = Number(text);
      return Number.isFinite(n) ? n : raw;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      return raw;
    case 'list':
      return text === ''
        ? []
        : text
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    case 'nullable-string':
      return text === '' ? null : raw;
    case 'string':
      return raw;
  }
}
