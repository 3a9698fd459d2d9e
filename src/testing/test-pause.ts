/** Named points where a fault-injection test can stop the process to `kill -9` it exactly there. */
export type PausePoint =
  | 'before-lock'
  | 'after-run-row'
  | 'before-finish-row'
  | 'after-finish-row'
  | 'purge-before-commit'
  | 'purge-between-chunks'
  | 'partition-between-statements'
  | 'partition-before-readback'
  | 'maintenance-before-analyze'
  | 'maintenance-before-optimize'
  | 'mail-claimed'
  | 'mail-accepted';

export const PAUSE_ENV = 'DBKEEPER_TEST_PAUSE_AT';
export const PAUSED_MARK = 'dbkeeper-test-paused';
export const RESUMED_MARK = 'dbkeeper-test-resumed';
/** The signal that lets a paused process go on (after the test injected a network fault, say). */
export const RESUME_SIGNAL = 'SIGUSR2';

const reached = new Map<string, number>();

/** Test-only and inert unless DBKEEPER_TEST_PAUSE_AT names this point (`<point>` = the first time, `<point>:<n>` =
 * the n-th time): then the process says so on stderr (`dbkeeper-test-paused <point>`) and waits, for the test to kill
 * it there, or to send SIGUSR2, on which it says `dbkeeper-test-resumed <point>` and goes on. */
export async function testPause(point: PausePoint): Promise<void> {
  const wanted = process.env[PAUSE_ENV];
  if (!wanted || !wanted.startsWith(point)) return;
  const [name, nth = '1'] = wanted.split(':');
  if (name !== point) return;
  const n = (reached.get(point) ?? 0) + 1;
  reached.set(point, n);
  if (n !== Number(nth)) return;
  // The listener is in place before the mark goes out: a signal the test sends on seeing it is never missed.
  const resumed = new Promise<void>((resolve) => {
    const keepAlive = setInterval(() => {}, 60_000);
    process.once(RESUME_SIGNAL, () => {
      clearInterval(keepAlive);
      process.stderr.write(`${RESUMED_MARK} ${wanted}\n`);
      resolve();
    });
  });
  process.stderr.write(`${PAUSED_MARK} ${wanted}\n`);
  await resumed;
}
