import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { TEST_DB } from './test-db.js';

export const CLI_PATH = resolve(import.meta.dirname, '../../dist/src/cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI (npm test builds first) with a clean environment pointing at the test database. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        DB_HOST: TEST_DB.host,
        DB_PORT: String(TEST_DB.port),
        DB_USERNAME: TEST_DB.user,
        DB_PASSWORD: TEST_DB.password,
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}
