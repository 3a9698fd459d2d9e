/** A connection failure a person can act on. Never carries the password or the full URL. */
export class DbConnectError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    /** Retrying cannot help (wrong credentials, unknown database). */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DbConnectError';
  }
}

export function describeConnectError(err: unknown, target: { host: string; port: number; user: string; database: string }): DbConnectError {
  const e = err as { code?: string; errno?: number; message?: string };
  const where = `${target.host}:${target.port}`;
  switch (e.code) {
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return new DbConnectError(
        `access denied for user '${target.user}' at ${where}: check DB_USERNAME and DB_PASSWORD (or DATABASE_URL)`,
        e.code,
        true,
      );
    case 'ER_BAD_DB_ERROR':
      return new DbConnectError(`database '${target.database}' does not exist on ${where}: check DB_DATABASE`, e.code, true);
    case 'ECONNREFUSED':
      return new DbConnectError(`cannot reach MySQL/MariaDB at ${where}: connection refused (is the server running? check DB_HOST and DB_PORT)`, e.code, false);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DbConnectError(`cannot resolve DB_HOST '${target.host}'`, e.code, false);
    case 'ETIMEDOUT':
      return new DbConnectError(`timed out connecting to MySQL/MariaDB at ${where}`, e.code, false);
    default:
      return new DbConnectError(`cannot connect to MySQL/MariaDB at ${where}: ${e.code ?? 'error'}`, e.code, false);
  }
}
