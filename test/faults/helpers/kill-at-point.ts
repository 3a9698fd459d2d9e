import { spawn } from 'node:child_process';
import { CLI_PATH } from '../../helpers/run-cli.js';
import { TEST_DB } from '../../helpers/test-db.js';
import { PAUSE_ENV, PAUSED_MARK } from '../../../src/testing/test-pause.js';

export interface KilledRun {
  /** True when the process reached the point and was killed there with SIGKILL. */
  killedAtPoint: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with DBKEEPER_TEST_PAUSE_AT=point and kill -9s it the moment it says it is there.
 * `until` instead of a point: kill -9 when that callback first resolves true (polled every 50 ms). */
export function killCliAt(
  args: string[],
  env: Record<string, string>,
  at: { point: string } | { until: () => Promise<boolean> },
  boundMs = 30_000,
): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        DB_HOST: TEST_DB.host,
        DB_PORT: String(TEST_DB.port),
        DB_USERNAME: TEST_DB.user,
        DB_PASSWORD: TEST_DB.password,
        LOG_LEVEL: 'info',
        ...env,
        ...('point' in at ? { [PAUSE_ENV]: at.point } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      child.kill('SIGKILL');
    };
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if ('point' in at && stderr.includes(`${PAUSED_MARK} ${at.point}\n`)) kill();
    });
    let polling: NodeJS.Timeout | undefined;
    if ('until' in at) {
      const tick = () =>
        void at.until().then(
          (yes) => (yes ? kill() : !killed && child.exitCode === null && (polling = setTimeout(tick, 50))),
          () => (polling = setTimeout(tick, 50)),
        );
      tick();
    }
    const bound = setTimeout(kill, boundMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(bound);
      clearTimeout(polling);
      resolve({
        killedAtPoint: killed && signal === 'SIGKILL' && ('until' in at || stderr.includes(PAUSED_MARK)),
        code,
        signal,
        stdout,
        stderr,
      });
    });
  });
}
