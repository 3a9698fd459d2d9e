import { spawn } from 'node:child_process';
import { CLI_PATH } from '../../helpers/run-cli.js';
import type { TcpProxy } from '../../helpers/tcp-proxy.js';
import { TEST_DB } from '../../helpers/test-db.js';
import { PAUSE_ENV, PAUSED_MARK, RESUME_SIGNAL } from '../../../src/testing/test-pause.js';

/** What the proxy does to the link while the process is paused at a point: destroy every socket (cut), send RSTs
 * (reset), go silent with the sockets open (stall, resumed once the process ended), or delay every chunk (slow). */
export type NetworkFault = 'cut' | 'reset' | 'stall' | 'slow';
export const SLOW_MS = 40;

/** Small guards so a stalled case ends in seconds: job statements bounded at 2 + 1 s, bookkeeping, heartbeat and
 * kill wait at 1 s, connect 1 s, drain 1 s. A stalled CLI then ends within about 8 s. */
export const NETWORK_GUARDS = {
  lockWaitTimeoutSeconds: 2,
  innodbLockWaitTimeoutSeconds: 2,
  statementTimeoutSeconds: 2,
  clientTimeoutMarginSeconds: 1,
  bookkeepingTimeoutSeconds: 1,
  lockHeartbeatSeconds: 1,
  killWaitSeconds: 1,
};
export const networkConfig = (schema: string) => ({
  guards: NETWORK_GUARDS,
  db: { ...TEST_DB, database: schema, connectRetries: 0, connectTimeoutMs: 1_000, poolTimeoutSeconds: 1 },
  shutdown: { drainSeconds: 1 },
});
/** The safety bound of one faulted process: far above the ~8 s the bounds above give a stalled one. */
export const PROCESS_BOUND_MS = 25_000;

export interface FaultedRun {
  reachedPoint: boolean;
  code: number | null;
  /** The process did not end within the bound (it was then killed). */
  hung: boolean;
  ms: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI through the proxy with DBKEEPER_TEST_PAUSE_AT=point; once it is paused there, applies the fault
 * and lets it go on (SIGUSR2). The link is healed (resume, no delay) once the process has ended. */
export function runCliWithNetworkFault(
  args: string[],
  env: Record<string, string>,
  proxy: TcpProxy,
  point: string,
  fault: NetworkFault,
  boundMs = PROCESS_BOUND_MS,
): Promise<FaultedRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        DB_USERNAME: TEST_DB.user,
        DB_PASSWORD: TEST_DB.password,
        LOG_LEVEL: 'info',
        ...env,
        DB_HOST: '127.0.0.1',
        DB_PORT: String(proxy.port),
        [PAUSE_ENV]: point,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let reachedPoint = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (reachedPoint || !stderr.includes(`${PAUSED_MARK} ${point}\n`)) return;
      reachedPoint = true;
      if (fault === 'cut') proxy.cut();
      else if (fault === 'reset') proxy.reset();
      else if (fault === 'stall') proxy.stall('all');
      else proxy.slow(SLOW_MS);
      child.kill(RESUME_SIGNAL);
    });
    let hung = false;
    const bound = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, boundMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(bound);
      proxy.resume();
      proxy.slow(0);
      resolve({ reachedPoint, code, hung, ms: Date.now() - started, stdout, stderr });
    });
  });
}
