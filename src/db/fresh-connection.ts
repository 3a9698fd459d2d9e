import type { Connection } from 'mysql2/promise';
import { endWithin, QueryTimeoutError } from './query-timeout.js';

/** Runs fn on a new connection outside the pool (which may be the stalled part), the whole of it (connect included)
 * within deadlineMs; the connection is closed after, destroyed when the deadline passed. */
export async function withFreshConnection<T>(
  open: () => Promise<Connection>,
  deadlineMs: number,
  what: string,
  fn: (conn: Connection) => Promise<T>,
): Promise<T> {
  let conn: Connection | undefined;
  let late = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      conn?.destroy();
      reject(new QueryTimeoutError(what, deadlineMs));
    }, deadlineMs);
  });
  const work = (async () => {
    const c = await open();
    if (late) {
      c.destroy();
      throw new QueryTimeoutError(what, deadlineMs);
    }
    conn = c;
    try {
      return await fn(c);
    } finally {
      if (!late) await endWithin(c, 1_000);
    }
  })();
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
