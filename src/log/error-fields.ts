/** What a log line says about an error: its name, message and codes (never its `sql`, parameters or stack, which
 * may carry customer data). The fields absent on the error are absent here. */
export interface ErrorFields {
  name?: string;
  message: string;
  /** Node's (`ECONNREFUSED`) or mysql2's (`ER_LOCK_WAIT_TIMEOUT`) code. */
  code?: string | number;
  /** The server's error number (1205). */
  errno?: number;
  /** The SMTP reply code (550). */
  responseCode?: number;
}

/** The one error-to-log-fields function: `log.warn({ err: errorFields(err) }, …)`. */
export function errorFields(err: unknown): ErrorFields {
  if (typeof err !== 'object' || err === null) return { message: String(err) };
  const e = err as { name?: unknown; message?: unknown; code?: unknown; errno?: unknown; responseCode?: unknown };
  const out: ErrorFields = { message: typeof e.message === 'string' ? e.message : String(err) };
  if (typeof e.name === 'string') out.name = e.name;
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (typeof e.errno === 'number') out.errno = e.errno;
  if (typeof e.responseCode === 'number') out.responseCode = e.responseCode;
  return out;
}

/** An error's message for a line of text (stderr): the message of an Error, else the value as text. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
