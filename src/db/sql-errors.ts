/** ER_LOCK_WAIT_TIMEOUT's text: in a thrown error, or in an ANALYZE/OPTIMIZE result row. */
export const LOCK_WAIT_MESSAGE = /lock wait timeout exceeded/i;

/** A thrown SQL error that is ER_LOCK_WAIT_TIMEOUT (1205): a row or metadata lock not granted in time. */
export function isLockWaitError(err: unknown): boolean {
  const e = err as { errno?: number; message?: string } | null;
  return e?.errno === 1205 || LOCK_WAIT_MESSAGE.test(String(e?.message ?? ''));
}
