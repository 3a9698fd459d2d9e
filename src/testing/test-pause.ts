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
  | 'mail-claimed'
  | 'mail-accepted';

export const PAUSE_ENV = 'DBKEEPER_TEST_PAUSE_AT';
export const PAUSED_MARK = 'dbkeeper-test-paused';

const reached = new Map<string, number>();

/** Test-only and inert unless DBKEEPER_TEST_PAUSE_AT names this point (`<point>` = the first time, `<point>:<n>` =
 * the n-th time): then the process says so on stderr (`dbkeeper-test-paused <point>`) and waits for ever, for the
 * test to kill it there. */
export async function testPause(point: PausePoint): Promise<void> {
  const wanted = process.env[PAUSE_ENV];
  if (!wanted || !wanted.startsWith(point)) return;
  const [name, nth = '1'] = wanted.split(':');
  if (name !== point) return;
  const n = (reached.get(point) ?? 0) + 1;
  reached.set(point, n);
  if (n !== Number(nth)) return;
  process.stderr.write(`${PAUSED_MARK} ${wanted}\n`);
  await new Promise<never>(() => setInterval(() => {}, 60_000));
}
