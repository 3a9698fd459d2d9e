import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface PeerRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a peer tool (percona-toolkit) to the end. A password goes on stdin for its --ask-pass, never in argv
 * where any process list shows it. */
export function runPeer(command: string, args: readonly string[], password = ''): Promise<PeerRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, [...args, ...(password ? ['--ask-pass'] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(password ? `${password}\n` : '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}
