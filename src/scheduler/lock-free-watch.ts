import { setTimeout as sleep } from 'node:timers/promises';

/** Polls until `isFree` says yes (true), or the signal stops it (false). A failing check counts as not free:
 * an outage is DbHealth's business, and the watch goes on until the lock can be seen free. */
export async function waitUntilLockFree(
  isFree: () => Promise<boolean>,
  pollMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  while (!signal.aborted) {
    try {
      await sleep(pollMs, undefined, { signal });
    } catch {
      return false;
    }
    if (await isFree().catch(() => false)) return true;
  }
  return false;
}
