/** ER_NO_SUCH_TABLE (1146) or ER_BAD_DB_ERROR (1049): dbkeeper's own table or schema does not exist (yet). */
export function isMissingTable(err: unknown): boolean {
  const errno = (err as { errno?: number } | null)?.errno;
  return errno === 1146 || errno === 1049;
}

/** A read of dbkeeper's own history that finds no table finds no history: a dry run on a fresh install
 * creates nothing, so it reads `empty` instead. Every other error still throws. */
export async function emptyIfMissing<T>(read: Promise<T>, empty: T): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (isMissingTable(err)) return empty;
    throw err;
  }
}
