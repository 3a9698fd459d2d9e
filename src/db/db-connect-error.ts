/** A connection failure a person can act on. Never carries the password or the full URL. */
export class DbConnectError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    /** Retrying cannot help (wrong credentials, missing rights, unknown database, bad TLS): exit 78. */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DbConnectError';
  }
}

interface ErrorFacts {
  code?: string;
  errno?: number;
  message?: string;
}

/** Server errors no retry can fix: rights, accounts, the database name, the auth method, TLS required. */
const PERMANENT_ERRNOS = new Set([
  1044, // ER_DBACCESS_DENIED_ERROR
  1045, // ER_ACCESS_DENIED_ERROR
  1049, // ER_BAD_DB_ERROR
  1130, // ER_HOST_NOT_PRIVILEGED
  1142, // ER_TABLEACCESS_DENIED_ERROR
  1143, // ER_COLUMNACCESS_DENIED_ERROR
  1227, // ER_SPECIFIC_ACCESS_DENIED_ERROR
  1251, // ER_NOT_SUPPORTED_AUTH_MODE
  1370, // ER_PROCACCESS_DENIED_ERROR
  1698, // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
  1820, // ER_MUST_CHANGE_PASSWORD
  1862, // ER_MUST_CHANGE_PASSWORD_LOGIN
  3118, // ER_ACCOUNT_HAS_BEEN_LOCKED (MySQL)
  3159, // ER_SECURE_TRANSPORT_REQUIRED (MySQL)
  4151, // ER_ACCOUNT_HAS_BEEN_LOCKED (MariaDB)
]);

/** Node's TLS failures: a certificate or protocol problem stays until someone fixes the configuration. */
function isTlsError(code: string | undefined): boolean {
  if (!code) return false;
  return (
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('CERT_') ||
    code === 'HANDSHAKE_SSL_ERROR' ||
    code === 'HANDSHAKE_NO_SSL_SUPPORT' ||
    code === 'ER_SECURE_TRANSPORT_REQUIRED' ||
    /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT(_LOCALLY)?))$/.test(
      code,
    )
  );
}

/** Permanent: fix the configuration and restart (exit 78). Anything else (refused, timeouts, lost connection 2013,
 * too many connections 1040, a server shutting down, DNS) is transient and retried with backoff. */
export function isPermanentDbError(err: unknown): boolean {
  const e = (err ?? {}) as ErrorFacts;
  return (e.errno !== undefined && PERMANENT_ERRNOS.has(e.errno)) || isTlsError(e.code);
}

export function describeConnectError(
  err: unknown,
  target: { host: string; port: number; user: string; database: string },
): DbConnectError {
  const e = (err ?? {}) as ErrorFacts;
  const where = `${target.host}:${target.port}`;
  const code = e.code;
  if (
    e.errno === 1045 ||
    e.errno === 1044 ||
    e.errno === 1698 ||
    code === 'ER_ACCESS_DENIED_ERROR' ||
    code === 'ER_DBACCESS_DENIED_ERROR'
  )
    return new DbConnectError(
      `access denied for user '${target.user}' at ${where}: check DB_USERNAME and DB_PASSWORD (or DATABASE_URL)`,
      code,
      true,
    );
  if (e.errno === 1049 || code === 'ER_BAD_DB_ERROR')
    return new DbConnectError(
      `database '${target.database}' does not exist on ${where}: check DB_DATABASE`,
      code,
      true,
    );
  if (isTlsError(code) || e.errno === 3159)
    return new DbConnectError(
      `TLS failed with MySQL/MariaDB at ${where} (${code ?? e.errno}): check the server's certificate and TLS settings`,
      code,
      true,
    );
  if (isPermanentDbError(e))
    return new DbConnectError(
      `the server at ${where} refused user '${target.user}' (${code ?? e.errno}): fix the account or its rights`,
      code,
      true,
    );
  switch (code) {
    case 'ECONNREFUSED':
      return new DbConnectError(
        `cannot reach MySQL/MariaDB at ${where}: connection refused (is the server running? check DB_HOST and DB_PORT)`,
        code,
        false,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DbConnectError(`cannot resolve DB_HOST '${target.host}'`, code, false);
    case 'ETIMEDOUT':
      return new DbConnectError(`timed out connecting to MySQL/MariaDB at ${where}`, code, false);
    case 'ER_CON_COUNT_ERROR':
      return new DbConnectError(`MySQL/MariaDB at ${where} has too many connections; retrying`, code, false);
    default:
      return new DbConnectError(`cannot connect to MySQL/MariaDB at ${where}: ${code ?? 'error'}`, code, false);
  }
}

/** What dbkeeper needs on its own schema (tables, rows, snapshots; ALTER for migrations): own-schema-privileges.ts. */
export const SCHEMA_PRIVILEGES = 'SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER';

/** A permission error while creating or using dbkeeper's tables: a DbConnectError naming the GRANT to run, for
 * the account the server names in its message. Null for any other error. */
export function describeSchemaAccessError(err: unknown, schema: string, user: string): DbConnectError | null {
  const e = (err ?? {}) as ErrorFacts;
  if (!isPermanentDbError(e) || isTlsError(e.code)) return null;
  const account = /'((?:[^']|'')*)'@'((?:[^']|'')*)'/.exec(e.message ?? '');
  const to = account ? `'${account[1]}'@'${account[2]}'` : `'${user.replace(/'/g, "''")}'@'%'`;
  const quoted = `\`${schema.replace(/`/g, '``')}\``;
  return new DbConnectError(
    `no rights on DBKEEPER_SCHEMA ${quoted} (${e.code ?? e.errno}): run GRANT ${SCHEMA_PRIVILEGES} ON ${quoted}.* TO ${to}; or set DBKEEPER_SCHEMA to a schema this user may use`,
    e.code,
    true,
  );
}
