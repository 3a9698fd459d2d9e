// How long `npm run job -- list` takes on a fresh clone after `npm ci`, beside the compiled CLI run directly
// (`node dist/src/cli.js list`, the floor) in the same run. `npm run bench:cli [-- --runs=15]`.
// It clones the committed HEAD: uncommitted changes are not measured.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 11);

function timeMs(cmd: string, args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: 'true' } });
  const ms = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 500)}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const r1 = (n: number) => Math.round(n * 10) / 10;

function main() {
  const dir = mkdtempSync(join(tmpdir(), 'dbkeeper-bench-cli-'));
  try {
    execFileSync('git', ['clone', '--quiet', ROOT, dir]);
    const install = timeMs('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], dir);
    const viaNpm: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      viaNpm.push(timeMs('npm', ['run', '--silent', 'job', '--', 'list'], dir));
      direct.push(timeMs(process.execPath, ['dist/src/cli.js', 'list'], dir));
    }
    const npmMedian = median(viaNpm);
    const directMedian = median(direct);
    console.log(
      JSON.stringify(
        {
          bench: 'cli-list',
          node: process.version,
          runs: RUNS,
          npm_ci_ms: r1(install),
          npm_run_job_list_ms: { median: r1(npmMedian), min: r1(Math.min(...viaNpm)), max: r1(Math.max(...viaNpm)) },
          peer_node_dist_cli_list_ms: {
            median: r1(directMedian),
            min: r1(Math.min(...direct)),
            max: r1(Math.max(...direct)),
          },
          ratio_vs_peer: r1(npmMedian / directMedian),
          target_median_ms: 1000,
          met: npmMedian <= 1000,
        },
        null,
        2,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
